package dev.logitlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.cli.demo.LogitPairingExperiment;
import dev.logitlab.core.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logit pairing experiment's two evaluations on a tiny CLP + noise model (a linear model on the synthetic data):
 * the report holds, per defense, the weak configuration's and the full suite's robust accuracy, what was lost between
 * them, and the indicators the full evaluation raised, with the evidence in the full report's masking checks. The
 * finding itself is the experiment's table on Fashion-MNIST, not asserted here.
 */
class LogitPairingExperimentTest {

    @TempDir
    Path dir;

    @Test
    void theReportHoldsBothEvaluationsPerDefenseWithTheDifferenceAndTheIndicators() throws Exception {
        var settings = new LogitPairingExperiment.Settings("synthetic", "linear", List.of("plain", "clp=0.5,gn=0.1"), 2,
                600, List.of(0.05, 0.1), 60, "pgd:steps=2:restarts=1", "fgsm,pgd,pgd-margin,square:queries=50", 10,
                List.of(7L));
        StringWriter printed = new StringWriter();
        Path html = new LogitPairingExperiment(new PrintWriter(printed, true)).run(settings, dir, null);

        JsonNode report = Json.MAPPER.readTree(html.resolveSibling("report.json").toFile());
        JsonNode plain = report.get("weakAgainstFull").get(0);
        assertTrue(plain.get("breach").isNull(), "plain training is the reference, not tested against itself");
        JsonNode defense = report.get("weakAgainstFull").get(1);
        assertEquals("clp=0.5,gn=0.1", defense.get("defense").asText());
        assertEquals(7, defense.get("seed").asInt());
        assertEquals(2, defense.get("breach").size(), "the breach tested per budget");
        assertEquals("pgd:steps=2:restarts=1", defense.get("weakAttacks").asText());
        JsonNode rows = defense.get("rows");
        assertEquals(2, rows.size(), "one row per budget");
        JsonNode fullReport = report.get("runs").get(1).get("checkpoints").get(0);
        List<String> fired = new ArrayList<>();
        fullReport.get("masking").get("checks").forEach(c -> {
            if (!c.get("passed").asBoolean()) {
                fired.add(c.get("name").asText());
            }
        });
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            assertEquals(row.get("weak").asDouble() - row.get("full").asDouble(), row.get("lost").asDouble(), 1e-12);
            assertEquals(fullReport.get("worstCase").get(i).get("robustAccuracy").asDouble(), row.get("full").asDouble());
            assertEquals(2, row.get("weakInterval").size());
            assertEquals(fired, Json.MAPPER.convertValue(row.get("fullIndicators"), List.class));
            assertEquals(fullReport.get("masking").get("suspected").asBoolean(), row.get("fullSuspected").asBoolean());
            assertEquals(row.get("weakSuspected").asBoolean(), !row.get("weakIndicators").isEmpty(),
                    "the weak evaluation's verdict is its own indicators'");
        }
        // The full report has the suite's attacks; the weak one's robust figure came from its PGD alone.
        assertTrue(fullReport.get("attacks").toString().contains("\"square\""));
        assertTrue(printed.toString().contains("clp=0.5,gn=0.1"), printed.toString());
        assertTrue(printed.toString().contains("per image, over seeds"), printed.toString());
        assertEquals(fullReport.get("cleanAccuracy").asDouble(), defense.get("clean").asDouble());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode b = defense.get("breach").get(i);
            boolean shown = b.get("weakOverPlain").asDouble() > 0 && b.get("weakOverPlainP").asDouble() < 0.05
                    && b.get("fullUpper").asDouble() < 0.02;
            boolean refuted = b.get("fullLower").asDouble() > 0.02;
            if (defense.get("clean").asDouble() < plain.get("clean").asDouble() - 0.2) {
                assertEquals("did not train", b.get("answer").asText());
            } else if (shown) {
                assertEquals("shown", b.get("answer").asText());
            } else if (refuted) {
                assertEquals("refuted", b.get("answer").asText());
            } else {
                assertTrue(List.of("refuted", "not shown").contains(b.get("answer").asText()), b.toString());
            }
            assertEquals(rows.get(i).get("weak").asDouble() - plain.get("rows").get(i).get("weak").asDouble(),
                    b.get("weakOverPlain").asDouble(), 1e-12);
        }
        JsonNode pooled = report.get("breachOverSeeds");
        assertEquals(2, pooled.size(), "judged over seeds once per defense and budget");
        for (int i = 0; i < pooled.size(); i++) {
            // one seed: the pooled gain is the seed's own
            assertEquals("clp=0.5,gn=0.1", pooled.get(i).get("defense").asText());
            assertEquals(defense.get("breach").get(i).get("weakOverPlain").asDouble(),
                    pooled.get(i).get("weakOverPlain").asDouble(), 1e-12);
            assertEquals(defense.get("breach").get(i).get("fullOverPlain").asDouble(),
                    pooled.get(i).get("fullOverPlain").asDouble(), 1e-12);
        }
        assertTrue(Files.readString(html).contains("weakAgainstFull"), "the HTML report carries the comparison");
    }
}
