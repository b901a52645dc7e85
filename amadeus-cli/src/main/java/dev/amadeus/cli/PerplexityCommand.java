package dev.amadeus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amadeus.AmadeusException;
import dev.amadeus.eval.Perplexity;
import dev.amadeus.eval.PerplexitySweep;
import dev.amadeus.eval.plot.PerplexityChart;
import dev.amadeus.model.Model;
import dev.amadeus.tensor.ThreadPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code amadeus perplexity}: llama-perplexity's measure for every scaling method × context length, from
 * one model load. A table (or JSON lines) on stdout, a progress bar on stderr, optionally a PNG plot.
 */
@Command(name = "perplexity", description =
        "Perplexity of a text as llama-perplexity computes it: non-overlapping chunks of CTX tokens, BOS first in each "
        + "when the model adds BOS, the second half of each chunk scored. One run sweeps RoPE scaling methods x context "
        + "lengths; contexts beyond the model's trained context are allowed.")
final class PerplexityCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "TEXT", description = "UTF-8 text file to evaluate.")
    Path textFile;

    @Option(names = {"-c", "--ctx-size"}, required = true, split = ",", paramLabel = "CTX", description = "Context lengths, comma-separated.")
    List<Integer> contexts;

    @Option(names = "--rope-scaling", split = ",", defaultValue = "none", paramLabel = "M",
            description = "RoPE scaling methods, comma-separated: none, linear, ntk, dynamic-ntk, ntk-by-parts, ntk-by-parts-yarn, yarn, llama3, longrope; "
                    + "each stretches the trained context to CTX (factor max(1, CTX / trained context)); METHOD:F fixes the factor (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--chunks", defaultValue = "0", paramLabel = "N", description = "Evaluate at most N chunks per context; 0 = all (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--yarn-orig-ctx", defaultValue = "0", paramLabel = "N",
            description = "The context the model was trained on, which the scaling methods stretch from; 0 = the file's context_length (default: ${DEFAULT-VALUE}).")
    int originalContext;

    @Option(names = "--json", description = "Write one JSON object per (method, context) line instead of the table.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw perplexity against context length, one line per method, to this PNG file.")
    Path plot;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        for (int ctx : contexts) {
            if (ctx < Perplexity.MIN_CONTEXT) throw new AmadeusException("-c must be at least " + Perplexity.MIN_CONTEXT + ", got " + ctx);
        }
        if (chunks < 0) throw new AmadeusException("--chunks must be 0 or more, got " + chunks);
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads <= 0) throw new AmadeusException("--threads must be positive, got " + nThreads);
        if (!Files.isRegularFile(model)) throw new AmadeusException(model + ": no such file");
        String text = readText(textFile);
        if (plot != null && (plot.toAbsolutePath().getParent() == null || !Files.isDirectory(plot.toAbsolutePath().getParent()))) {
            throw new AmadeusException(plot + ": the directory does not exist");
        }

        PrintStream err = System.err;
        List<PerplexitySweep.Outcome> outcomes;
        try (Model m = Model.load(model); ThreadPool pool = new ThreadPool(nThreads)) {
            // Methods and contexts first, so that what the sweep then refuses is the text.
            for (String method : methods) ScalingMethods.factory(originalContext).create(method, m, contexts.getFirst());
            PerplexitySweep sweep;
            try {
                sweep = new PerplexitySweep(m, ScalingMethods.factory(originalContext), methods, contexts, text, chunks);
            } catch (AmadeusException e) {
                throw new AmadeusException(textFile + ": " + e.getMessage());
            }
            long total = sweep.points().stream().mapToLong(PerplexitySweep.Point::work).sum();
            ProgressBar bar = new ProgressBar(err, total);
            long[] finished = {0};
            outcomes = sweep.run(pool, (point, done) -> {
                long now = finished[0] + (long) done * point.contextLength();
                bar.update(now, point.method() + " ctx " + point.contextLength() + " chunk " + done + "/" + point.chunks());
                if (done == point.chunks()) {
                    finished[0] += point.work();
                    bar.endStep();
                }
            });
            bar.finish();
        }

        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            for (PerplexitySweep.Outcome o : outcomes) out.println(mapper.writeValueAsString(toJson(mapper, o)));
        } else {
            TextTable table = new TextTable(new String[]{"method", "ctx", "ppl ± stderr", "tokens scored", "chunks"},
                    new boolean[]{false, true, true, true, true});
            for (PerplexitySweep.Outcome o : outcomes) {
                table.add(o.point().method(), String.valueOf(o.point().contextLength()),
                        String.format(Locale.ROOT, "%.4f ± %.5f", o.result().perplexity(), o.result().standardError()),
                        String.valueOf(o.result().tokensScored()), String.valueOf(o.result().chunks()));
            }
            table.print(out);
        }
        out.flush();
        if (plot != null) {
            PerplexityChart.write(outcomes, "Perplexity of " + model.getFileName() + " on " + textFile.getFileName(), plot);
            err.println("amadeus: plot written to " + plot);
        }
        return 0;
    }

    private static ObjectNode toJson(ObjectMapper mapper, PerplexitySweep.Outcome o) {
        ObjectNode n = mapper.createObjectNode();
        n.put("method", o.point().method());
        n.put("ctx", o.point().contextLength());
        n.put("ppl", o.result().perplexity());
        if (Double.isNaN(o.result().standardError())) n.putNull("stderr");
        else n.put("stderr", o.result().standardError());
        n.put("tokens_scored", o.result().tokensScored());
        n.put("chunks", o.result().chunks());
        return n;
    }

    static String readText(Path file) {
        if (!Files.isRegularFile(file)) throw new AmadeusException(file + ": no such file");
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new AmadeusException(file + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw new AmadeusException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
