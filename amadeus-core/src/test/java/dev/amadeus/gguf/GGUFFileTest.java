package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GGUFFileTest {

    @Test
    void readsStories260K() {
        try (GGUFFile f = GGUFFile.open(SharedData.model("stories260K.gguf"))) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(64, f.getInt("llama.embedding_length"));
            assertEquals(5, f.getInt("llama.block_count"));
            assertEquals(8, f.getInt("llama.attention.head_count"));
            assertEquals(4, f.getInt("llama.attention.head_count_kv"));
            assertEquals(512, f.getStringArray("tokenizer.ggml.tokens").length);
            TensorInfo embd = f.tensor("token_embd.weight");
            assertEquals(GGMLType.F32, embd.type());
            assertEquals(64, embd.shape()[0]);
            assertEquals(512, embd.shape()[1]);
            assertEquals(64L * 512 * 4, f.data(embd).byteSize());
            assertTrue(f.dataStart() % f.alignment() == 0);
        }
    }

    @Test
    void releasedPagesAreReadAgainFromTheFile() {
        try (GGUFFile f = GGUFFile.open(SharedData.model("stories260K.gguf")); Arena arena = Arena.ofConfined()) {
            MemorySegment embd = f.data(f.tensor("token_embd.weight"));
            byte[] before = embd.toArray(ValueLayout.JAVA_BYTE);
            assertTrue(f.maps(embd));
            // Kernels see one segment class, whether the data is the file's or a copy (see GGUFFile).
            assertFalse(embd.isMapped());
            f.releasePages(embd);
            assertArrayEquals(before, embd.toArray(ValueLayout.JAVA_BYTE));

            MemorySegment copy = arena.allocate(embd.byteSize());
            copy.copyFrom(embd);
            assertFalse(f.maps(copy));
            f.releasePages(copy);
            assertArrayEquals(before, copy.toArray(ValueLayout.JAVA_BYTE), "memory outside the mapping is left alone");
        }
    }
}
