package dev.amadeus.server;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Files under classpath {@code web/} are served with their content types; nothing outside it is. */
class StaticFilesTest {

    @Test
    void servesWebFilesWithTheirContentTypes() throws Exception {
        try (TestServer server = new TestServer(1, 64, "key")) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> css = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/static-test/page.css")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, css.statusCode()); // the page needs no API key
            assertEquals("text/css; charset=utf-8", css.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("body { color: black; }\n", css.body());
            HttpResponse<String> js = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/static-test/page.js")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("Content-Type").orElseThrow());
            for (String path : new String[]{"/static-test/", "/static-test/../static-test/page.css", "/dev/amadeus/server/Router.class"}) {
                assertEquals(404, server.get(path).status(), path);
            }
        }
    }
}
