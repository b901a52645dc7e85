package dev.amadeus.server;

/**
 * A request the server refuses, with the HTTP status and the fields of an OpenAI-style error body
 * {@code {"error":{"message","type","param","code"}}}.
 */
final class ApiException extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 for a field that is missing, of the wrong type, out of range or not supported. */
    static ApiException badField(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, "invalid_request_error", null, code, message);
    }
}
