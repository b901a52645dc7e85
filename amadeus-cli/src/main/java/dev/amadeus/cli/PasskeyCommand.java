package dev.amadeus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amadeus.AmadeusException;
import dev.amadeus.eval.GreedyAnswerer;
import dev.amadeus.eval.Passkey;
import dev.amadeus.eval.RopeScalingFactory;
import dev.amadeus.eval.plot.PasskeyHeatmap;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.tensor.ThreadPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code amadeus passkey}: passkey retrieval accuracy per prompt length × key depth. A table (or JSON
 * lines) on stdout, a progress bar on stderr, optionally a heatmap PNG.
 */
@Command(name = "passkey", description =
        "Passkey retrieval: a random 5-digit key hidden at a depth in filler text, asked for at the end; the greedy "
        + "answer is correct when its first number is the key. Accuracy per prompt length (tokens) x depth.")
final class PasskeyCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = "--lengths", split = ",", defaultValue = "256,512,1024,2048", paramLabel = "N",
            description = "Prompt lengths in tokens, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> lengths;

    @Option(names = "--depths", split = ",", defaultValue = "0,0.25,0.5,0.75,1", paramLabel = "D",
            description = "Key depths, fractions of the filler before the key, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Double> depths;

    @Option(names = "--trials", defaultValue = "5", paramLabel = "N", description = "Prompts per length and depth (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = {"-s", "--seed"}, defaultValue = "1234", paramLabel = "S", description = "Seed of the keys (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rope-scaling", defaultValue = "none", paramLabel = "M",
            description = "RoPE scaling method: none, linear, ntk, dynamic-ntk, ntk-by-parts, ntk-by-parts-yarn, yarn, llama3, longrope, sized "
                    + "for each length (factor max(1, length / trained context)); METHOD:F fixes the factor (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--yarn-orig-ctx", defaultValue = "0", paramLabel = "N",
            description = "The context the model was trained on, which the scaling methods stretch from; 0 = the file's context_length (default: ${DEFAULT-VALUE}).")
    int originalContext;

    @Option(names = "--json", description = "Write one JSON object per (length, depth) line instead of the table.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the accuracy heatmap to this PNG file.")
    Path plot;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads <= 0) throw new AmadeusException("--threads must be positive, got " + nThreads);
        for (int length : lengths) if (length < 1) throw new AmadeusException("--lengths must be positive, got " + length);
        if (!Files.isRegularFile(model)) throw new AmadeusException(model + ": no such file");
        if (plot != null && (plot.toAbsolutePath().getParent() == null || !Files.isDirectory(plot.toAbsolutePath().getParent()))) {
            throw new AmadeusException(plot + ": the directory does not exist");
        }

        PrintStream err = System.err;
        List<Passkey.Cell> cells;
        try (Model m = Model.load(model); ThreadPool pool = new ThreadPool(nThreads)) {
            RopeScalingFactory scalings = ScalingMethods.factory(originalContext);
            scalings.create(method, m, lengths.getFirst()); // an unknown method fails before any work
            Passkey passkey = new Passkey(m.tokenizer());
            ProgressBar bar = new ProgressBar(err, (long) lengths.size() * depths.size() * trials);
            cells = passkey.run(lengths, depths, trials, seed, length -> {
                // The run holds the prompt and the answer: the scaling is chosen for that many positions.
                int positions = length + Passkey.ANSWER_TOKENS;
                Transformer t = new Transformer(m.config(), m.weights(), pool, scalings.create(method, m, positions));
                return new GreedyAnswerer(t, m.tokenizer().vocabulary());
            }, (trial, done, total) -> {
                bar.update(done, "length " + trial.length() + " depth " + trial.depth() + " trial " + done + "/" + total);
                if (done % (depths.size() * trials) == 0) bar.endStep(); // a length is done
            });
            bar.finish();
        }

        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            for (Passkey.Cell c : cells) {
                ObjectNode n = mapper.createObjectNode();
                n.put("method", method);
                n.put("length", c.length());
                n.put("depth", c.depth());
                n.put("trials", c.trials());
                n.put("correct", c.correct());
                n.put("accuracy", c.accuracy());
                out.println(mapper.writeValueAsString(n));
            }
        } else {
            printGrid(out, cells);
        }
        out.flush();
        if (plot != null) {
            PasskeyHeatmap.write(cells, "Passkey accuracy of " + model.getFileName() + " (" + method + ", " + trials + " trials)", plot);
            err.println("amadeus: plot written to " + plot);
        }
        return 0;
    }

    /** Lengths down, depths across, accuracy in each cell. */
    private void printGrid(PrintStream out, List<Passkey.Cell> cells) {
        String[] header = new String[depths.size() + 1];
        boolean[] right = new boolean[header.length];
        header[0] = "length \\ depth";
        for (int i = 0; i < depths.size(); i++) {
            header[i + 1] = String.format(Locale.ROOT, "%.0f%%", 100 * depths.get(i));
            right[i + 1] = true;
        }
        TextTable table = new TextTable(header, right);
        int i = 0;
        for (int length : lengths) {
            String[] row = new String[header.length];
            row[0] = String.valueOf(length);
            for (int d = 0; d < depths.size(); d++) {
                Passkey.Cell c = cells.get(i++);
                row[d + 1] = String.format(Locale.ROOT, "%.2f (%d/%d)", c.accuracy(), c.correct(), c.trials());
            }
            table.add(row);
        }
        table.print(out);
    }
}
