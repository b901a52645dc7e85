package dev.amadeus.server;

import java.nio.file.Path;

/**
 * How {@code amadeus serve} runs.
 *
 * @param apiKey       clients must send {@code Authorization: Bearer <apiKey>} to /v1/ endpoints; null for none
 * @param parallel     requests generating at once; more wait in a queue
 * @param contextSize  tokens of context per request, or null for 4096 or the model's trained context if smaller
 * @param chatTemplate a built-in template name or a Jinja file, or null for the model's own template
 */
public record ServerConfig(Path model, String host, int port, String apiKey, int parallel, Integer contextSize,
                           String chatTemplate, int threads) {
}
