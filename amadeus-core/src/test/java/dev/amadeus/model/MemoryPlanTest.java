package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryPlanTest {

    /**
     * What repacking adds, from the layouts' sizes per eight rows and 256 elements: Q6_K's 8 x 210 bytes become
     * 2192 (64 more per row), Q4_K's 8 x 144 become 1184 (4 more per row); Q4_0 and Q8_0 keep their size. The
     * token embeddings (no products) stay as they are.
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K"})
    void planCountsWhatRepackingAdds(GGMLType type, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.gguf");
        new SyntheticModel(ModelShape.preset("tiny-llama"), type, 7,
                SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf")).write(file);
        try (GGUFFile f = GGUFFile.open(file)) {
            ModelConfig c = ModelConfig.fromGGUF(f);
            long expected = 0;
            for (TensorInfo t : f.tensors()) {
                if (t.shape().length != 2 || t.name().equals("token_embd.weight")) continue;
                long perRowAndSuperBlock = switch (t.type()) {
                    case Q6_K -> 64;
                    case Q4_K -> 4;
                    default -> 0;
                };
                expected += (t.rows() - t.rows() % 8) * (t.rowLength() / 256) * perRowAndSuperBlock;
            }
            MemoryPlan plan = MemoryPlan.of(f, c, 256, KVCacheType.F16, KVCacheType.F16);
            assertEquals(expected, plan.repackedExtraBytes());
            if (type == GGMLType.Q6_K) {
                assertTrue(expected > 0, "the synthetic model has Q6_K matrices");
                assertTrue(plan.describe().contains("more once repacked"), plan.describe());
            }
            assertEquals(plan.weightBytes() + expected + plan.kvBytes(), plan.totalBytes());
            assertEquals(0, MemoryPlan.of(f, c, 256, KVCacheType.F16, KVCacheType.F16, false).repackedExtraBytes());
        }
    }
}
