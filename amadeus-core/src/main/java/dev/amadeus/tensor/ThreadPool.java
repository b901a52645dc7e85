package dev.amadeus.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Persistent workers for data-parallel loops. A forward pass issues hundreds of small parallel loops
 * per token, so threads are created once, and between loops they spin briefly before parking: waking a
 * parked thread costs microseconds, which matters at that rate.
 */
public final class ThreadPool implements AutoCloseable {
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Busy-wait iterations before parking; long enough to bridge the gap between consecutive loops. */
    private static final int SPINS = 2_000;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock submitLock = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile boolean callerParked;
    private RangeBody body;
    private int count;
    /** Size of the ranges handed out on demand, or 0 for one fixed range per thread. */
    private int chunk;
    /** Whether ranges come from per-thread shares ({@link #parallelForShares}) rather than one counter. */
    private boolean shares;
    private final AtomicInteger nextChunk = new AtomicInteger();
    /**
     * Per thread, what is left of its share as {@code first << 32 | end}, each {@value #SHARE_STRIDE} longs apart so
     * that no two threads' shares sit in one cache line (or one adjacent-line prefetch pair).
     */
    private final AtomicLongArray shareLeft;
    private static final int SHARE_STRIDE = 16;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        this.shareLeft = new AtomicLongArray(threads * SHARE_STRIDE);
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            Thread t = Thread.ofPlatform().daemon().name("amadeus-worker-" + (i + 1)).unstarted(workers[i]);
            workers[i].thread = t;
            t.start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, count)} split into one contiguous range per thread, the caller
     * taking the first. Returns when every range is done; the first exception thrown by any range is
     * rethrown here. A call made from inside a body runs serially rather than deadlocking; calls from
     * different threads take turns.
     */
    public void parallelFor(int count, RangeBody body) {
        run(count, 0, false, body);
    }

    /**
     * Runs {@code body} over {@code [0, count)} in ranges of {@code chunk} (the last may be shorter) that the
     * threads take as they become free, so that a thread slowed by anything else on the machine does not hold
     * the others up at the end. Ranges are contiguous and ascending within each thread; otherwise as
     * {@link #parallelFor}.
     */
    public void parallelForChunks(int count, int chunk, RangeBody body) {
        if (chunk < 1) throw new IllegalArgumentException("chunk must be at least 1, got " + chunk);
        run(count, chunk, false, body);
    }

    /**
     * Runs {@code body} over {@code [0, count)} cut into one contiguous share per thread (as {@link #parallelFor}),
     * which each thread takes from its front in ranges of {@code chunk}; a thread done with its share then takes
     * ranges from the back of the share with the most left. For memory-bound loops: each thread reads its share as
     * one ascending stream, which the hardware prefetchers follow without restarting at every range, while a
     * thread slowed by anything else on the machine is still relieved at the end. Otherwise as {@link #parallelFor}.
     */
    public void parallelForShares(int count, int chunk, RangeBody body) {
        if (chunk < 1) throw new IllegalArgumentException("chunk must be at least 1, got " + chunk);
        run(count, chunk, true, body);
    }

    private void run(int count, int chunk, boolean shares, RangeBody body) {
        if (count <= 0) return;
        if (closed) throw new IllegalStateException("thread pool is closed");
        if (threads == 1 || count == 1 || isWorker(Thread.currentThread()) || submitLock.isHeldByCurrentThread()) {
            int step = chunk > 0 ? chunk : count;
            for (int start = 0; start < count; start += step) body.run(start, Math.min(count, start + step));
            return;
        }
        submitLock.lock();
        try {
            this.body = body;
            this.count = count;
            this.chunk = chunk;
            this.shares = shares;
            nextChunk.set(0);
            if (shares) {
                for (int part = 0; part < threads; part++) {
                    shareLeft.set(part * SHARE_STRIDE, packRange(shareStart(count, part), shareStart(count, part + 1)));
                }
            }
            this.caller = Thread.currentThread();
            failure.set(null);
            pending.set(workers.length);
            generation++;
            for (Worker w : workers) {
                if (w.parked) LockSupport.unpark(w.thread);
            }
            runPart(0);
            awaitWorkers();
            this.body = null;
            Throwable t = failure.getAndSet(null);
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error e) throw e;
            if (t != null) throw new RuntimeException(t);
        } finally {
            submitLock.unlock();
        }
    }

    private boolean isWorker(Thread t) {
        for (Worker w : workers) {
            if (w.thread == t) return true;
        }
        return false;
    }

    private void runPart(int part) {
        if (chunk > 0) {
            if (shares) runShares(part);
            else runChunks();
            return;
        }
        int start = shareStart(count, part);
        int end = shareStart(count, part + 1);
        if (start >= end) return;
        try {
            body.run(start, end);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private void runChunks() {
        try {
            int start;
            while ((start = nextChunk.getAndAdd(chunk)) < count) {
                body.run(start, Math.min(count, start + chunk));
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            nextChunk.set(count);
        }
    }

    /** The first index of thread {@code part}'s share of {@code count}. */
    private int shareStart(int count, int part) {
        return (int) ((long) count * part / threads);
    }

    private static long packRange(int first, int end) {
        return (long) first << 32 | end;
    }

    /** Ranges from the front of thread {@code part}'s own share, then from the backs of the others'. */
    private void runShares(int part) {
        try {
            int at = part * SHARE_STRIDE;
            for (long left; (int) (left = shareLeft.get(at)) > (int) (left >>> 32); ) {
                int first = (int) (left >>> 32), end = (int) left, next = Math.min(end, first + chunk);
                if (shareLeft.compareAndSet(at, left, packRange(next, end))) body.run(first, next);
            }
            while (true) {
                int victim = -1, most = 0;
                for (int p = 0; p < threads; p++) {
                    long left = shareLeft.get(p * SHARE_STRIDE);
                    int size = (int) left - (int) (left >>> 32);
                    if (size > most) {
                        most = size;
                        victim = p * SHARE_STRIDE;
                    }
                }
                if (victim < 0) return;
                long left = shareLeft.get(victim);
                int first = (int) (left >>> 32), end = (int) left, from = Math.max(first, end - chunk);
                if (from < end && shareLeft.compareAndSet(victim, left, packRange(first, from))) body.run(from, end);
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            for (int p = 0; p < threads; p++) shareLeft.set(p * SHARE_STRIDE, 0);
        }
    }

    private void awaitWorkers() {
        int spins = 0;
        while (pending.get() != 0) {
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (pending.get() != 0) LockSupport.park(this);
                callerParked = false;
            }
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
        for (Worker w : workers) {
            try {
                w.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Worker implements Runnable {
        final int part;
        Thread thread;
        volatile boolean parked;

        Worker(int part) {
            this.part = part;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                int spins = 0;
                long g;
                while ((g = generation) == seen) {
                    if (closed) return;
                    if (spins < SPINS) {
                        spins++;
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen && !closed) LockSupport.park(this);
                        parked = false;
                    }
                }
                seen = g;
                runPart(part);
                if (pending.decrementAndGet() == 0 && callerParked) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }
}
