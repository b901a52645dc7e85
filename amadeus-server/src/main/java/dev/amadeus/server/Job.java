package dev.amadeus.server;

import dev.amadeus.model.KVCache;
import dev.amadeus.model.Transformer;

/** Work the {@link Scheduler} runs on the model, one step at a time, with a KV cache of its own. */
interface Job {
    /**
     * Runs one forward pass (the whole prompt, or one generated token) on {@code cache}; returns true when the
     * job has finished and its cache can go to the next job.
     */
    boolean step(Transformer transformer, KVCache cache);

    /** True when the client has gone away; the scheduler then drops the job without another step. */
    boolean cancelled();

    /** Called once when the job ends without finishing: cancelled, failed, or the server stopping. */
    void abort(Throwable cause);
}
