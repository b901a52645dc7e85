package dev.amadeus.server;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A streaming client that goes away cancels its generation and frees its slot. */
class DisconnectTest {

    @Test
    void aClientThatDisconnectsCancelsItsGeneration() throws Exception {
        try (TestServer server = new TestServer(1, 2048, null)) {
            long cancelledBefore = server.metric("amadeus_requests_cancelled_total");
            long tokensBefore = server.metric("amadeus_completion_tokens_total");
            // End of text banned and no token limit: alone, this would run until the 2048-token context is full.
            String body = "{\"prompt\":\"Once\",\"stream\":true,\"max_tokens\":1000000,\"logit_bias\":{\"2\":-100}}";
            try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
                OutputStream out = socket.getOutputStream();
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                InputStream in = socket.getInputStream();
                String head = new String(in.readNBytes(15), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 200 OK", head);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.metric("amadeus_requests_cancelled_total") == cancelledBefore && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(cancelledBefore + 1, server.metric("amadeus_requests_cancelled_total"));
        assertEquals(0, server.metric("amadeus_active_requests"));
        assertTrue(server.metric("amadeus_completion_tokens_total") - tokensBefore < 2000);
        assertEquals(200, server.get("/health").status());
        }
    }
}
