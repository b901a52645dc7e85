package dev.amadeus.cli;

import dev.amadeus.AmadeusException;
import dev.amadeus.chat.ChatSession;
import dev.amadeus.chat.ChatTemplate;
import dev.amadeus.chat.ChatTemplates;
import dev.amadeus.cli.chat.ChatInput;
import dev.amadeus.cli.chat.ChatRepl;
import dev.amadeus.cli.chat.StreamInput;
import dev.amadeus.cli.chat.TerminalInput;
import dev.amadeus.model.KVCache;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.tensor.ThreadPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code amadeus chat}: a conversation in the terminal. Without a terminal on stdin, each input line is a user
 * turn and only the answers go to stdout, which makes the command scriptable.
 */
@Command(name = "chat", description = "Chat with a model: line editing and history at a terminal, one user turn per line from a pipe. "
        + "Answers go to stdout; notices and statistics to stderr.")
final class ChatCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
    String system;

    @Option(names = "--system-file", paramLabel = "FILE", description = "Read the system prompt from a file.")
    Path systemFile;

    @Option(names = "--chat-template", paramLabel = "NAME|FILE",
            description = "Chat template: a built-in name or a Jinja file (default: the model's own, else ChatML).")
    String chatTemplate;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "-1", paramLabel = "N",
            description = "Most tokens per answer; -1 = until end of generation or a full context (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "Context size in tokens (default: 4096 or the model's trained context if smaller).")
    Integer contextSize;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Mixin
    SamplingOptions samplingOptions = new SamplingOptions();

    @Override
    public Integer call() throws IOException {
        String systemPrompt = systemPrompt();
        if (maxTokens < -1) throw new AmadeusException("-n must be -1 or more, got " + maxTokens);
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads <= 0) throw new AmadeusException("--threads must be positive, got " + nThreads);
        var sampling = samplingOptions.toParams();
        PrintStream err = System.err;
        long loadStart = System.nanoTime();
        try (Model m = Model.load(model); ThreadPool pool = new ThreadPool(nThreads)) {
            int ctx = contextSize != null ? contextSize : Math.min(4096, m.config().trainedContextLength());
            if (ctx <= 0) throw new AmadeusException("--ctx-size must be positive, got " + ctx);
            ChatTemplate template = ChatTemplates.resolve(m, chatTemplate);
            Transformer transformer = new Transformer(m.config(), m.weights(), pool);
            ChatSession session = new ChatSession(transformer, m.tokenizer(), new KVCache(m.config(), ctx), template,
                    sampling, maxTokens);
            session.setSystem(systemPrompt);
            err.printf("amadeus: loaded %s (%s) in %.2f s; context %d, %d threads%n", model.getFileName(),
                    m.config().architecture().ggufName, (System.nanoTime() - loadStart) / 1e9, ctx, nThreads);
            PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
            try (ChatInput input = stdinIsTerminal() ? new TerminalInput() : new StreamInput(System.in)) {
                return new ChatRepl(session, input, out, err).run();
            }
        }
    }

    private String systemPrompt() throws IOException {
        if (system != null && systemFile != null) throw new AmadeusException("give either --system or --system-file, not both");
        if (systemFile != null) {
            if (!Files.isRegularFile(systemFile)) throw new AmadeusException(systemFile + ": no such file (--system-file)");
            return Files.readString(systemFile, StandardCharsets.UTF_8);
        }
        return system;
    }

    private static boolean stdinIsTerminal() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
