package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
