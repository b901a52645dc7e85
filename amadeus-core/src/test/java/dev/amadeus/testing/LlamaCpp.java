package dev.amadeus.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * llama.cpp (tag b4916, from the {@code de.kherud:llama} test dependency) as a reference implementation,
 * called through the FFM API. The native library is extracted from the classpath once per JVM; its
 * logging is silenced. One instance holds one model and one context (a single sequence); its methods
 * are synchronized because a llama.cpp context must not be used from two threads at once.
 *
 * <p>The JVM needs {@code --enable-native-access=ALL-UNNAMED} (the build passes it to the tests).
 */
public final class LlamaCpp implements AutoCloseable {

    /**
     * Context settings. Fields documented as "from file" take the model's metadata when left at their
     * sentinel value, as in llama.cpp's own {@code llama_context_default_params}.
     *
     * @param contextSize     KV cache size in tokens; also used as n_batch and n_ubatch so that one
     *                        {@link #logits} call is normally one batch
     * @param threads         threads for both single-token and batch evaluation
     * @param ropeScalingType -1 from file, 0 none, 1 linear, 2 YaRN, 3 LongRoPE
     * @param ropeFreqBase    0 = from file
     * @param ropeFreqScale   0 = from file
     * @param yarnExtFactor   -1 = from file / llama.cpp's choice
     * @param yarnAttnFactor  llama.cpp default 1
     * @param yarnBetaFast    llama.cpp default 32
     * @param yarnBetaSlow    llama.cpp default 1
     * @param yarnOrigCtx     0 = from file
     * @param typeK           ggml type id of the K cache (1 = F16, the default; 0 = F32)
     * @param typeV           ggml type id of the V cache
     */
    public record Options(int contextSize, int threads, int ropeScalingType, float ropeFreqBase,
                          float ropeFreqScale, float yarnExtFactor, float yarnAttnFactor, float yarnBetaFast,
                          float yarnBetaSlow, int yarnOrigCtx, int typeK, int typeV) {

        public Options {
            if (contextSize <= 0) throw new IllegalArgumentException("contextSize must be positive: " + contextSize);
            if (threads <= 0) throw new IllegalArgumentException("threads must be positive: " + threads);
        }

        /** Two threads, F16 KV cache, every RoPE setting taken from the file. */
        public static Options defaults(int contextSize) {
            return new Options(contextSize, 2, -1, 0f, 0f, -1f, 1f, 32f, 1f, 0, GGML_TYPE_F16, GGML_TYPE_F16);
        }

        public Options withThreads(int n) {
            return new Options(contextSize, n, ropeScalingType, ropeFreqBase, ropeFreqScale, yarnExtFactor,
                    yarnAttnFactor, yarnBetaFast, yarnBetaSlow, yarnOrigCtx, typeK, typeV);
        }

        /** RoPE scaling type, frequency base and scale (use -1 / 0 / 0 for "from file"). */
        public Options withRope(int scalingType, float freqBase, float freqScale) {
            return new Options(contextSize, threads, scalingType, freqBase, freqScale, yarnExtFactor,
                    yarnAttnFactor, yarnBetaFast, yarnBetaSlow, yarnOrigCtx, typeK, typeV);
        }

        public Options withYarn(float extFactor, float attnFactor, float betaFast, float betaSlow, int origCtx) {
            return new Options(contextSize, threads, ropeScalingType, ropeFreqBase, ropeFreqScale, extFactor,
                    attnFactor, betaFast, betaSlow, origCtx, typeK, typeV);
        }

        public Options withCacheTypes(int k, int v) {
            return new Options(contextSize, threads, ropeScalingType, ropeFreqBase, ropeFreqScale, yarnExtFactor,
                    yarnAttnFactor, yarnBetaFast, yarnBetaSlow, yarnOrigCtx, k, v);
        }
    }

    public static final int GGML_TYPE_F32 = 0;
    public static final int GGML_TYPE_F16 = 1;

    private final MemorySegment model;
    private final MemorySegment ctx;
    private final MemorySegment vocab;
    private final int nVocab;
    private final int nBatch;
    private boolean closed;

    private LlamaCpp(MemorySegment model, MemorySegment ctx) {
        this.model = model;
        this.ctx = ctx;
        this.vocab = call(() -> (MemorySegment) Native.MODEL_GET_VOCAB.invokeExact(model));
        this.nVocab = call(() -> (int) Native.VOCAB_N_TOKENS.invokeExact(vocab));
        this.nBatch = ctx.address() == 0 ? 0 : call(() -> (int) Native.N_BATCH.invokeExact(ctx));
    }

    /** Loads only the vocabulary of a GGUF file (no weights, no context): tokenizer and detokenizer calls only. */
    public static LlamaCpp loadVocabulary(Path gguf) {
        Native.init();
        if (!Files.isRegularFile(gguf)) throw new IllegalStateException("model file not found: " + gguf);
        checkMagic(gguf);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mparams = (MemorySegment) Native.MODEL_DEFAULT_PARAMS.invokeExact((java.lang.foreign.SegmentAllocator) arena);
            mparams.set(JAVA_BYTE, Native.MP_VOCAB_ONLY, (byte) 1);
            MemorySegment model = (MemorySegment) Native.MODEL_LOAD_FROM_FILE.invokeExact(arena.allocateFrom(gguf.toAbsolutePath().toString()), mparams);
            if (model.address() == 0) throw new IllegalStateException("llama.cpp could not load the vocabulary of " + gguf);
            return new LlamaCpp(model, MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama.cpp call failed", t);
        }
    }

    /** Loads a GGUF model (on the CPU, memory-mapped) and creates a context with {@code options}. */
    public static LlamaCpp load(Path gguf, Options options) {
        Native.init();
        if (!Files.isRegularFile(gguf)) throw new IllegalStateException("model file not found: " + gguf);
        checkMagic(gguf);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mparams = (MemorySegment) Native.MODEL_DEFAULT_PARAMS.invokeExact((java.lang.foreign.SegmentAllocator) arena);
            MemorySegment path = arena.allocateFrom(gguf.toAbsolutePath().toString());
            MemorySegment model = (MemorySegment) Native.MODEL_LOAD_FROM_FILE.invokeExact(path, mparams);
            if (model.address() == 0) {
                throw new IllegalStateException("llama.cpp could not load the model " + gguf);
            }
            MemorySegment cparams = (MemorySegment) Native.CONTEXT_DEFAULT_PARAMS.invokeExact((java.lang.foreign.SegmentAllocator) arena);
            int n = options.contextSize();
            cparams.set(JAVA_INT, Native.CP_N_CTX, n);
            cparams.set(JAVA_INT, Native.CP_N_BATCH, n);
            cparams.set(JAVA_INT, Native.CP_N_UBATCH, n);
            cparams.set(JAVA_INT, Native.CP_N_SEQ_MAX, 1);
            cparams.set(JAVA_INT, Native.CP_N_THREADS, options.threads());
            cparams.set(JAVA_INT, Native.CP_N_THREADS_BATCH, options.threads());
            cparams.set(JAVA_INT, Native.CP_ROPE_SCALING_TYPE, options.ropeScalingType());
            cparams.set(JAVA_FLOAT, Native.CP_ROPE_FREQ_BASE, options.ropeFreqBase());
            cparams.set(JAVA_FLOAT, Native.CP_ROPE_FREQ_SCALE, options.ropeFreqScale());
            cparams.set(JAVA_FLOAT, Native.CP_YARN_EXT_FACTOR, options.yarnExtFactor());
            cparams.set(JAVA_FLOAT, Native.CP_YARN_ATTN_FACTOR, options.yarnAttnFactor());
            cparams.set(JAVA_FLOAT, Native.CP_YARN_BETA_FAST, options.yarnBetaFast());
            cparams.set(JAVA_FLOAT, Native.CP_YARN_BETA_SLOW, options.yarnBetaSlow());
            cparams.set(JAVA_INT, Native.CP_YARN_ORIG_CTX, options.yarnOrigCtx());
            cparams.set(JAVA_INT, Native.CP_TYPE_K, options.typeK());
            cparams.set(JAVA_INT, Native.CP_TYPE_V, options.typeV());
            cparams.set(JAVA_BYTE, Native.CP_LOGITS_ALL, (byte) 0);
            cparams.set(JAVA_BYTE, Native.CP_EMBEDDINGS, (byte) 0);
            cparams.set(JAVA_BYTE, Native.CP_FLASH_ATTN, (byte) 0);
            cparams.set(JAVA_BYTE, Native.CP_NO_PERF, (byte) 1);
            MemorySegment ctx = (MemorySegment) Native.INIT_FROM_MODEL.invokeExact(model, cparams);
            if (ctx.address() == 0) {
                Native.MODEL_FREE.invokeExact(model);
                throw new IllegalStateException("llama.cpp could not create a context for " + gguf + " with " + options);
            }
            return new LlamaCpp(model, ctx);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama.cpp call failed", t);
        }
    }

    /** Rejects non-GGUF files before llama.cpp sees them (its GGUF parser reports errors straight to stderr). */
    private static void checkMagic(Path gguf) {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(gguf)) {
            if (in.readNBytes(head, 0, 4) != 4 || !"GGUF".equals(new String(head, StandardCharsets.ISO_8859_1))) {
                throw new IllegalStateException("llama.cpp could not load the model " + gguf + ": not a GGUF file");
            }
        } catch (IOException e) {
            throw new IllegalStateException("llama.cpp could not load the model " + gguf + ": " + e.getMessage(), e);
        }
    }

    /** Number of tokens in the model's vocabulary (= length of one logits row). */
    public int vocabSize() {
        return nVocab;
    }

    public synchronized int bos() {
        checkOpen();
        return call(() -> (int) Native.VOCAB_BOS.invokeExact(vocab));
    }

    public synchronized int eos() {
        checkOpen();
        return call(() -> (int) Native.VOCAB_EOS.invokeExact(vocab));
    }

    /** The context size llama.cpp actually allocated (it may round the requested size up). */
    public synchronized int contextSize() {
        checkOpen();
        return call(() -> (int) Native.N_CTX.invokeExact(ctx));
    }

    /** A string metadata value of the model ({@code null} when absent). */
    public synchronized String metadata(String key) {
        checkOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(key);
            MemorySegment buf = arena.allocate(4096);
            int n = (int) Native.MODEL_META_VAL_STR.invokeExact(model, k, buf, 4096L);
            if (n < 0) return null;
            return buf.getString(0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama_model_meta_val_str failed", t);
        }
    }

    /** llama.cpp's tokenizer: {@code addSpecial} adds BOS (and EOS if the model asks), {@code parseSpecial} recognises control-token text. */
    public synchronized int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        checkOpen();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(Math.max(1, utf8.length));
            MemorySegment.copy(utf8, 0, src, JAVA_BYTE, 0, utf8.length);
            int cap = utf8.length + 8;
            for (int attempt = 0; attempt < 2; attempt++) {
                MemorySegment out = arena.allocate(JAVA_INT, cap);
                int n = (int) Native.TOKENIZE.invokeExact(vocab, src, utf8.length, out, cap, addSpecial, parseSpecial);
                if (n >= 0) return out.asSlice(0, (long) n * Integer.BYTES).toArray(JAVA_INT);
                if (n == Integer.MIN_VALUE) throw new IllegalStateException("llama_tokenize: token count overflow");
                cap = -n;
            }
            throw new IllegalStateException("llama_tokenize: buffer size mismatch");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama_tokenize failed", t);
        }
    }

    /** The bytes of one token's text (UTF-8, possibly a partial character); {@code special} renders control tokens. */
    public synchronized byte[] tokenToPiece(int token, boolean special) {
        checkOpen();
        if (token < 0 || token >= nVocab) throw new IllegalArgumentException("token out of range: " + token);
        try (Arena arena = Arena.ofConfined()) {
            int cap = 64;
            for (int attempt = 0; attempt < 2; attempt++) {
                MemorySegment buf = arena.allocate(cap);
                int n = (int) Native.TOKEN_TO_PIECE.invokeExact(vocab, token, buf, cap, 0, special);
                if (n >= 0) return buf.asSlice(0, n).toArray(JAVA_BYTE);
                cap = -n;
            }
            throw new IllegalStateException("llama_token_to_piece: buffer size mismatch");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama_token_to_piece failed", t);
        }
    }

    /** Concatenated pieces of {@code tokens}, decoded as UTF-8 (malformed bytes replaced). */
    public String detokenize(int[] tokens, boolean special) {
        var out = new java.io.ByteArrayOutputStream();
        for (int t : tokens) out.writeBytes(tokenToPiece(t, special));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** llama.cpp's {@code llama_detokenize}: the text of {@code tokens} as bytes, with its special-token and space rules. */
    public synchronized byte[] detokenize(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        checkOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(JAVA_INT, tokens.length == 0 ? new int[]{0} : tokens);
            int cap = 64 + tokens.length * 64;
            for (int attempt = 0; attempt < 2; attempt++) {
                MemorySegment out = arena.allocate(cap);
                int n = (int) Native.DETOKENIZE.invokeExact(vocab, in, tokens.length, out, cap, removeSpecial, unparseSpecial);
                if (n >= 0) return out.asSlice(0, n).toArray(JAVA_BYTE);
                cap = -n;
            }
            throw new IllegalStateException("llama_detokenize: buffer size mismatch");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama_detokenize failed", t);
        }
    }

    /**
     * Clears the KV cache, evaluates {@code tokens} at positions 0..n-1 (in batches of n_batch, which
     * is the context size, so normally one batch) and returns the logits of every position, {@code [n][vocab]}.
     */
    public synchronized float[][] logits(int[] tokens) {
        checkOpen();
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens");
        checkTokens(tokens);
        clearCache();
        float[][] out = new float[tokens.length][];
        for (int start = 0; start < tokens.length; start += nBatch) {
            int len = Math.min(nBatch, tokens.length - start);
            decode(tokens, start, len, true);
            for (int i = 0; i < len; i++) out[start + i] = logitsAt(i);
        }
        return out;
    }

    /**
     * Clears the cache, evaluates {@code prompt} (non-empty), then generates {@code n} tokens one at a time,
     * each the argmax of the logits (lowest id on ties). End-of-sequence tokens are not treated specially.
     */
    public synchronized int[] greedy(int[] prompt, int n) {
        checkOpen();
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        if (n < 0) throw new IllegalArgumentException("negative count");
        checkTokens(prompt);
        clearCache();
        for (int start = 0; start < prompt.length; start += nBatch) {
            int len = Math.min(nBatch, prompt.length - start);
            decode(prompt, start, len, false);
        }
        int[] out = new int[n];
        int pos = prompt.length;
        for (int i = 0; i < n; i++) {
            int next = argmax(logitsAt(-1));
            out[i] = next;
            if (i + 1 < n) {
                decode(new int[]{next}, 0, 1, false, pos);
                pos++;
            }
        }
        return out;
    }

    /** Index of the largest value; the lowest index wins ties. */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (ctx.address() != 0) Native.FREE.invokeExact(ctx);
            Native.MODEL_FREE.invokeExact(model);
        } catch (Throwable t) {
            throw new IllegalStateException("llama.cpp free failed", t);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) throw new IllegalStateException("closed");
    }

    private void checkTokens(int[] tokens) {
        for (int t : tokens) if (t < 0 || t >= nVocab) throw new IllegalArgumentException("token out of range: " + t);
    }

    private void clearCache() {
        try {
            Native.KV_SELF_CLEAR.invokeExact(ctx);
        } catch (Throwable t) {
            throw new IllegalStateException("llama_kv_self_clear failed", t);
        }
    }

    private void decode(int[] tokens, int from, int len, boolean allLogits) {
        decode(tokens, from, len, allLogits, from);
    }

    /** Decodes tokens[from, from+len) at positions firstPos.., sequence 0; logits for all or only the last token. */
    private void decode(int[] tokens, int from, int len, boolean allLogits, int firstPos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment batch = (MemorySegment) Native.BATCH_INIT.invokeExact((java.lang.foreign.SegmentAllocator) arena, len, 0, 1);
            try {
                MemorySegment tok = batch.get(ADDRESS, Native.B_TOKEN).reinterpret((long) len * Integer.BYTES);
                MemorySegment pos = batch.get(ADDRESS, Native.B_POS).reinterpret((long) len * Integer.BYTES);
                MemorySegment nSeq = batch.get(ADDRESS, Native.B_N_SEQ_ID).reinterpret((long) len * Integer.BYTES);
                MemorySegment seqIds = batch.get(ADDRESS, Native.B_SEQ_ID).reinterpret((long) len * ADDRESS.byteSize());
                MemorySegment flags = batch.get(ADDRESS, Native.B_LOGITS).reinterpret(len);
                for (int i = 0; i < len; i++) {
                    tok.setAtIndex(JAVA_INT, i, tokens[from + i]);
                    pos.setAtIndex(JAVA_INT, i, firstPos + i);
                    nSeq.setAtIndex(JAVA_INT, i, 1);
                    seqIds.getAtIndex(ADDRESS, i).reinterpret(Integer.BYTES).set(JAVA_INT, 0, 0);
                    flags.set(JAVA_BYTE, i, (byte) (allLogits || i == len - 1 ? 1 : 0));
                }
                batch.set(JAVA_INT, Native.B_N_TOKENS, len);
                int rc = (int) Native.DECODE.invokeExact(ctx, batch);
                if (rc != 0) {
                    throw new IllegalStateException("llama_decode returned " + rc + " for " + len + " tokens at position " + firstPos
                            + (rc == 1 ? " (no KV cache slot: context too small?)" : ""));
                }
            } finally {
                Native.BATCH_FREE.invokeExact(batch);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama_decode failed", t);
        }
    }

    /** Logits of output i of the last batch (-1 = last). */
    private float[] logitsAt(int i) {
        try {
            MemorySegment p = (MemorySegment) Native.GET_LOGITS_ITH.invokeExact(ctx, i);
            if (p.address() == 0) throw new IllegalStateException("llama_get_logits_ith(" + i + ") returned NULL");
            return p.reinterpret((long) nVocab * Float.BYTES).toArray(JAVA_FLOAT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama_get_logits_ith failed", t);
        }
    }

    private interface NativeCall<T> {
        T run() throws Throwable;
    }

    private static <T> T call(NativeCall<T> c) {
        try {
            return c.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("llama.cpp call failed", t);
        }
    }

    /** Raw default parameter structs, read through the layouts (lets tests check the layouts against llama.cpp's defaults). */
    static final class Defaults {
        private Defaults() {
        }

        static int contextInt(long offset) {
            return read(true, s -> s.get(JAVA_INT, offset));
        }

        static float contextFloat(long offset) {
            return read(true, s -> s.get(JAVA_FLOAT, offset));
        }

        static byte contextByte(long offset) {
            return read(true, s -> s.get(JAVA_BYTE, offset));
        }

        static int modelInt(long offset) {
            return read(false, s -> s.get(JAVA_INT, offset));
        }

        static byte modelByte(long offset) {
            return read(false, s -> s.get(JAVA_BYTE, offset));
        }

        private static <T> T read(boolean context, java.util.function.Function<MemorySegment, T> f) {
            Native.init();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = context
                        ? (MemorySegment) Native.CONTEXT_DEFAULT_PARAMS.invokeExact((java.lang.foreign.SegmentAllocator) arena)
                        : (MemorySegment) Native.MODEL_DEFAULT_PARAMS.invokeExact((java.lang.foreign.SegmentAllocator) arena);
                return f.apply(s);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** Library loading, symbol handles and struct layouts (llama.cpp b4916, x86-64). */
    static final class Native {
        private Native() {
        }

        private static final String RESOURCE = "/de/kherud/llama/Linux/x86_64/libjllama.so";

        static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
                ADDRESS.withName("devices"),
                JAVA_INT.withName("n_gpu_layers"),
                JAVA_INT.withName("split_mode"),
                JAVA_INT.withName("main_gpu"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("tensor_split"),
                ADDRESS.withName("progress_callback"),
                ADDRESS.withName("progress_callback_user_data"),
                ADDRESS.withName("kv_overrides"),
                JAVA_BYTE.withName("vocab_only"),
                JAVA_BYTE.withName("use_mmap"),
                JAVA_BYTE.withName("use_mlock"),
                JAVA_BYTE.withName("check_tensors"),
                MemoryLayout.paddingLayout(4)).withName("llama_model_params");

        static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
                JAVA_INT.withName("n_ctx"),
                JAVA_INT.withName("n_batch"),
                JAVA_INT.withName("n_ubatch"),
                JAVA_INT.withName("n_seq_max"),
                JAVA_INT.withName("n_threads"),
                JAVA_INT.withName("n_threads_batch"),
                JAVA_INT.withName("rope_scaling_type"),
                JAVA_INT.withName("pooling_type"),
                JAVA_INT.withName("attention_type"),
                JAVA_FLOAT.withName("rope_freq_base"),
                JAVA_FLOAT.withName("rope_freq_scale"),
                JAVA_FLOAT.withName("yarn_ext_factor"),
                JAVA_FLOAT.withName("yarn_attn_factor"),
                JAVA_FLOAT.withName("yarn_beta_fast"),
                JAVA_FLOAT.withName("yarn_beta_slow"),
                JAVA_INT.withName("yarn_orig_ctx"),
                JAVA_FLOAT.withName("defrag_thold"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("cb_eval"),
                ADDRESS.withName("cb_eval_user_data"),
                JAVA_INT.withName("type_k"),
                JAVA_INT.withName("type_v"),
                JAVA_BYTE.withName("logits_all"),
                JAVA_BYTE.withName("embeddings"),
                JAVA_BYTE.withName("offload_kqv"),
                JAVA_BYTE.withName("flash_attn"),
                JAVA_BYTE.withName("no_perf"),
                MemoryLayout.paddingLayout(3),
                ADDRESS.withName("abort_callback"),
                ADDRESS.withName("abort_callback_data")).withName("llama_context_params");

        static final StructLayout BATCH = MemoryLayout.structLayout(
                JAVA_INT.withName("n_tokens"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("token"),
                ADDRESS.withName("embd"),
                ADDRESS.withName("pos"),
                ADDRESS.withName("n_seq_id"),
                ADDRESS.withName("seq_id"),
                ADDRESS.withName("logits")).withName("llama_batch");

        static final long MP_N_GPU_LAYERS = off(MODEL_PARAMS, "n_gpu_layers");
        static final long MP_SPLIT_MODE = off(MODEL_PARAMS, "split_mode");
        static final long MP_VOCAB_ONLY = off(MODEL_PARAMS, "vocab_only");
        static final long MP_USE_MMAP = off(MODEL_PARAMS, "use_mmap");
        static final long MP_USE_MLOCK = off(MODEL_PARAMS, "use_mlock");
        static final long MP_CHECK_TENSORS = off(MODEL_PARAMS, "check_tensors");

        static final long CP_N_CTX = off(CONTEXT_PARAMS, "n_ctx");
        static final long CP_N_BATCH = off(CONTEXT_PARAMS, "n_batch");
        static final long CP_N_UBATCH = off(CONTEXT_PARAMS, "n_ubatch");
        static final long CP_N_SEQ_MAX = off(CONTEXT_PARAMS, "n_seq_max");
        static final long CP_N_THREADS = off(CONTEXT_PARAMS, "n_threads");
        static final long CP_N_THREADS_BATCH = off(CONTEXT_PARAMS, "n_threads_batch");
        static final long CP_ROPE_SCALING_TYPE = off(CONTEXT_PARAMS, "rope_scaling_type");
        static final long CP_POOLING_TYPE = off(CONTEXT_PARAMS, "pooling_type");
        static final long CP_ATTENTION_TYPE = off(CONTEXT_PARAMS, "attention_type");
        static final long CP_ROPE_FREQ_BASE = off(CONTEXT_PARAMS, "rope_freq_base");
        static final long CP_ROPE_FREQ_SCALE = off(CONTEXT_PARAMS, "rope_freq_scale");
        static final long CP_YARN_EXT_FACTOR = off(CONTEXT_PARAMS, "yarn_ext_factor");
        static final long CP_YARN_ATTN_FACTOR = off(CONTEXT_PARAMS, "yarn_attn_factor");
        static final long CP_YARN_BETA_FAST = off(CONTEXT_PARAMS, "yarn_beta_fast");
        static final long CP_YARN_BETA_SLOW = off(CONTEXT_PARAMS, "yarn_beta_slow");
        static final long CP_YARN_ORIG_CTX = off(CONTEXT_PARAMS, "yarn_orig_ctx");
        static final long CP_DEFRAG_THOLD = off(CONTEXT_PARAMS, "defrag_thold");
        static final long CP_TYPE_K = off(CONTEXT_PARAMS, "type_k");
        static final long CP_TYPE_V = off(CONTEXT_PARAMS, "type_v");
        static final long CP_LOGITS_ALL = off(CONTEXT_PARAMS, "logits_all");
        static final long CP_EMBEDDINGS = off(CONTEXT_PARAMS, "embeddings");
        static final long CP_OFFLOAD_KQV = off(CONTEXT_PARAMS, "offload_kqv");
        static final long CP_FLASH_ATTN = off(CONTEXT_PARAMS, "flash_attn");
        static final long CP_NO_PERF = off(CONTEXT_PARAMS, "no_perf");

        static final long B_N_TOKENS = off(BATCH, "n_tokens");
        static final long B_TOKEN = off(BATCH, "token");
        static final long B_POS = off(BATCH, "pos");
        static final long B_N_SEQ_ID = off(BATCH, "n_seq_id");
        static final long B_SEQ_ID = off(BATCH, "seq_id");
        static final long B_LOGITS = off(BATCH, "logits");

        private static long off(StructLayout s, String field) {
            return s.byteOffset(MemoryLayout.PathElement.groupElement(field));
        }

        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LIB = SymbolLookup.libraryLookup(extract(), Arena.global());

        static final MethodHandle BACKEND_INIT = fn("llama_backend_init", FunctionDescriptor.ofVoid());
        static final MethodHandle LOG_SET = fn("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        static final MethodHandle GGML_LOG_SET = fn("ggml_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        static final MethodHandle MODEL_DEFAULT_PARAMS = fn("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        static final MethodHandle MODEL_LOAD_FROM_FILE = fn("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        static final MethodHandle MODEL_FREE = fn("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle MODEL_META_VAL_STR = fn("llama_model_meta_val_str",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ValueLayout.JAVA_LONG));
        static final MethodHandle CONTEXT_DEFAULT_PARAMS = fn("llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        static final MethodHandle INIT_FROM_MODEL = fn("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        static final MethodHandle FREE = fn("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle N_CTX = fn("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle N_BATCH = fn("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle MODEL_GET_VOCAB = fn("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        static final MethodHandle VOCAB_N_TOKENS = fn("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle VOCAB_BOS = fn("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle VOCAB_EOS = fn("llama_vocab_eos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle TOKENIZE = fn("llama_tokenize",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        static final MethodHandle TOKEN_TO_PIECE = fn("llama_token_to_piece",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        static final MethodHandle DETOKENIZE = fn("llama_detokenize",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        static final MethodHandle BATCH_INIT = fn("llama_batch_init", FunctionDescriptor.of(BATCH, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle BATCH_FREE = fn("llama_batch_free", FunctionDescriptor.ofVoid(BATCH));
        static final MethodHandle DECODE = fn("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
        static final MethodHandle GET_LOGITS_ITH = fn("llama_get_logits_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        static final MethodHandle KV_SELF_CLEAR = fn("llama_kv_self_clear", FunctionDescriptor.ofVoid(ADDRESS));

        private static boolean initialized;

        /** Silences logging and initializes the backend, once per JVM. */
        static synchronized void init() {
            if (initialized) return;
            try {
                MethodHandle sink = MethodHandles.lookup().findStatic(Native.class, "discardLog",
                        MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
                MemorySegment stub = LINKER.upcallStub(sink, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
                GGML_LOG_SET.invokeExact(stub, MemorySegment.NULL);
                LOG_SET.invokeExact(stub, MemorySegment.NULL);
                BACKEND_INIT.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException("llama.cpp initialization failed", t);
            }
            initialized = true;
        }

        @SuppressWarnings("unused")
        private static void discardLog(int level, MemorySegment text, MemorySegment userData) {
        }

        private static MethodHandle fn(String name, FunctionDescriptor d) {
            MemorySegment sym = LIB.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " not in libjllama.so"));
            return LINKER.downcallHandle(sym, d);
        }

        private static Path extract() {
            try (InputStream in = LlamaCpp.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("classpath resource " + RESOURCE
                            + " not found (test dependency de.kherud:llama missing, or not Linux x86-64)");
                }
                Path dir = Files.createTempDirectory("amadeus-llamacpp");
                Path lib = dir.resolve("libjllama.so");
                // deleteOnExit works in reverse order of registration: the directory first, so it is removed last.
                dir.toFile().deleteOnExit();
                Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
                lib.toFile().deleteOnExit();
                return lib;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract " + RESOURCE, e);
            }
        }
    }
}
