// Routes encounters through a running `offramp serve` with nothing but the JDK (Java 17+):
// java.net.http.HttpClient for the requests and a small JSON reader for the answers.
//
//   javac -d build examples/serve/java/RouteOverHttp.java
//   OFFRAMP_URL=http://127.0.0.1:8750 OFFRAMP_TOKEN=... java -cp build RouteOverHttp \
//       [--url URL] [--token SECRET] [ENCOUNTERS.jsonl]
//
// The URL and the token come from --url/--token or else from OFFRAMP_URL/OFFRAMP_TOKEN (the
// environment keeps the secret out of the process list). The encounters file defaults to
// examples/encounters/lead-king-county.jsonl. It prints one line per decision, first routing
// the encounters one request each (`route ID DISPOSITION`), then all of them as one JSON-lines
// batch (`batch ID DISPOSITION`, or `batch line N: FIELD: error` for a line that is not an
// encounter), and last sends an encounter with a wrong field to show the problem document
// (RFC 9457) the service answers with: `problem STATUS CODE FIELD`.

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class RouteOverHttp {
    private static final String NDJSON = "application/x-ndjson";
    private static final String JSON = "application/json";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;

    private RouteOverHttp(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String url = System.getenv().getOrDefault("OFFRAMP_URL", "http://127.0.0.1:8750");
        String token = System.getenv("OFFRAMP_TOKEN");
        Path file = Path.of("examples/encounters/lead-king-county.jsonl");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--token" -> token = args[++i];
                default -> file = Path.of(args[i]);
            }
        }
        if (token == null || token.isEmpty()) {
            System.err.println("RouteOverHttp: give the bearer token with --token or OFFRAMP_TOKEN");
            System.exit(2);
        }
        RouteOverHttp client = new RouteOverHttp(url, token);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);

        // One request per encounter: the answer is the decision, one line of JSON.
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            HttpResponse<String> response = client.post("/v1/route", JSON, line);
            if (response.statusCode() != 200) {
                client.printProblem(response);
                continue;
            }
            Map<?, ?> decision = (Map<?, ?>) Json.parse(response.body());
            System.out.println("route " + decision.get("encounter_id") + " " + decision.get("disposition"));
        }

        // The whole file as one JSON-lines batch: one answer line per line sent.
        HttpResponse<String> batch = client.post("/v1/route", NDJSON, String.join("\n", lines) + "\n");
        if (batch.statusCode() != 200) {
            client.printProblem(batch);
        } else {
            for (String answer : batch.body().split("\n")) {
                if (answer.isBlank()) {
                    continue;
                }
                Map<?, ?> record = (Map<?, ?>) Json.parse(answer);
                if (record.get("error") instanceof Map<?, ?> error) {
                    System.out.println("batch line " + Json.integer(error.get("line")) + ": "
                            + error.get("field") + ": error");
                } else {
                    System.out.println("batch " + record.get("encounter_id") + " " + record.get("disposition"));
                }
            }
        }

        // An encounter whose age is not a number: the service answers 400 with a problem
        // document naming the field (never the value sent).
        String bad = "{\"id\":\"example-bad\",\"at\":\"2026-02-03T09:14:00-08:00\","
                + "\"responder\":\"law_enforcement\",\"source\":\"on_view\",\"age\":\"thirty\"}";
        client.printProblem(client.post("/v1/route", JSON, bad));
    }

    private HttpResponse<String> post(String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Prints a problem document (RFC 9457): its status, offramp's code and the field at fault. */
    private void printProblem(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/problem+json")) {
            System.out.println("problem " + response.statusCode() + " (not a problem document)");
            return;
        }
        Map<?, ?> problem = (Map<?, ?>) Json.parse(response.body());
        Object field = problem.get("field");
        System.out.println("problem " + Json.integer(problem.get("status")) + " " + problem.get("code")
                + " " + (field == null ? "-" : field));
    }

    /** A small JSON reader: objects to maps, arrays to lists, numbers to doubles. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Object parse(String text) {
            Json json = new Json(text);
            Object value = json.value();
            json.space();
            if (json.at != text.length()) {
                throw json.fail("text after the value");
            }
            return value;
        }

        static String integer(Object number) {
            return number instanceof Double d ? Long.toString(d.longValue()) : String.valueOf(number);
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw fail("unexpected end");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                default:
                    if (text.startsWith("true", at)) {
                        at += 4;
                        return Boolean.TRUE;
                    }
                    if (text.startsWith("false", at)) {
                        at += 5;
                        return Boolean.FALSE;
                    }
                    if (text.startsWith("null", at)) {
                        at += 4;
                        return null;
                    }
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            space();
            if (peek() == '}') {
                at++;
                return map;
            }
            while (true) {
                space();
                String key = string();
                space();
                expect(':');
                map.put(key, value());
                space();
                if (peek() == ',') {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            space();
            if (peek() == ']') {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (peek() == ',') {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw fail("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e);
                }
            }
        }

        private Double number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            if (start == at) {
                throw fail("not a JSON value");
            }
            return Double.valueOf(text.substring(start, at));
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private char next() {
            if (at >= text.length()) {
                throw fail("unexpected end");
            }
            return text.charAt(at++);
        }

        private void expect(char c) {
            if (next() != c) {
                throw fail("expected '" + c + "'");
            }
        }

        private IllegalArgumentException fail(String why) {
            return new IllegalArgumentException("invalid JSON at character " + at + ": " + why);
        }
    }
}
