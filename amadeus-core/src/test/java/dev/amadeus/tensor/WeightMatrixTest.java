package dev.amadeus.tensor;

import dev.amadeus.AmadeusException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WeightMatrixTest {

    @Test
    void unsupportedTypeIsAUserFacingError() {
        AmadeusException e = assertThrows(AmadeusException.class,
                () -> new WeightMatrix("blk.0.attn_q.weight", GGMLType.IQ2_XXS, 4, 256, MemorySegment.ofArray(new byte[4 * 66])));
        assertEquals("tensor 'blk.0.attn_q.weight' has type IQ2_XXS, which Amadeus does not support", e.getMessage());
    }

    @Test
    void dataSizeAndRowLengthAreChecked() {
        AmadeusException size = assertThrows(AmadeusException.class,
                () -> new WeightMatrix("w", GGMLType.Q8_0, 2, 64, MemorySegment.ofArray(new byte[135])));
        assertEquals("tensor 'w' (Q8_0, 64 x 2) needs 136 bytes of data but has 135", size.getMessage());
        assertThrows(AmadeusException.class, () -> new WeightMatrix("w", GGMLType.Q4_K, 1, 128, MemorySegment.ofArray(new byte[72])));
    }

    @Test
    void dequantizeRowReadsTheRightRow() {
        Random rnd = new Random(3);
        MemorySegment data = TestBlocks.random(GGMLType.Q6_K, 3, 512, rnd);
        WeightMatrix w = new WeightMatrix("w", GGMLType.Q6_K, 3, 512, data);
        assertEquals(3, w.rows());
        assertEquals(512, w.cols());
        assertEquals(GGMLType.Q6_K, w.type());
        assertEquals("w", w.name());
        float[] expected = new float[514];
        float[] actual = new float[514];
        TensorKernels.scalar().dequantize(GGMLType.Q6_K, data, 2 * 420, 512, expected, 2);
        w.dequantizeRow(2, actual, 2);
        assertArrayEquals(expected, actual);
    }
}
