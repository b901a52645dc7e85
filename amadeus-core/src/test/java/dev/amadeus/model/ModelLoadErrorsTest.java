package dev.amadeus.model;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.GGUFWriter;
import dev.amadeus.gguf.MetadataValue;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A model file that parses as GGUF but cannot be run fails with one line naming the key, tensor or type. */
class ModelLoadErrorsTest {
    @TempDir
    Path dir;

    /** Rewrites stories260K.gguf, letting {@code edit} change metadata and tensors on the way. */
    private Path variant(String name, BiFunction<String, MetadataValue, MetadataValue> metadataEdit, TensorEdit tensorEdit) throws IOException {
        Path out = dir.resolve(name + ".gguf");
        try (GGUFFile source = GGUFFile.open(SharedData.model("stories260K.gguf"))) {
            GGUFWriter w = new GGUFWriter();
            source.metadata().forEach((k, v) -> {
                MetadataValue edited = metadataEdit.apply(k, v);
                if (edited != null) w.put(k, edited);
            });
            for (TensorInfo t : source.tensors()) tensorEdit.add(w, t, source);
            w.write(out);
        }
        return out;
    }

    private interface TensorEdit {
        void add(GGUFWriter w, TensorInfo t, GGUFFile source) throws IOException;
    }

    private static void copy(GGUFWriter w, TensorInfo t, GGUFFile source) {
        w.addTensor(t.name(), t.type(), t.shape(), source.data(t));
    }

    private String loadError(Path file) {
        return assertThrows(AmadeusException.class, () -> Model.load(file).close()).getMessage();
    }

    @Test
    void unknownArchitectureIsNamed() throws IOException {
        Path f = variant("arch", (k, v) -> k.equals("general.architecture") ? MetadataValue.string("mamba9") : v, ModelLoadErrorsTest::copy);
        writeAndCheck(f, "arch.gguf: unknown model architecture 'mamba9' (general.architecture); supported: llama, qwen2, phi3, gemma, gemma2");
    }

    @Test
    void missingKeyIsNamed() throws IOException {
        Path f = variant("key", (k, v) -> k.equals("llama.attention.layer_norm_rms_epsilon") ? null : v, ModelLoadErrorsTest::copy);
        writeAndCheck(f, "key.gguf: required key 'llama.attention.layer_norm_rms_epsilon' is missing");
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path f = variant("missing", (k, v) -> v, (w, t, s) -> {
            if (!t.name().equals("blk.3.attn_k.weight")) copy(w, t, s);
        });
        writeAndCheck(f, "missing.gguf: missing tensor 'blk.3.attn_k.weight'");
    }

    @Test
    void wrongShapeIsNamed() throws IOException {
        Path f = variant("shape", (k, v) -> v, (w, t, s) -> {
            if (t.name().equals("blk.0.attn_q.weight")) {
                w.addTensor(t.name(), GGMLType.F32, new long[]{64, 32}, dest -> { });
            } else {
                copy(w, t, s);
            }
        });
        writeAndCheck(f, "shape.gguf: tensor 'blk.0.attn_q.weight' has shape [64, 32], expected [64, 64]");
    }

    @Test
    void unsupportedTypeIsNamed() throws IOException {
        Path f = variant("type", (k, v) -> v, (w, t, s) -> {
            if (t.name().equals("blk.1.ffn_up.weight")) {
                w.addTensor(t.name(), GGMLType.IQ4_NL, t.shape(), dest -> { });
            } else {
                copy(w, t, s);
            }
        });
        writeAndCheck(f, "type.gguf: tensor 'blk.1.ffn_up.weight' has type IQ4_NL, which Amadeus does not support");
    }

    @Test
    void unknownTokenizerIsNamed() throws IOException {
        Path f = variant("vocab", (k, v) -> k.equals("tokenizer.ggml.model") ? MetadataValue.string("bogus") : v, ModelLoadErrorsTest::copy);
        writeAndCheck(f, "vocab.gguf: unknown tokenizer model: tokenizer.ggml.model = 'bogus'");
    }

    /** The weights' error is the one reported when the tokenizer, read alongside, is broken too. */
    @Test
    void aBrokenModelIsReportedBeforeItsVocabulary() throws IOException {
        Path f = variant("both", (k, v) -> k.equals("tokenizer.ggml.model") ? MetadataValue.string("bogus") : v, (w, t, s) -> {
            if (!t.name().equals("blk.3.attn_k.weight")) copy(w, t, s);
        });
        writeAndCheck(f, "both.gguf: missing tensor 'blk.3.attn_k.weight'");
    }

    private void writeAndCheck(Path file, String expected) {
        assertEquals(expected, loadError(file));
    }
}
