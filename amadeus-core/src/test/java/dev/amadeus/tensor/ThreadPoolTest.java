package dev.amadeus.tensor;

import dev.amadeus.AmadeusException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadPoolTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int threads : new int[]{1, 2, 3, 5}) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                assertEquals(threads, pool.threads());
                for (int count : new int[]{0, 1, 2, 3, 7, 100, 1001}) {
                    for (int repeat = 0; repeat < 20; repeat++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(count, 1));
                        pool.parallelFor(count, (start, end) -> {
                            for (int i = start; i < end; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < count; i++) assertEquals(1, hits.get(i), "threads " + threads + " count " + count);
                    }
                }
            }
        }
    }

    @Test
    void chunksCoverEveryIndexOnceInAscendingRangesPerThread() {
        for (int threads : new int[]{1, 2, 3}) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                for (int count : new int[]{0, 1, 5, 64, 1001}) {
                    for (int chunk : new int[]{1, 3, 16, 2000}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(count, 1));
                        ThreadLocal<int[]> last = ThreadLocal.withInitial(() -> new int[]{-1});
                        AtomicIntegerArray badOrder = new AtomicIntegerArray(1);
                        pool.parallelForChunks(count, chunk, (start, end) -> {
                            assertEquals(true, end - start <= chunk && end > start);
                            int[] l = last.get();
                            if (start <= l[0]) badOrder.incrementAndGet(0);
                            l[0] = start;
                            for (int i = start; i < end; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < count; i++) assertEquals(1, hits.get(i), "count " + count + " chunk " + chunk);
                        assertEquals(0, badOrder.get(0));
                    }
                }
            }
        }
    }

    @Test
    void sharesCoverEveryIndexOnceInRangesOfAtMostTheChunk() {
        for (int threads : new int[]{1, 2, 3}) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                for (int count : new int[]{0, 1, 5, 64, 1001}) {
                    for (int chunk : new int[]{1, 3, 16, 2000}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(count, 1));
                        AtomicIntegerArray badRange = new AtomicIntegerArray(1);
                        pool.parallelForShares(count, chunk, (start, end) -> {
                            if (end - start > chunk || end <= start) badRange.incrementAndGet(0);
                            for (int i = start; i < end; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < count; i++) assertEquals(1, hits.get(i), "count " + count + " chunk " + chunk);
                        assertEquals(0, badRange.get(0));
                    }
                }
            }
        }
    }

    @Test
    void aThreadDoneWithItsShareTakesTheRestOfTheOthersFromTheBack() {
        try (ThreadPool pool = new ThreadPool(2)) {
            Thread caller = Thread.currentThread();
            List<String> callerRanges = Collections.synchronizedList(new ArrayList<>());
            List<String> workerRanges = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch callerStarted = new CountDownLatch(1), workerDone = new CountDownLatch(9);
            pool.parallelForShares(100, 10, (start, end) -> {
                if (Thread.currentThread() == caller) {
                    callerRanges.add(start + "-" + end);
                    callerStarted.countDown();
                    try {
                        // The caller stalls in its first range until the other thread has taken everything else.
                        assertTrue(workerDone.await(30, TimeUnit.SECONDS), "the other thread did not take the stalled share");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                } else {
                    try {
                        assertTrue(callerStarted.await(30, TimeUnit.SECONDS), "the caller did not start its share");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    workerRanges.add(start + "-" + end);
                    workerDone.countDown();
                }
            });
            assertEquals(List.of("0-10"), callerRanges);
            assertEquals(List.of("50-60", "60-70", "70-80", "80-90", "90-100", "40-50", "30-40", "20-30", "10-20"), workerRanges);
        }
    }

    @Test
    void aFailingShareStopsTheLoopAndPropagates() {
        assertAFailingRangeStopsTheLoopAndPropagates(ThreadPool::parallelForShares);
    }

    @Test
    void aFailingChunkStopsTheLoopAndPropagates() {
        assertAFailingRangeStopsTheLoopAndPropagates(ThreadPool::parallelForChunks);
    }

    /** A loop over ranges of at most {@code chunk}: {@link ThreadPool#parallelForChunks} or {@link ThreadPool#parallelForShares}. */
    @FunctionalInterface
    private interface RangeLoop {
        void run(ThreadPool pool, int count, int chunk, ThreadPool.RangeBody body);
    }

    private static void assertAFailingRangeStopsTheLoopAndPropagates(RangeLoop loop) {
        try (ThreadPool pool = new ThreadPool(2)) {
            AmadeusException boom = new AmadeusException("boom");
            assertSame(boom, assertThrows(AmadeusException.class, () -> loop.run(pool, 1000, 10, (start, end) -> {
                if (start == 500) throw boom;
            })));
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            loop.run(pool, 100, 7, (start, end) -> {
                for (int i = start; i < end; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void exceptionsPropagateAndThePoolStaysUsable() {
        try (ThreadPool pool = new ThreadPool(3)) {
            AmadeusException boom = new AmadeusException("boom");
            AmadeusException thrown = assertThrows(AmadeusException.class, () -> pool.parallelFor(90, (start, end) -> {
                if (start <= 75 && 75 < end) throw boom;
            }));
            assertSame(boom, thrown);
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.parallelFor(10, (start, end) -> {
                for (int i = start; i < end; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < 10; i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void nestedLoopsRunSerially() {
        try (ThreadPool pool = new ThreadPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            pool.parallelFor(10, (start, end) -> {
                for (int i = start; i < end; i++) {
                    int row = i;
                    pool.parallelFor(10, (s, e) -> {
                        for (int j = s; j < e; j++) hits.incrementAndGet(10 * row + j);
                    });
                }
            });
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
        }
    }
}
