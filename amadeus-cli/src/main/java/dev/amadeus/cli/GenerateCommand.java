package dev.amadeus.cli;

import dev.amadeus.AmadeusException;
import dev.amadeus.chat.ChatMessage;
import dev.amadeus.chat.ChatTemplates;
import dev.amadeus.generate.GenerationParams;
import dev.amadeus.generate.GenerationResult;
import dev.amadeus.generate.Generator;
import dev.amadeus.generate.TokenHealing;
import dev.amadeus.model.KVCache;
import dev.amadeus.model.KVCacheType;
import dev.amadeus.model.MemoryPlan;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.sampling.Sampler;
import dev.amadeus.sampling.SamplingParams;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code amadeus generate}: continues a prompt, writing only the generated text to stdout as it comes. */
@Command(name = "generate", description = "Generate text from a prompt. Only the generated text goes to stdout; stats go to stderr.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    RopeFlags rope;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "Prompt text ('' starts from BOS alone).")
    String prompt;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the prompt from a file.")
    Path promptFile;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "128", paramLabel = "N",
            description = "Tokens to generate; -1 = until end of generation or a full context (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "Context size in tokens (default: 4096 or the model's trained context if smaller).")
    Integer contextSize;

    @Option(names = {"-ctk", "--cache-type-k"}, paramLabel = "TYPE", defaultValue = "f16",
            description = "KV cache type of keys: f32, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String cacheTypeK;

    @Option(names = {"-ctv", "--cache-type-v"}, paramLabel = "TYPE", defaultValue = "f16",
            description = "KV cache type of values: f32, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String cacheTypeV;

    @Option(names = "--context-shift", description = "When the context is full, drop half of it after the first --keep tokens and go on.")
    boolean contextShift;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "0",
            description = "Prompt tokens a context shift keeps, besides BOS; -1 = the whole prompt (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = {"-nr", "--no-repack"}, description = "Keep every weight in the mapped file instead of copying "
            + "Q4_0, Q8_0, Q4_K and Q6_K matrices into the faster row-interleaved layout at load.")
    boolean noRepack;

    @Mixin
    SamplingOptions samplingOptions = new SamplingOptions();

    @Option(names = {"-r", "--reverse-prompt", "--stop"}, paramLabel = "TEXT", description = "Stop when the output contains TEXT (repeatable).")
    List<String> stops = new ArrayList<>();

    @Option(names = "--ignore-eos", description = "Keep generating past end-of-generation tokens.")
    boolean ignoreEos;

    @Option(names = "--no-bos", description = "Do not add the BOS token even if the model asks for it.")
    boolean noBos;

    @Option(names = "--token-healing", arity = "0..1", fallbackValue = "1", defaultValue = "0", paramLabel = "K|d",
            description = "Take the prompt's last K tokens off (K = 1 without a value; d = as many as one token could "
                    + "still spell) and make the output start by regenerating their text, constrained by prefix; the "
                    + "output then begins with that text.")
    String tokenHealing;

    @Option(names = "--special", description = "Parse special-token text (like <|im_start|>) in the prompt.")
    boolean parseSpecial;

    @Option(names = "--chat", description = "Send the prompt as one user turn through the chat template, opening the assistant's reply.")
    boolean chat;

    @Option(names = "--chat-template", paramLabel = "NAME|FILE",
            description = "Chat template for --chat: a built-in (airoboros, alpaca, chatml, llama2, llama3, mistral, vicuna, zephyr) or a Jinja file (default: the model's own, else chatml).")
    String chatTemplate;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt (persona) for --chat.")
    String system;

    @Option(names = "--system-file", paramLabel = "FILE", description = "Read the system prompt for --chat from a file.")
    Path systemFile;

    @Override
    public Integer call() throws IOException {
        String text = promptText();
        var ropeOptions = rope.toOptions();
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads <= 0) throw new AmadeusException("--threads must be positive, got " + nThreads);
        PrintStream err = System.err;
        long loadStart = System.nanoTime();
        try (Model m = Model.load(model, !noRepack); ThreadPool pool = new ThreadPool(nThreads)) {
            Tokenizer tokenizer = m.tokenizer();
            int ctx = contextSize != null ? contextSize : Math.min(4096, m.config().trainedContextLength());
            if (ctx <= 0) throw new AmadeusException("--ctx-size must be positive, got " + ctx);
            int[] promptTokens = chatMode() ? encodeChat(m, tokenizer, text) : encodePrompt(tokenizer, text);
            if (promptTokens.length > ctx) {
                throw new AmadeusException("the prompt has " + promptTokens.length + " tokens but the context holds only "
                        + ctx + " (raise it with -c)");
            }
            SamplingParams sampling = samplingParams();
            Transformer transformer = new Transformer(m.config(), m.weights(), pool, ropeOptions);
            KVCacheType typeK = KVCacheType.parse(cacheTypeK, "--cache-type-k"), typeV = KVCacheType.parse(cacheTypeV, "--cache-type-v");
            MemoryPlan plan = MemoryPlan.of(m.file(), m.config(), ctx, typeK, typeV, !noRepack);
            err.println("amadeus: " + plan.describe());
            plan.checkFits();
            GenerationParams params = new GenerationParams(maxTokens, stops, ignoreEos, tokensToHeal());
            if (contextShift) params = params.withContextShift(keptTokens(promptTokens, tokenizer));
            err.printf("amadeus: loaded %s (%s) in %.2f s; prompt %d tokens, context %d, %d threads%n",
                    model.getFileName(), m.config().architecture().ggufName, (System.nanoTime() - loadStart) / 1e9,
                    promptTokens.length, ctx, nThreads);
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
            GenerationResult r;
            try (KVCache cache = new KVCache(m.config(), ctx, typeK, typeV)) {
                r = new Generator(transformer, tokenizer, cache).generate(promptTokens,
                        new Sampler(sampling, m.config().vocabularySize()), params, piece -> {
                            out.print(piece);
                            out.flush();
                        });
            }
            out.println();
            out.flush();
            if (r.finishReason() == dev.amadeus.generate.FinishReason.CONTEXT_FULL) {
                err.printf("amadeus: the context of %d tokens is full; generation stopped (raise it with -c, or go on with --context-shift)%n", ctx);
            }
            err.printf("amadeus: prompt %d tokens in %.2f s (%.1f t/s); generated %d tokens in %.2f s (%.1f t/s); finished: %s%n",
                    r.promptTokens(), r.promptNanos() / 1e9, r.promptTokensPerSecond(), r.tokens().length,
                    r.generationNanos() / 1e9, r.generatedTokensPerSecond(), r.finishReason().name().toLowerCase());
            if (r.contextShifts() > 0) err.printf("amadeus: the full context was shifted %d times%n", r.contextShifts());
        }
        return 0;
    }

    /** llama.cpp's n_keep: the given number of prompt tokens plus BOS, or the whole prompt for -1. */
    private int keptTokens(int[] promptTokens, Tokenizer tokenizer) {
        if (keep < -1) throw new AmadeusException("--keep must be -1 or more, got " + keep);
        boolean bos = promptTokens.length > 0 && promptTokens[0] == tokenizer.vocabulary().bos();
        int n = keep == -1 ? promptTokens.length : Math.min(promptTokens.length, keep + (bos ? 1 : 0));
        return n;
    }

    private String promptText() throws IOException {
        if (prompt != null && promptFile != null) throw new AmadeusException("give either -p or -f, not both");
        if (promptFile != null) {
            if (!Files.isRegularFile(promptFile)) throw new AmadeusException(promptFile + ": no such file (-f)");
            return Files.readString(promptFile, StandardCharsets.UTF_8);
        }
        return prompt == null ? "" : prompt;
    }

    private int[] encodePrompt(Tokenizer tokenizer, String text) {
        boolean addBos = tokenizer.vocabulary().addBos() && !noBos;
        int[] tokens = tokenizer.encode(text, false, parseSpecial);
        if (addBos || tokens.length == 0) {
            int bos = tokenizer.vocabulary().bos();
            if (bos < 0) {
                if (tokens.length == 0) throw new AmadeusException("the prompt is empty and the model has no BOS token to start from");
                return tokens;
            }
            int[] withBos = new int[tokens.length + 1];
            withBos[0] = bos;
            System.arraycopy(tokens, 0, withBos, 1, tokens.length);
            return withBos;
        }
        return tokens;
    }

    private boolean chatMode() {
        if (!chat && (chatTemplate != null || system != null || systemFile != null)) {
            throw new AmadeusException("--chat-template, --system and --system-file apply to chat prompts: add --chat");
        }
        return chat;
    }

    /**
     * The prompt as a chat: system prompt and user turn rendered by the template, special tokens in the result
     * parsed (the template writes them as text), BOS added as the model asks unless the template wrote it.
     */
    private int[] encodeChat(Model m, Tokenizer tokenizer, String userText) throws IOException {
        List<ChatMessage> messages = new ArrayList<>();
        String systemText = systemText();
        if (systemText != null) messages.add(ChatMessage.system(systemText));
        messages.add(ChatMessage.user(userText));
        String rendered = ChatTemplates.resolve(m, chatTemplate).render(messages, true);
        int[] tokens = tokenizer.encode(rendered, false, true);
        int bos = tokenizer.vocabulary().bos();
        boolean startsWithBos = tokens.length > 0 && tokens[0] == bos;
        if (!tokenizer.vocabulary().addBos() || noBos || bos < 0 || startsWithBos) {
            if (tokens.length == 0) throw new AmadeusException("the chat template rendered an empty prompt");
            return tokens;
        }
        int[] withBos = new int[tokens.length + 1];
        withBos[0] = bos;
        System.arraycopy(tokens, 0, withBos, 1, tokens.length);
        return withBos;
    }

    private String systemText() throws IOException {
        if (system != null && systemFile != null) throw new AmadeusException("give either --system or --system-file, not both");
        if (systemFile != null) {
            if (!Files.isRegularFile(systemFile)) throw new AmadeusException(systemFile + ": no such file (--system-file)");
            return Files.readString(systemFile, StandardCharsets.UTF_8);
        }
        return system;
    }

    private SamplingParams samplingParams() {
        if (maxTokens < -1) throw new AmadeusException("-n must be -1 or more, got " + maxTokens);
        tokensToHeal();
        return samplingOptions.toParams();
    }

    private int tokensToHeal() {
        if (tokenHealing.equals("d")) return TokenHealing.DYNAMIC;
        try {
            int k = Integer.parseInt(tokenHealing);
            if (k >= 0) return k;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AmadeusException("--token-healing takes a token count (0 or more) or d, got '" + tokenHealing + "'");
    }
}
