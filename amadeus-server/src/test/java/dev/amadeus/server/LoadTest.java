package dev.amadeus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 16 concurrent streaming clients × 20 requests on a server with 4 slots: every client gets its own complete,
 * well-formed stream, equal to the same greedy request run alone. Prints latency, throughput and peak heap.
 */
class LoadTest {
    private static final int CLIENTS = 16;
    private static final int REQUESTS = 20;
    private static final int MAX_TOKENS = 10;
    private static final String[] NAMES = {"Lily", "Tom", "Ben", "Sue", "Max", "Mia", "Sam", "Tim"};

    private static String body(int client) {
        String who = NAMES[client % NAMES.length];
        String what = client < NAMES.length ? "a dog" : "a ball";
        return """
                {"model":"stories260K","messages":[{"role":"user","content":"%s had %s"}],"temperature":0,"max_tokens":%d,\
                "stream":true,"stream_options":{"include_usage":true}}""".formatted(who, what, MAX_TOKENS);
    }

    /** Checks the stream's shape and returns its text and completion-token count. */
    private static String[] parse(List<String> lines) {
        StringBuilder text = new StringBuilder();
        String id = null;
        int finishes = 0;
        int completionTokens = -1;
        boolean done = false;
        boolean first = true;
        for (String line : lines) {
            if (line.isEmpty()) continue;
            assertTrue(line.startsWith("data: "), line);
            assertTrue(!done, "data after [DONE]");
            String data = line.substring(6);
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            JsonNode chunk;
            try {
                chunk = TestServer.JSON.readTree(data);
            } catch (Exception e) {
                throw new AssertionError("bad chunk " + data, e);
            }
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            if (id == null) id = chunk.get("id").asText();
            assertEquals(id, chunk.get("id").asText(), "chunks of one stream share its id");
            if (chunk.has("usage")) {
                assertEquals(0, chunk.get("choices").size());
                completionTokens = chunk.at("/usage/completion_tokens").asInt();
                continue;
            }
            JsonNode choice = chunk.at("/choices/0");
            if (first) assertEquals("assistant", choice.at("/delta/role").asText());
            first = false;
            if (!choice.get("finish_reason").isNull()) finishes++;
            else text.append(choice.at("/delta/content").asText());
        }
        assertTrue(done, "the stream ends with data: [DONE]");
        assertEquals(1, finishes, "exactly one chunk carries finish_reason");
        assertTrue(completionTokens > 0, "a usage chunk was sent");
        return new String[]{text.toString(), Integer.toString(completionTokens)};
    }

    @Test
    void concurrentStreamsEachGetTheirOwnCompleteAnswer() throws Exception {
        try (TestServer server = new TestServer(4, 256, null)) {
            String[] alone = new String[CLIENTS];
            for (int c = 0; c < CLIENTS; c++) alone[c] = parse(server.stream("/v1/chat/completions", body(c)))[0];
            assertTrue(Arrays.stream(alone).distinct().count() > 1, "the clients ask different questions");

            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            long start = System.nanoTime();
            List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            long[] tokens = new long[CLIENTS];
            try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.add(pool.submit(() -> {
                        for (int r = 0; r < REQUESTS; r++) {
                            long t0 = System.nanoTime();
                            String[] got = parse(server.stream("/v1/chat/completions", body(client)));
                            latencies.add(System.nanoTime() - t0);
                            assertEquals(alone[client], got[0], "client " + client + " request " + r);
                            tokens[client] += Integer.parseInt(got[1]);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long peakHeap = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            assertEquals(CLIENTS * REQUESTS, sorted.length);
            System.out.printf("LoadTest: %d clients x %d streaming requests, 4 slots: p50 %.1f ms, p95 %.1f ms, "
                            + "%d tokens in %.2f s = %.0f tokens/s aggregate, peak heap %.0f MiB%n",
                    CLIENTS, REQUESTS, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.95)] / 1e6,
                    Arrays.stream(tokens).sum(), seconds, Arrays.stream(tokens).sum() / seconds, peakHeap / 1048576.0);
            assertEquals(0, server.metric("amadeus_queue_depth"));
            assertEquals(0, server.metric("amadeus_active_requests"));
        }
    }
}
