package dev.logitlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI end to end in-process: real training on the synthetic data set, real error handling. */
class LabTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int lab(String... args) {
        CommandLine cli = Lab.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void trainWritesACheckpointPerEpochAndPrintsTheLastOne() {
        Path run = dir.resolve("run");
        int code = lab("train", "--dataset", "synthetic", "--model", "linear", "--defense", "ls=0.3", "--epochs", "2",
                "--batch", "32", "--lr", "0.01", "--out", run.toString());
        assertEquals(0, code, err.toString());
        assertTrue(Files.isRegularFile(run.resolve("epoch-001/checkpoint.json")));
        assertTrue(Files.isRegularFile(run.resolve("epoch-002/model.params")));
        assertTrue(out.toString().contains("last checkpoint: " + run.resolve("epoch-002").toAbsolutePath()), out.toString());

        // Running it again finds the run complete instead of training twice.
        assertEquals(0, lab("train", "--dataset", "synthetic", "--model", "linear", "--defense", "ls=0.3",
                "--epochs", "2", "--batch", "32", "--lr", "0.01", "--out", run.toString()));
        assertTrue(out.toString().contains("already complete"), out.toString());
    }

    @Test
    void aBadDefenseIsAClearErrorNamingTheTermNotAStackTrace() {
        int code = lab("train", "--dataset", "synthetic", "--defense", "ls=0.5,foo=1", "--out", dir.toString());
        assertEquals(1, code);
        assertTrue(err.toString().contains("defense term 'foo=1'"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void evaluateWritesTheEvaluationReport() throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, lab("train", "--dataset", "synthetic", "--model", "small-cnn", "--epochs", "2", "--batch", "50",
                "--out", run.toString()));
        Path json = dir.resolve("reports/eval.json");
        int code = lab("evaluate", "--model", run.resolve("epoch-002").toString(), "--limit", "60", "--eps", "0.05,0.2",
                "--attacks", "fgsm,pgd:steps=5,square:queries=50,noise:draws=3", "--gaps", "20", "--json", json.toString());
        assertEquals(0, code, err.toString());

        var report = dev.logitlab.core.Json.MAPPER.readTree(json.toFile());
        assertEquals("logitlab.evaluation/v1", report.get("schema").asText());
        assertEquals("synthetic", report.get("dataset").asText());
        assertEquals(60, report.get("examples").asInt());
        assertEquals(8, report.get("attacks").size(), "4 attacks × 2 budgets");
        assertEquals(2, report.get("worstCase").size());
        for (var worst : report.get("worstCase")) {
            double eps = worst.get("eps").asDouble();
            for (var attack : report.get("attacks")) {
                if (attack.get("eps").asDouble() == eps) {
                    assertTrue(worst.get("robustAccuracy").asDouble() <= attack.get("robustAccuracy").asDouble(),
                            "the worst case is never above any single attack");
                    assertEquals(60, attack.get("robust").asText().length());
                }
            }
        }
        assertEquals(5, report.get("attacks").get(1).get("params").get("steps").asInt());
        assertTrue(report.get("gaps").get("examples").asInt() > 0);
        assertTrue(report.get("gaps").get("gradientGapL1Median").asDouble() > 0);
        assertEquals(dev.logitlab.core.analysis.MaskingCheck.values().length, report.get("masking").get("checks").size());
        assertTrue(out.toString().contains("worst case") && out.toString().contains("gradient masking"), out.toString());
    }

    @Test
    void aBadAttackSpecIsAClearError() {
        int code = lab("evaluate", "--model", dir.toString(), "--dataset", "synthetic", "--attacks", "pgd:stepz=3");
        assertEquals(1, code);
        assertTrue(err.toString().contains("'pgd:stepz=3'"), err.toString());
    }

    /** Picocli formats help texts: a bare '%' (as in "95% interval") makes it warn and print the raw text. */
    @Test
    void everyHelpTextIsAValidFormatString() {
        java.util.List<String> bad = new java.util.ArrayList<>();
        java.util.Deque<CommandLine> commands = new java.util.ArrayDeque<>(java.util.List.of(Lab.commandLine()));
        while (!commands.isEmpty()) {
            CommandLine command = commands.pop();
            commands.addAll(command.getSubcommands().values());
            java.util.List<String> texts = new java.util.ArrayList<>(
                    java.util.List.of(command.getCommandSpec().usageMessage().description()));
            command.getCommandSpec().options().forEach(o -> texts.addAll(java.util.List.of(o.description())));
            command.getCommandSpec().positionalParameters().forEach(p -> texts.addAll(java.util.List.of(p.description())));
            for (String text : texts) {
                try {
                    String.format(text);
                } catch (java.util.IllegalFormatException e) {
                    bad.add(command.getCommandName() + ": " + text);
                }
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        assertEquals(2, lab("train", "--dataset", "synthetic"));
        assertTrue(err.toString().contains("--out"), err.toString());
    }
}
