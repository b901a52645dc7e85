package dev.amadeus.cli;

import dev.amadeus.server.AmadeusServer;
import dev.amadeus.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code amadeus serve}: an OpenAI-compatible HTTP server for one model, running until interrupted. */
@Command(name = "serve", description = "Serve a model over an OpenAI-compatible HTTP API (and a web chat page at /).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on /v1/ endpoints.")
    String apiKey;

    @Option(names = {"-np", "--parallel"}, defaultValue = "1", paramLabel = "N",
            description = "Requests generating at once, each with its own KV cache; more wait in a queue (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "Context size per request (default: 4096 or the model's trained context if smaller).")
    Integer contextSize;

    @Option(names = "--chat-template", paramLabel = "NAME|FILE", description = "Chat template: a built-in name or a Jinja file (default: the model's own).")
    String chatTemplate;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws InterruptedException {
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        long t0 = System.nanoTime();
        AmadeusServer server = AmadeusServer.start(new ServerConfig(model, host, port, apiKey, parallel, contextSize, chatTemplate, nThreads));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.err.printf("amadeus: serving %s (context %d, %d parallel, %d threads) at http://%s:%d/ (loaded in %.2f s)%n",
                server.modelId(), server.contextSize(), parallel, nThreads, host, server.port(), (System.nanoTime() - t0) / 1e9);
        System.err.flush();
        stopped.await();
        return 0;
    }
}
