package dev.amadeus.generate;

/** Why generation ended. */
public enum FinishReason {
    /** The model produced an end-of-generation token (EOS, EOT, ...). */
    END_OF_GENERATION,
    /** The text reached one of the stop strings. */
    STOP_STRING,
    /** The token limit was reached. */
    LENGTH,
    /** The context window is full. */
    CONTEXT_FULL,
    /** The caller asked to stop (e.g. Ctrl-C in the chat). */
    CANCELLED;

    /** The OpenAI-style name: "stop" for natural ends and cancellation, "length" for limits. */
    public String apiName() {
        return this == LENGTH || this == CONTEXT_FULL ? "length" : "stop";
    }
}
