package dev.amadeus.tokenizer;

/** A token's type as stored in {@code tokenizer.ggml.token_type}. */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    private static final TokenType[] BY_CODE = values();

    /** The type for a stored code; codes outside 0..6 mean UNDEFINED, as in llama.cpp. */
    public static TokenType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNDEFINED;
    }

    /** Tokens the special-token partition looks for in raw text. */
    boolean isSpecialCandidate() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }
}
