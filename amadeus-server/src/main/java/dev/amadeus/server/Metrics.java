package dev.amadeus.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The server's counters, gauges and latency histograms, written in Prometheus' text exposition format 0.0.4. */
final class Metrics {
    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    final AtomicLong promptTokens = new AtomicLong();
    final AtomicLong completionTokens = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    final AtomicLong queueDepth = new AtomicLong();
    final AtomicLong active = new AtomicLong();
    final Histogram timeToFirstToken = new Histogram(LATENCY_BUCKETS);
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> durations = new ConcurrentHashMap<>();

    /** Counts a finished request of {@code path} answered with {@code status}, which took {@code seconds}. */
    void request(String path, int status, double seconds) {
        String endpoint = Endpoints.label(path);
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder()).increment();
        durations.computeIfAbsent(endpoint, k -> new Histogram(LATENCY_BUCKETS)).observe(seconds);
    }

    String render() {
        StringBuilder b = new StringBuilder();
        header(b, "amadeus_requests_total", "counter", "HTTP requests answered, by endpoint and status");
        new TreeMap<>(requests).forEach((labels, n) -> b.append("amadeus_requests_total{").append(labels).append("} ").append(n.sum()).append('\n'));
        header(b, "amadeus_request_duration_seconds", "histogram", "Time from receiving a request to its last byte, by endpoint");
        new TreeMap<>(durations).forEach((endpoint, h) -> h.render(b, "amadeus_request_duration_seconds", "endpoint=\"" + endpoint + "\""));
        header(b, "amadeus_time_to_first_token_seconds", "histogram", "Time from queueing a generation to its first sampled token");
        timeToFirstToken.render(b, "amadeus_time_to_first_token_seconds", "");
        simple(b, "amadeus_prompt_tokens_total", "counter", "Prompt tokens evaluated", promptTokens.get());
        simple(b, "amadeus_completion_tokens_total", "counter", "Tokens generated", completionTokens.get());
        simple(b, "amadeus_requests_cancelled_total", "counter", "Generations dropped because the client disconnected", cancelled.get());
        simple(b, "amadeus_queue_depth", "gauge", "Requests waiting for a free slot", queueDepth.get());
        simple(b, "amadeus_active_requests", "gauge", "Requests holding a slot", active.get());
        return b.toString();
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void simple(StringBuilder b, String name, String type, String help, long value) {
        header(b, name, type, help);
        b.append(name).append(' ').append(value).append('\n');
    }

    /** Cumulative buckets, sum and count, as Prometheus histograms have them. */
    static final class Histogram {
        private final double[] bounds;
        private final long[] counts;
        private double sum;
        private long count;

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new long[bounds.length];
        }

        synchronized void observe(double value) {
            for (int i = 0; i < bounds.length; i++) if (value <= bounds[i]) counts[i]++;
            sum += value;
            count++;
        }

        synchronized void render(StringBuilder b, String name, String labels) {
            String sep = labels.isEmpty() ? "" : labels + ",";
            for (int i = 0; i < bounds.length; i++) {
                b.append(name).append("_bucket{").append(sep).append("le=\"").append(bounds[i]).append("\"} ").append(counts[i]).append('\n');
            }
            b.append(name).append("_bucket{").append(sep).append("le=\"+Inf\"} ").append(count).append('\n');
            String braces = labels.isEmpty() ? "" : "{" + labels + "}";
            b.append(name).append("_sum").append(braces).append(' ').append(sum).append('\n');
            b.append(name).append("_count").append(braces).append(' ').append(count).append('\n');
        }
    }
}
