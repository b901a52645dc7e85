package dev.amadeus.server;

import com.sun.net.httpserver.HttpServer;
import dev.amadeus.AmadeusException;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.tensor.ThreadPool;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible HTTP server for one model: the JDK's HTTP server with a virtual thread per request,
 * in front of a {@link Scheduler} that interleaves the decode steps of up to {@code parallel} requests.
 */
public final class AmadeusServer implements AutoCloseable {
    private final Model model;
    private final ThreadPool pool;
    private final Scheduler scheduler;
    private final HttpServer http;
    private final ExecutorService executor;
    private final ServedModel served;

    private AmadeusServer(Model model, ThreadPool pool, Scheduler scheduler, HttpServer http, ExecutorService executor, ServedModel served) {
        this.model = model;
        this.pool = pool;
        this.scheduler = scheduler;
        this.http = http;
        this.executor = executor;
        this.served = served;
    }

    /** Loads the model and starts listening; port 0 picks a free port (see {@link #port()}). */
    public static AmadeusServer start(ServerConfig config) {
        if (config.parallel() <= 0) throw new AmadeusException("--parallel must be positive, got " + config.parallel());
        if (config.threads() <= 0) throw new AmadeusException("--threads must be positive, got " + config.threads());
        if (config.port() < 0 || config.port() > 65535) throw new AmadeusException("--port must be in 0..65535, got " + config.port());
        Model model = Model.load(config.model());
        ThreadPool pool = null;
        Scheduler scheduler = null;
        try {
            int ctx = config.contextSize() != null ? config.contextSize() : Math.min(4096, model.config().trainedContextLength());
            if (ctx <= 1) throw new AmadeusException("--ctx-size must be at least 2, got " + ctx);
            ServedModel served = new ServedModel(model, config.model(), config.chatTemplate(), ctx);
            pool = new ThreadPool(config.threads());
            Metrics metrics = new Metrics();
            scheduler = new Scheduler(new Transformer(model.config(), model.weights(), pool), config.parallel(), ctx, metrics);
            HttpServer http;
            try {
                http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
            } catch (IOException e) {
                throw new AmadeusException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage());
            }
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            http.setExecutor(executor);
            http.createContext("/", new Router(served, scheduler, metrics, config.apiKey()));
            http.start();
            return new AmadeusServer(model, pool, scheduler, http, executor, served);
        } catch (RuntimeException | Error e) {
            if (scheduler != null) scheduler.close();
            if (pool != null) pool.close();
            model.close();
            throw e;
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The id clients name the model by: the file name without {@code .gguf}. */
    public String modelId() {
        return served.id;
    }

    public int contextSize() {
        return served.contextSize;
    }

    @Override
    public void close() {
        http.stop(0);
        scheduler.close();
        executor.shutdownNow();
        pool.close();
        model.close();
    }
}
