package dev.amadeus.model.rope;

import dev.amadeus.AmadeusException;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The RoPE scaling methods, by the names {@code --rope-scaling} and GGUF's {@code rope.scaling.type} use. */
public enum RopeMethod {
    NONE("none"),
    LINEAR("linear"),
    YARN("yarn"),
    LONGROPE("longrope"),
    NTK("ntk"),
    DYNAMIC_NTK("dynamic-ntk"),
    NTK_BY_PARTS("ntk-by-parts"),
    NTK_BY_PARTS_YARN("ntk-by-parts-yarn"),
    LLAMA3("llama3");

    public final String id;

    RopeMethod(String id) {
        this.id = id;
    }

    /** The method named {@code name}; {@code source} names where it came from for the error message. */
    public static RopeMethod parse(String name, String source) {
        for (RopeMethod m : values()) {
            if (m.id.equals(name)) return m;
        }
        throw new AmadeusException(source + ": unknown RoPE scaling method '" + name + "' (expected one of " + names() + ")");
    }

    public static String names() {
        return Arrays.stream(values()).map(m -> m.id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
