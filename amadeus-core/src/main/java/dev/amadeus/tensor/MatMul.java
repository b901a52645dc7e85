package dev.amadeus.tensor;

/** Placeholder until the kernel package lands. */
public final class MatMul {
    public static void matVec(WeightMatrix w, float[] x, int xOffset, float[] out, int outOffset, ThreadPool pool) {
        pool.parallelFor(w.rows(), (s, e) -> {
            float[] row = new float[w.cols()];
            for (int r = s; r < e; r++) {
                w.dequantizeRow(r, row, 0);
                double acc = 0;
                for (int i = 0; i < row.length; i++) acc += row[i] * x[xOffset + i];
                out[outOffset + r] = (float) acc;
            }
        });
    }
    public static void matMul(WeightMatrix w, float[] x, int batch, float[] out, ThreadPool pool) {
        for (int b = 0; b < batch; b++) matVec(w, x, b * w.cols(), out, b * w.rows(), pool);
    }
}
