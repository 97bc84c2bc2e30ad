// Routes the example encounters of King County's LEAD program from plain Java and prints each
// decision; then explains the first one in sentences, and routes the day's lines as one batch
// (one line is broken on purpose: it is refused alone, the others are decided).
//
// It uses only the published jar (org.offramp:offramp, with the native library inside), JNA and
// the Kotlin standard library. scripts/test-kotlin compiles and runs it:
//
//   javac -cp offramp.jar -d classes RouteAndExplain.java
//   java -cp classes:offramp.jar:jna.jar:kotlin-stdlib.jar RouteAndExplain REPO_ROOT

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.offramp.BatchAnswer;
import org.offramp.Decision;
import org.offramp.EligiblePathway;
import org.offramp.OfframpException;
import org.offramp.Program;
import org.offramp.Router;

public final class RouteAndExplain {
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Path programFile = root.resolve("examples/programs/lead-king-county.toml");
        List<String> lines = Files.readAllLines(
            root.resolve("examples/encounters/lead-king-county.jsonl"), StandardCharsets.UTF_8);

        // Kotlin's companion functions are static-like members of `Companion` from Java;
        // Program, Router and the other objects hold native memory: try-with-resources frees it.
        try (Program program = Program.Companion.fromFile(programFile.toString());
             Router router = new Router(program)) {
            Decision first = null;
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                Decision decision = router.routeJson(line);
                if (first == null) {
                    first = decision;
                }
                String eligible = decision.getEligible().stream()
                    .map(EligiblePathway::getPathway)
                    .map(Enum::name)
                    .collect(Collectors.joining(", "));
                System.out.printf("%s: %s [%s]%n",
                    decision.getEncounterId(), decision.getDisposition(), eligible);
            }
            if (first != null) {
                System.out.println();
                System.out.println(first.explain());
            }

            // The same lines as one batch, with a line cut short: one answer per line, in order.
            List<String> batch = new ArrayList<>(lines);
            batch.add("{\"id\": \"kc-broken\", \"at\": ");
            List<BatchAnswer> answers = router.routeBatchJson(batch);
            int decided = 0;
            for (int i = 0; i < answers.size(); i++) {
                BatchAnswer answer = answers.get(i);
                if (answer instanceof BatchAnswer.Decided) {
                    decided++;
                } else if (answer instanceof BatchAnswer.Refused) {
                    BatchAnswer.Refused refused = (BatchAnswer.Refused) answer;
                    System.out.printf("line %d refused: %s%n", i + 1, refused.getDetail());
                }
            }
            System.out.printf("batch: %d of %d decided%n", decided, answers.size());
        } catch (OfframpException e) {
            System.err.println(e.describe());
            System.exit(1);
        }
    }
}
