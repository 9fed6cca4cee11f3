package dev.logitlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.Json;
import dev.logitlab.core.verdict.PairedDifference;
import dev.logitlab.core.verdict.PairedOutcomes;
import dev.logitlab.events.EvaluationReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code ./lab compare} and {@code ./lab gate} on hand-made reports whose paired outcomes put the decision just inside
 * and just outside the margin: exit codes, the negative flips by index, JUnit XML and Markdown, and clear errors with
 * exit code 2 for what cannot be compared.
 */
class GateCommandTest {

    @TempDir
    Path dir;

    /** 200 examples: the candidate loses 8 the baseline withstood (indices 100–107) and gains 2. */
    static final String BASELINE = "1".repeat(108) + "0".repeat(2) + "0".repeat(90);
    static final String CANDIDATE = "1".repeat(100) + "0".repeat(8) + "1".repeat(2) + "0".repeat(90);

    @Test
    void theGatePassesJustInsideItsMarginAndFailsJustOutside() throws Exception {
        Path baseline = report("baseline.json", BASELINE, List.of());
        Path candidate = report("candidate.json", CANDIDATE, List.of());
        double lower = PairedDifference.lowerBound(PairedOutcomes.of(BASELINE, CANDIDATE), 0.05);

        Run inside = lab("gate", "--baseline", baseline.toString(), "--candidate", candidate.toString(), "--max-drop",
                Double.toString(-lower + 1e-6), "--junit", dir.resolve("in.xml").toString());
        assertEquals(0, inside.code, inside.out);
        assertTrue(inside.out.contains("gate: passed"), inside.out);
        assertEquals("0", junit(dir.resolve("in.xml")).getDocumentElement().getAttribute("failures"));

        Run outside = lab("gate", "--baseline", baseline.toString(), "--candidate", candidate.toString(), "--max-drop",
                Double.toString(-lower - 1e-6), "--junit", dir.resolve("out.xml").toString(), "--markdown",
                dir.resolve("out.md").toString());
        assertEquals(1, outside.code, outside.out);
        assertTrue(outside.out.contains("FAIL ε=0.1: change -0.030"), outside.out);
        assertTrue(outside.out.contains("negative flips at ε=0.1 (example indices): 100 101 102 103 104 105 106 107"),
                outside.out);
        Document xml = junit(dir.resolve("out.xml"));
        assertEquals("1", xml.getDocumentElement().getAttribute("failures"));
        assertEquals(2, xml.getElementsByTagName("testcase").getLength(), "one per budget and one for masking");
        String md = Files.readString(dir.resolve("out.md"));
        assertTrue(md.contains("| ε=0.1 | 0.540 [") && md.contains("**regressed**"), md);
    }

    @Test
    void aNewMaskingIndicatorFailsTheGateWhateverTheNumbers() throws Exception {
        Path baseline = report("b.json", BASELINE, List.of());
        Path candidate = report("c.json", BASELINE, List.of("loss-saturation"));
        Run run = lab("gate", "--baseline", baseline.toString(), "--candidate", candidate.toString(), "--max-drop", "0.2");
        assertEquals(1, run.code, run.out);
        assertTrue(run.out.contains("masking indicators new in the candidate: loss-saturation"), run.out);
        // The same indicator in both is not new.
        Run both = lab("gate", "--baseline", candidate.toString(), "--candidate", candidate.toString(), "--max-drop", "0.2");
        assertEquals(0, both.code, both.out);
    }

    @Test
    void whatCannotBeComparedIsAClearErrorWithExitCode2() throws Exception {
        Path baseline = report("b.json", BASELINE, List.of());
        Path shorter = report("short.json", BASELINE.substring(0, 150), List.of());
        Run protocol = lab("gate", "--baseline", baseline.toString(), "--candidate", shorter.toString());
        assertEquals(2, protocol.code);
        assertTrue(protocol.err.contains("not judged under the same protocol: examples: 200 against 150"), protocol.err);

        EvaluationReport old = new EvaluationReport(EvaluationReport.SCHEMA, "m", "fashion-mnist", 200, 0, 0.9,
                List.of(pgd(BASELINE)), List.of(new EvaluationReport.WorstCase("linf", 0.1, 0.54)), null,
                new EvaluationReport.Masking(false, List.of()));
        Path withoutOutcomes = dir.resolve("old.json");
        Json.MAPPER.writeValue(withoutOutcomes.toFile(), old);
        Run missing = lab("compare", baseline.toString(), withoutOutcomes.toString());
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("without per-example outcomes"), missing.err);

        Run margin = lab("gate", "--baseline", baseline.toString(), "--candidate", baseline.toString(), "--max-drop", "1.5");
        assertEquals(2, margin.code);
        assertTrue(margin.err.contains("--max-drop must be in [0, 1]"), margin.err);
        Run nothing = lab("compare", baseline.toString(), dir.resolve("nope.json").toString());
        assertEquals(2, nothing.code);
    }

    @Test
    void compareReportsTheChangeTheTestAndTheFlips() throws Exception {
        Run run = lab("compare", report("b.json", BASELINE, List.of()).toString(),
                report("c.json", CANDIDATE, List.of()).toString());
        assertEquals(0, run.code, run.err);
        // b = 8, c = 2: McNemar p = 2·(1 + 10 + 45)/1024.
        assertTrue(run.out.contains(String.format(java.util.Locale.ROOT, "%9.4f", 2 * 56 / 1024.0)), run.out);
        assertTrue(run.out.contains("-0.030 ["), run.out);
        assertTrue(run.out.contains("8 (4.0%)"), run.out);
    }

    private Path report(String name, String worst, List<String> failedChecks) throws Exception {
        List<EvaluationReport.Check> checks = new java.util.ArrayList<>(List.of(
                new EvaluationReport.Check("single-step-beats-iterative", true, "")));
        failedChecks.forEach(c -> checks.add(new EvaluationReport.Check(c, false, "evidence")));
        EvaluationReport r = new EvaluationReport(EvaluationReport.SCHEMA, name, "fashion-mnist", worst.length(), 0, 0.9,
                List.of(pgd(worst)), List.of(new EvaluationReport.WorstCase("linf", 0.1,
                        worst.chars().filter(c -> c == '1').count() / (double) worst.length(), worst, null)), null,
                new EvaluationReport.Masking(!failedChecks.isEmpty(), checks));
        Path file = dir.resolve(name);
        Json.MAPPER.writeValue(file.toFile(), r);
        return file;
    }

    private static EvaluationReport.AttackRun pgd(String robust) {
        return new EvaluationReport.AttackRun("pgd", "linf", 0.1, 0.5, 1, Map.of("steps", 20), robust);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run lab(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Lab.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Document junit(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }
}
