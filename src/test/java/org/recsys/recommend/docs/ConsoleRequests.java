package org.recsys.recommend.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The requests of the {@code console} code blocks of a Markdown page, in order, as Kibana Dev Tools reads them: a line
 * {@code METHOD path} starts a request, the lines up to the next request are its body (one JSON object, or one line per
 * document for {@code _bulk}), {@code #} lines are comments.
 */
record ConsoleRequests(String page, List<Request> requests) {

    /** One request; {@code line} is its line in the page, for messages. */
    record Request(int line, String method, String path, String body) {
        boolean ndjson() {
            return path.contains("_bulk") || path.contains("_msearch");
        }
    }

    private static final Pattern REQUEST_LINE = Pattern.compile("^(GET|PUT|POST|DELETE|HEAD) (\\S+)$");

    static ConsoleRequests read(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page);
        List<Request> requests = new ArrayList<>();
        boolean inConsole = false;
        String method = null;
        String path = null;
        int start = 0;
        StringBuilder body = new StringBuilder();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (inConsole == false) {
                inConsole = line.strip().equals("```console");
                continue;
            }
            Matcher request = REQUEST_LINE.matcher(line.strip());
            boolean end = line.strip().equals("```");
            if (method != null && (end || request.matches())) {
                requests.add(new Request(start, method, path, body.isEmpty() ? null : body.toString()));
                method = null;
                body.setLength(0);
            }
            if (end) {
                inConsole = false;
            } else if (request.matches()) {
                method = request.group(1);
                path = request.group(2);
                start = n + 1;
            } else if (line.isBlank() == false && line.strip().startsWith("#") == false) {
                if (method == null) {
                    throw new IllegalArgumentException(page + ":" + (n + 1) + ": a body line outside a request: " + line);
                }
                body.append(line.strip()).append('\n');
            }
        }
        if (inConsole) {
            throw new IllegalArgumentException(page + ": a console block is not closed");
        }
        return new ConsoleRequests(page.getFileName().toString(), requests);
    }
}
