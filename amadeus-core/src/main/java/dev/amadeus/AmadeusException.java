package dev.amadeus;

/**
 * A problem the user can act on: bad input file, bad parameter, a context that is full.
 * The message is one line that names the culprit; the CLI prints it without a stack trace.
 */
public class AmadeusException extends RuntimeException {
    public AmadeusException(String message) {
        super(message);
    }

    public AmadeusException(String message, Throwable cause) {
        super(message, cause);
    }
}
