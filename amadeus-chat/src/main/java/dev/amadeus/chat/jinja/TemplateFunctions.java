package dev.amadeus.chat.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;

import java.time.Instant;
import java.time.LocalDateTime;

/** The global functions transformers gives chat templates; jinjava calls them as static methods. */
public final class TemplateFunctions {
    private TemplateFunctions() {
    }

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static Object raiseException(Object message) {
        throw new TemplateRaisedException(String.valueOf(message));
    }

    /** {@code strftime_now(format)}: the current local time, from the clock the template was built with. */
    public static String strftimeNow(String format) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        long millis = interpreter.getConfig().getDateTimeProvider().getCurrentTimeMillis();
        LocalDateTime now = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), interpreter.getConfig().getTimeZone());
        return Strftime.format(now, format);
    }

    /** What {@code raise_exception} throws; the renderer turns it into an {@code AmadeusException}. */
    static final class TemplateRaisedException extends RuntimeException {
        TemplateRaisedException(String message) {
            super(message);
        }
    }
}
