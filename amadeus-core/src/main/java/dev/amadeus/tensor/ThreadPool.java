package dev.amadeus.tensor;

/** Placeholder until the kernel package lands. */
public final class ThreadPool implements AutoCloseable {
    private final int threads;
    public ThreadPool(int threads) { this.threads = threads; }
    public int threads() { return threads; }
    public void parallelFor(int count, RangeBody body) {
        java.util.stream.IntStream.range(0, threads).parallel().forEach(t -> {
            int s = (int) ((long) count * t / threads), e = (int) ((long) count * (t + 1) / threads);
            if (s < e) body.run(s, e);
        });
    }
    @FunctionalInterface public interface RangeBody { void run(int start, int end); }
    @Override public void close() { }
}
