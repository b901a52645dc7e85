package dev.amadeus.tensor;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantized stories260K files against the F32 original they were made from. */
class RealModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0"})
    void quantizedWeightsMatchTheFloatOriginal(String variant) {
        GGMLType expectedType = variant.equals("q8_0") ? GGMLType.Q8_0 : GGMLType.Q4_0;
        try (GGUFFile original = GGUFFile.open(SharedData.model("stories260K.gguf"));
             GGUFFile quantized = GGUFFile.open(SharedData.model("stories260K-" + variant + ".DERIVED.gguf"))) {
            int checked = 0;
            for (TensorInfo info : quantized.tensors()) {
                if (info.type() != expectedType) continue;
                TensorInfo reference = original.tensor(info.name());
                assertEquals(GGMLType.F32, reference.type(), info.name());
                int rows = (int) info.rows();
                int cols = (int) info.rowLength();
                WeightMatrix q = new WeightMatrix(info.name(), info.type(), rows, cols, quantized.data(info));
                WeightMatrix f = new WeightMatrix(reference.name(), reference.type(), rows, cols, original.data(reference));
                float[] qRow = new float[cols];
                float[] fRow = new float[cols];
                byte[] requantized = new byte[(int) expectedType.byteSize(cols)];
                for (int r = 0; r < rows; r++) {
                    q.dequantizeRow(r, qRow, 0);
                    f.dequantizeRow(r, fRow, 0);
                    for (int b = 0; b < cols / 32; b++) {
                        float amax = 0;
                        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(fRow[32 * b + j]));
                        double step = expectedType == GGMLType.Q8_0 ? amax / 127.0 : amax / 8.0;
                        double bound = (expectedType == GGMLType.Q8_0 ? 0.5 : 1.0) * step + 128 * step * 0x1p-11 + 1e-12;
                        for (int j = 0; j < 32; j++) {
                            int i = 32 * b + j;
                            assertTrue(Math.abs(qRow[i] - fRow[i]) <= bound, info.name() + " row " + r + " col " + i);
                        }
                    }
                    // Our reference quantizer reproduces the file's blocks byte for byte.
                    MemorySegment out = MemorySegment.ofArray(requantized);
                    if (expectedType == GGMLType.Q8_0) Quantizers.quantizeQ8_0(fRow, 0, cols, out, 0);
                    else Quantizers.quantizeQ4_0(fRow, 0, cols, out, 0);
                    MemorySegment stored = quantized.data(info).asSlice(r * q.rowBytes(), q.rowBytes());
                    assertEquals(-1L, stored.mismatch(out), info.name() + " row " + r + " re-quantized bytes");
                }
                checked++;
            }
            assertTrue(checked >= 7, "only " + checked + " " + expectedType + " tensors in the " + variant + " file");
        }
    }
}
