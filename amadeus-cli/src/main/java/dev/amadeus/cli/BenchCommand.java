package dev.amadeus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amadeus.AmadeusException;
import dev.amadeus.bench.Benchmark;
import dev.amadeus.bench.BenchmarkResult;
import dev.amadeus.bench.Throughput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code amadeus bench}: prompt-processing (pp) and generation (tg) speed with llama-bench's definitions.
 * The table or the JSON object goes to stdout, one progress line per run to stderr.
 */
@Command(name = "bench", description =
        "Measure prompt processing (pp: P random tokens in one forward call) and generation (tg: N single-token forward calls), "
        + "each from an empty cache, after one warm-up run; t/s is mean ± sample standard deviation over the repetitions.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "512", paramLabel = "P", description = "Prompt tokens of the pp test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "128", paramLabel = "N", description = "Generated tokens of the tg test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", paramLabel = "R", description = "Timed repetitions of each test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = {"-s", "--seed"}, defaultValue = "1234", paramLabel = "S", description = "Seed of the random token ids (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Write one JSON object instead of the table; a skipped test is null.")
    boolean json;

    @Option(names = {"-nr", "--no-repack"}, description = "Keep every weight in the mapped file instead of copying "
            + "Q4_0, Q8_0, Q4_K and Q6_K matrices into the faster row-interleaved layout at load.")
    boolean noRepack;

    @Override
    public Integer call() throws Exception {
        if (promptTokens < 0) throw new AmadeusException("-p must be 0 or more, got " + promptTokens);
        if (genTokens < 0) throw new AmadeusException("-n must be 0 or more, got " + genTokens);
        if (promptTokens == 0 && genTokens == 0) throw new AmadeusException("nothing to measure: -p and -n are both 0");
        if (repetitions < 1) throw new AmadeusException("-r must be at least 1, got " + repetitions);
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads <= 0) throw new AmadeusException("--threads must be positive, got " + nThreads);
        if (!Files.isRegularFile(model)) throw new AmadeusException(model + ": no such file");

        PrintStream err = System.err;
        BenchmarkResult r = Benchmark.run(new Benchmark.Options(model, promptTokens, genTokens, repetitions, nThreads, seed, !noRepack),
                line -> {
                    err.println("amadeus: " + line);
                    err.flush();
                });
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(toJson(r)));
        } else {
            printTable(out, r);
        }
        out.flush();
        return 0;
    }

    private String description(BenchmarkResult r) {
        return r.architecture() + " " + r.mainType();
    }

    private void printTable(PrintStream out, BenchmarkResult r) {
        String[] header = {"model", "size", "params", "threads", "test", "t/s", "median", "min", "max"};
        boolean[] right = {false, true, true, true, true, true, true, true, true};
        List<String[]> rows = new ArrayList<>();
        addRow(rows, r, "pp", r.promptProcessing());
        addRow(rows, r, "tg", r.generation());
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = Math.max(header[i].length(), i == 0 ? 5 : 7);
            for (String[] row : rows) width[i] = Math.max(width[i], row[i].length());
        }
        out.println(line(header, width, right));
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < header.length; i++) {
            rule.append(' ').append("-".repeat(width[i] - (right[i] ? 1 : 0))).append(right[i] ? ":" : "").append(" |");
        }
        out.println(rule);
        for (String[] row : rows) out.println(line(row, width, right));
        out.println();
        out.printf("load: %.3f s; first token (1-token prompt, cold): %.3f s; peak RSS: %s%n",
                r.loadNanos() / 1e9, r.firstTokenNanos() / 1e9,
                r.peakRssBytes().isPresent() ? Format.bytes(r.peakRssBytes().getAsLong()) : "unavailable");
        StringBuilder mix = new StringBuilder();
        for (BenchmarkResult.TypeShare t : r.types()) {
            if (!mix.isEmpty()) mix.append(", ");
            mix.append(String.format("%s %d tensors (%.1f%%)", t.type(), t.tensors(), 100.0 * t.bytes() / Math.max(1, r.modelBytes())));
        }
        out.printf("file: %s, %s; types: %s%n", model.getFileName(), Format.bytes(r.fileSize()), mix);
    }

    private void addRow(List<String[]> rows, BenchmarkResult r, String kind, Throughput t) {
        if (t == null) return;
        rows.add(new String[]{description(r), modelSize(r.modelBytes()), params(r.parameters()), String.valueOf(r.threads()),
                kind + t.tokens(), String.format("%.2f ± %.2f", t.mean(), t.stddev()), String.format("%.2f", t.median()),
                String.format("%.2f", t.min()), String.format("%.2f", t.max())});
    }

    private static String line(String[] cells, int[] width, boolean[] right) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            String format = right[i] ? "%" + width[i] + "s" : "%-" + width[i] + "s";
            b.append(' ').append(String.format(format, cells[i])).append(" |");
        }
        return b.toString();
    }

    /** As llama-bench prints the tensors' bytes: MiB below a GiB, GiB above. */
    private static String modelSize(long bytes) {
        return bytes < 1L << 30 ? String.format("%.2f MiB", bytes / 1048576.0) : String.format("%.2f GiB", bytes / 1073741824.0);
    }

    /** As llama-bench prints the parameter count: millions below a billion, billions above. */
    private static String params(long n) {
        return n < 1_000_000_000L ? String.format("%.2f M", n / 1e6) : String.format("%.2f B", n / 1e9);
    }

    private ObjectNode toJson(BenchmarkResult r) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("model", model.toString());
        o.put("model_type", description(r));
        o.put("file_size", r.fileSize());
        o.put("model_size", r.modelBytes());
        o.put("model_n_params", r.parameters());
        ObjectNode types = o.putObject("types");
        for (BenchmarkResult.TypeShare t : r.types()) {
            types.putObject(t.type()).put("tensors", t.tensors()).put("bytes", t.bytes());
        }
        o.put("threads", r.threads());
        o.put("repetitions", r.repetitions());
        o.put("seed", seed);
        o.put("load_seconds", r.loadNanos() / 1e9);
        o.put("ttft_seconds", r.firstTokenNanos() / 1e9);
        o.set("pp", throughput(m, r.promptProcessing()));
        o.set("tg", throughput(m, r.generation()));
        if (r.peakRssBytes().isPresent()) o.put("rss_bytes", r.peakRssBytes().getAsLong());
        else o.putNull("rss_bytes");
        return o;
    }

    private static com.fasterxml.jackson.databind.JsonNode throughput(ObjectMapper m, Throughput t) {
        if (t == null) return m.nullNode();
        ObjectNode o = m.createObjectNode();
        o.put("tokens", t.tokens());
        o.put("mean", t.mean());
        o.put("stddev", t.stddev());
        o.put("median", t.median());
        o.put("min", t.min());
        o.put("max", t.max());
        ArrayNode samples = o.putArray("samples");
        for (double s : t.samples()) samples.add(s);
        ArrayNode nanos = o.putArray("samples_ns");
        for (long s : t.samplesNanos()) nanos.add(s);
        return o;
    }
}
