package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.Model;
import dev.amadeus.model.rope.RopeScaling;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each method is stretched from the original context to the evaluated one, by max(1, C / L). */
class ContextScalingsTest {
    private static final int DIMS = 8;
    private static final double BASE = 10000;

    @Test
    void methodsStretchFromTheOriginalContext() {
        try (Model model = Model.load(SharedData.model("stories260K.gguf"))) {
            double[] plain = RopeScaling.baseFrequencies(DIMS, BASE);
            // The file declares 2048 positions: up to there every method is plain RoPE.
            for (String method : new ContextScalings().methods()) {
                if (method.equals("METHOD:F") || method.equals("longrope") || method.equals("llama3")) continue;
                RopeScaling s = new ContextScalings().create(method, model, 2048);
                assertArrayEquals(plain, s.forLength(2048).inverseFrequencies(DIMS, BASE), 1e-15, method);
            }
            // Trained on 512: at 1024 linear halves every frequency, and yarn leaves the fastest one alone.
            double[] linear = new ContextScalings(512).create("linear", model, 1024).inverseFrequencies(DIMS, BASE);
            for (int i = 0; i < DIMS / 2; i++) assertEquals(plain[i] / 2, linear[i], 1e-15);
            double[] yarn = new ContextScalings(512).create("yarn", model, 1024).inverseFrequencies(DIMS, BASE);
            assertEquals(plain[0], yarn[0], 1e-15);
            assertTrue(yarn[DIMS / 2 - 1] < plain[DIMS / 2 - 1]);
            // A fixed factor wins over the context.
            double[] fixed = new ContextScalings().create("linear:4", model, 256).inverseFrequencies(DIMS, BASE);
            assertEquals(plain[1] / 4, fixed[1], 1e-15);
            assertEquals("--rope-scaling: the factor must be a positive number, got '-1' in 'linear:-1'",
                    assertThrows(AmadeusException.class, () -> new ContextScalings().create("linear:-1", model, 256)).getMessage());
        }
    }
}
