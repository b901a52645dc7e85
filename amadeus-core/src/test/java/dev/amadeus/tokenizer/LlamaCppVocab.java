package dev.amadeus.tokenizer;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * llama.cpp (tag b4916, from the {@code de.kherud:llama} test dependency) loaded through FFM with a
 * vocabulary-only model, to compare tokenization and detokenization against the real thing.
 */
final class LlamaCppVocab implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
            ADDRESS.withName("devices"), JAVA_INT.withName("n_gpu_layers"), JAVA_INT.withName("split_mode"),
            JAVA_INT.withName("main_gpu"), MemoryLayout.paddingLayout(4), ADDRESS.withName("tensor_split"),
            ADDRESS.withName("progress_callback"), ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"), JAVA_BOOLEAN.withName("vocab_only"), JAVA_BOOLEAN.withName("use_mmap"),
            JAVA_BOOLEAN.withName("use_mlock"), JAVA_BOOLEAN.withName("check_tensors"), MemoryLayout.paddingLayout(4));

    private static SymbolLookup library;
    private static MethodHandle tokenize;
    private static MethodHandle detokenize;
    private static MethodHandle tokenToPiece;
    private static MethodHandle modelFree;
    private static MethodHandle loadModel;
    private static MethodHandle getVocab;
    private static MethodHandle defaultParams;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment model;
    private final MemorySegment vocab;

    private static synchronized void init() throws Throwable {
        if (library != null) return;
        Path so = Files.createTempFile("llamacpp-oracle", ".so");
        so.toFile().deleteOnExit();
        try (InputStream in = LlamaCppVocab.class.getClassLoader().getResourceAsStream("de/kherud/llama/Linux/x86_64/libjllama.so")) {
            if (in == null) throw new IOException("libjllama.so is not on the test class path");
            Files.copy(in, so, StandardCopyOption.REPLACE_EXISTING);
        }
        library = SymbolLookup.libraryLookup(so, Arena.global());
        // silence llama.cpp's load log
        MethodHandle quiet = MethodHandles.lookup().findStatic(LlamaCppVocab.class, "ignoreLog",
                MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
        MemorySegment callback = LINKER.upcallStub(quiet, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
        handle("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS)).invokeExact(callback, MemorySegment.NULL);
        handle("llama_backend_init", FunctionDescriptor.ofVoid()).invokeExact();
        defaultParams = handle("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        loadModel = handle("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        getVocab = handle("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        modelFree = handle("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        tokenize = handle("llama_tokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        detokenize = handle("llama_detokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        tokenToPiece = handle("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
    }

    @SuppressWarnings("unused")
    private static void ignoreLog(int level, MemorySegment text, MemorySegment userData) {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(library.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name)), descriptor);
    }

    LlamaCppVocab(Path gguf) throws Throwable {
        init();
        MemorySegment params = (MemorySegment) defaultParams.invokeExact((java.lang.foreign.SegmentAllocator) arena);
        params.set(JAVA_BOOLEAN, MODEL_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("vocab_only")), true);
        model = (MemorySegment) loadModel.invokeExact(arena.allocateFrom(gguf.toString()), params);
        if (model.equals(MemorySegment.NULL)) throw new IllegalStateException("llama.cpp could not load " + gguf);
        vocab = (MemorySegment) getVocab.invokeExact(model);
    }

    int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) throws Throwable {
        try (Arena call = Arena.ofConfined()) {
            return tokenize(call, text, addSpecial, parseSpecial);
        }
    }

    private int[] tokenize(Arena arena, String text, boolean addSpecial, boolean parseSpecial) throws Throwable {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment in = arena.allocate(Math.max(1, utf8.length));
        MemorySegment.copy(utf8, 0, in, ValueLayout.JAVA_BYTE, 0, utf8.length);
        int capacity = utf8.length + 8;
        MemorySegment out = arena.allocate(JAVA_INT, capacity);
        int n = (int) tokenize.invokeExact(vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
        if (n < 0) throw new IllegalStateException("token buffer too small");
        return Arrays.copyOf(out.toArray(JAVA_INT), n);
    }

    byte[] detokenize(int[] ids, boolean removeSpecial, boolean unparseSpecial) throws Throwable {
        try (Arena call = Arena.ofConfined()) {
            return detokenize(call, ids, removeSpecial, unparseSpecial);
        }
    }

    private byte[] detokenize(Arena arena, int[] ids, boolean removeSpecial, boolean unparseSpecial) throws Throwable {
        MemorySegment in = arena.allocateFrom(JAVA_INT, ids.length == 0 ? new int[] {0} : ids);
        int capacity = 64 + ids.length * 64;
        MemorySegment out = arena.allocate(capacity);
        int n = (int) detokenize.invokeExact(vocab, in, ids.length, out, capacity, removeSpecial, unparseSpecial);
        if (n < 0) throw new IllegalStateException("text buffer too small");
        return out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    byte[] piece(int id, boolean special) throws Throwable {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(256);
            int n = (int) tokenToPiece.invokeExact(vocab, id, out, 256, 0, special);
            if (n < 0) {
                // a negative result is the size the piece needs
                out = call.allocate(-n);
                n = (int) tokenToPiece.invokeExact(vocab, id, out, -n, 0, special);
            }
            return out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            modelFree.invokeExact(model);
        } catch (Throwable t) {
            throw new Exception(t);
        } finally {
            arena.close();
        }
    }
}
