package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP/1.1 over one kept-alive connection per thread, with a timeout chosen per call: a query gets seconds, a force-merge
 * gets half an hour. Non-2xx answers are errors that carry the start of the body.
 */
final class BenchHttp {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    private final int port;
    private final String baseUrl;

    BenchHttp(int port) {
        this.port = port;
        this.baseUrl = "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null, "application/json", QUERY_TIMEOUT);
    }

    JsonNode get(String path, Duration timeout) {
        return send("GET", path, null, "application/json", timeout);
    }

    JsonNode put(String path, String json) {
        return send("PUT", path, json, "application/json", QUERY_TIMEOUT);
    }

    JsonNode post(String path, String json, Duration timeout) {
        return send("POST", path, json, "application/json", timeout);
    }

    /** A search: the parsed response. */
    JsonNode search(String index, String json) {
        return send("POST", "/" + index + "/_search", json, "application/json", QUERY_TIMEOUT);
    }

    JsonNode ndjson(String path, String body, Duration timeout) {
        return send("POST", path, body, "application/x-ndjson", timeout);
    }

    private JsonNode send(String method, String path, String body, String contentType, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                String text = new String(response.body(), StandardCharsets.UTF_8);
                String start = text.substring(0, Math.min(1500, text.length()));
                throw new IllegalStateException(method + " " + path + " answered HTTP " + response.statusCode() + ": " + start);
            }
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }
}
