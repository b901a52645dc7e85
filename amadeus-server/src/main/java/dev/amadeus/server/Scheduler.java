package dev.amadeus.server;

import dev.amadeus.model.KVCache;
import dev.amadeus.model.ModelConfig;
import dev.amadeus.model.Transformer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves up to {@code parallel} jobs at once on the one model with a fair round-robin scheduler: a single
 * thread owns the forward pass (which is not reentrant) and gives each active job one step in turn, so every
 * active request advances by one token (or one batch of its prompt) per round. Each of the {@code parallel} slots has its own KV cache;
 * jobs beyond that wait in a FIFO queue and take the first slot that frees up. A cancelled job is dropped
 * before its next step.
 *
 * <p>Interleaving rather than batching across requests keeps each request's arithmetic identical to a run
 * alone (same batch shapes, same rounding), so a greedy answer does not depend on the server's load.
 */
final class Scheduler implements AutoCloseable {
    private final Transformer transformer;
    private final ModelConfig config;
    private final int contextSize;
    private final Metrics metrics;
    private final KVCache[] caches;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    private final Thread thread;
    private volatile boolean closed;

    Scheduler(Transformer transformer, int parallel, int contextSize, Metrics metrics) {
        this.transformer = transformer;
        this.config = transformer.config();
        this.contextSize = contextSize;
        this.metrics = metrics;
        this.caches = new KVCache[parallel];
        this.thread = Thread.ofPlatform().name("amadeus-scheduler").daemon().start(this::run);
    }

    /** Queues a job; it starts when a slot is free. */
    void submit(Job job) {
        lock.lock();
        try {
            if (closed) throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down");
            queue.addLast(job);
            metrics.queueDepth.set(queue.size());
            workArrived.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Job[] active = new Job[caches.length];
        while (!closed) {
            if (!admit(active)) continue;
            for (int slot = 0; slot < active.length; slot++) {
                Job job = active[slot];
                if (job == null) continue;
                boolean done;
                try {
                    if (job.cancelled()) {
                        job.abort(new CancellationException("the client disconnected"));
                        metrics.cancelled.incrementAndGet();
                        done = true;
                    } else {
                        done = job.step(transformer, caches[slot]);
                    }
                } catch (Throwable t) {
                    job.abort(t);
                    done = true;
                }
                if (done) {
                    active[slot] = null;
                    metrics.active.decrementAndGet();
                }
            }
        }
        List<Job> left = new ArrayList<>();
        for (Job j : active) if (j != null) left.add(j);
        lock.lock();
        try {
            left.addAll(queue);
            queue.clear();
        } finally {
            lock.unlock();
        }
        for (Job j : left) j.abort(new CancellationException("the server is shutting down"));
    }

    /** Moves queued jobs into free slots; waits while there is nothing to do. Returns false when woken to stop. */
    private boolean admit(Job[] active) {
        lock.lock();
        try {
            while (true) {
                boolean any = false;
                for (int slot = 0; slot < active.length; slot++) {
                    if (active[slot] == null && !queue.isEmpty()) {
                        active[slot] = queue.pollFirst();
                        if (caches[slot] == null) caches[slot] = new KVCache(config, contextSize);
                        caches[slot].clear();
                        metrics.active.incrementAndGet();
                    }
                    any |= active[slot] != null;
                }
                metrics.queueDepth.set(queue.size());
                if (any) return true;
                if (closed) return false;
                workArrived.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            workArrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
