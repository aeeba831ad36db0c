package org.recsys.recommend.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The few plain REST calls the driver makes itself (the model, the staging index, the manifest, {@code _import}): the
 * connector only reads and writes documents. {@code java.net.http}, so that the job needs no client library beside Spark.
 */
final class EsHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    /** An answer; {@link #json()} parses its body. */
    record Response(int status, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new EsException("Elasticsearch answered HTTP " + status + " with a body that is not JSON", status, body);
            }
        }
    }

    /** A call that failed; the job prints {@link #body()}, Elasticsearch's own error, as it came. */
    static final class EsException extends RuntimeException {
        private final int status;
        private final String body;

        EsException(String message, int status, String body) {
            super(message);
            this.status = status;
            this.body = body;
        }

        int status() {
            return status;
        }

        String body() {
            return body;
        }
    }

    private final URI base;
    private final String authorization;
    private final HttpClient client;

    EsHttp(URI base, String user, String password) {
        String url = base.toString();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.authorization = user == null
            ? null
            : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** A path segment (index name, document id, model id) escaped for a URL: {@code r1:manifest} → {@code r1%3Amanifest}. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Response get(String path) {
        return send("GET", path, null, DEFAULT_TIMEOUT);
    }

    Response head(String path) {
        return send("HEAD", path, null, DEFAULT_TIMEOUT);
    }

    Response put(String path, Object body) {
        return send("PUT", path, body, DEFAULT_TIMEOUT);
    }

    Response post(String path, Object body) {
        return send("POST", path, body, DEFAULT_TIMEOUT);
    }

    Response post(String path, Object body, Duration timeout) {
        return send("POST", path, body, timeout);
    }

    /** Sends and answers whatever status came back; only a transport failure (no answer at all) throws. */
    Response send(String method, String path, Object body, Duration timeout) {
        URI uri = base.resolve(path.startsWith("/") ? path.substring(1) : path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            String json = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
            if (json == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json");
                request.method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new EsException(method + " " + uri + " failed: " + e, -1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EsException(method + " " + uri + " was interrupted", -1, "");
        }
    }

    /** {@code response} when it is a success, else an {@link EsException} saying what was being done. */
    static Response require(Response response, String what) {
        if (response.ok() == false) {
            throw new EsException("could not " + what + ": HTTP " + response.status(), response.status(), response.body());
        }
        return response;
    }
}
