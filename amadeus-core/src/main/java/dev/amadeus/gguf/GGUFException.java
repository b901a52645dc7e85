package dev.amadeus.gguf;

import dev.amadeus.AmadeusException;

/** A GGUF file that cannot be read: the message names the file and what is wrong with it. */
public final class GGUFException extends AmadeusException {
    public GGUFException(String message) {
        super(message);
    }
}
