package dev.amadeus.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Installs what the browser test needs when it is missing: Debian's chromium (the test machines run as root
 * with apt) and a pinned playwright-core from npm, which drives that chromium and downloads no browser of its
 * own.
 */
final class BrowserTools {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String PLAYWRIGHT_CORE_VERSION = "1.65.1";
    private static final Duration APT_LIMIT = Duration.ofMinutes(10);
    private static final Duration NPM_LIMIT = Duration.ofMinutes(5);

    private BrowserTools() {
    }

    /** Returns Debian's chromium, installing it with apt-get the first time. */
    static synchronized Path chromium() {
        if (Files.isExecutable(CHROMIUM)) {
            return CHROMIUM;
        }
        ExternalCommand.Result install = aptGet("install", "chromium");
        if (!install.succeeded()) {
            // A fresh machine may have no package lists yet.
            ExternalCommand.Result update = aptGet("update");
            if (!update.succeeded()) {
                throw new AssertionError("`apt-get update` failed (exit code " + update.exitCode() + "):\n"
                        + update.output());
            }
            install = aptGet("install", "chromium");
        }
        if (!install.succeeded() || !Files.isExecutable(CHROMIUM)) {
            throw new AssertionError("`apt-get install chromium` did not provide " + CHROMIUM + " (exit code "
                    + install.exitCode() + "):\n" + install.output());
        }
        return CHROMIUM;
    }

    private static ExternalCommand.Result aptGet(String... arguments) {
        List<String> command = new ArrayList<>(
                // Waits for the dpkg lock instead of failing while another install runs on the machine.
                List.of("apt-get", "-q", "-y", "-o", "DPkg::Lock::Timeout=300"));
        command.addAll(List.of(arguments));
        return ExternalCommand.run(command, Path.of("/"), Map.of("DEBIAN_FRONTEND", "noninteractive"), APT_LIMIT);
    }

    /**
     * Installs playwright-core {@value #PLAYWRIGHT_CORE_VERSION} under {@code directory} unless it is there
     * already, and returns the {@code node_modules} directory to put on {@code NODE_PATH}.
     */
    static synchronized Path playwrightCore(Path directory) throws IOException {
        Path nodeModules = directory.resolve("node_modules");
        Path manifest = nodeModules.resolve("playwright-core/package.json");
        if (Files.exists(manifest)
                && Files.readString(manifest).contains("\"version\": \"" + PLAYWRIGHT_CORE_VERSION + "\"")) {
            return nodeModules;
        }
        Files.createDirectories(directory);
        // Without a package.json here npm would climb to a parent directory's project.
        Files.writeString(directory.resolve("package.json"), "{\"private\": true}\n");
        ExternalCommand.Result install = ExternalCommand.run(List.of("npm", "install", "--no-audit", "--no-fund",
                        "--no-save", "--loglevel=error", "playwright-core@" + PLAYWRIGHT_CORE_VERSION), directory,
                Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"), NPM_LIMIT);
        if (!install.succeeded() || !Files.exists(manifest)) {
            throw new AssertionError("`npm install playwright-core@" + PLAYWRIGHT_CORE_VERSION + "` failed (exit code "
                    + install.exitCode() + "):\n" + install.output());
        }
        return nodeModules;
    }
}
