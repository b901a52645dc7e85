package dev.amadeus.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared models, test vectors and corpora. Their location comes from the system property
 * {@code amadeus.shared} (set by the build to {@code ../shared} beside the project). Tests that need
 * them fail loudly when the folder is missing; they are never skipped.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String configured = System.getProperty("amadeus.shared", System.getenv().getOrDefault("AMADEUS_SHARED", "../shared"));
        Path root = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("shared data folder not found at " + root
                    + " (set -Damadeus.shared=PATH or AMADEUS_SHARED)");
        }
        return root;
    }

    /** A file under the shared folder, which must exist. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("missing shared file " + p);
        return p;
    }

    public static Path model(String name) {
        return file("models/" + name);
    }
}
