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
        assertTrue(inside.out.contains("gate: PASSED"), inside.out);
        assertEquals("0", junit(dir.resolve("in.xml")).getDocumentElement().getAttribute("failures"));

        // Just outside, the lower bound no longer clears the margin, yet no drop that large is shown either.
        Run outside = lab("gate", "--baseline", baseline.toString(), "--candidate", candidate.toString(), "--max-drop",
                Double.toString(-lower - 1e-6), "--junit", dir.resolve("out.xml").toString(), "--markdown",
                dir.resolve("out.md").toString());
        assertEquals(3, outside.code, outside.out);
        assertTrue(outside.out.contains("INCONCLUSIVE ε=0.1: change -0.030"), outside.out);
        assertTrue(outside.out.contains("examples with the same outcome rates would decide it"), outside.out);
        assertTrue(outside.out.contains("negative flips at ε=0.1 (example indices): 100 101 102 103 104 105 106 107"),
                outside.out);
        Document xml = junit(dir.resolve("out.xml"));
        assertEquals("0", xml.getDocumentElement().getAttribute("failures"));
        assertEquals("1", xml.getDocumentElement().getAttribute("skipped"), "inconclusive is JUnit's third state");
        assertEquals(2, xml.getElementsByTagName("testcase").getLength(), "one per budget and one for masking");
        String md = Files.readString(dir.resolve("out.md"));
        assertTrue(md.contains("| ε=0.1 | 0.540 [") && md.contains("inconclusive"), md);
        Run lenient = lab("gate", "--baseline", baseline.toString(), "--candidate", candidate.toString(), "--max-drop",
                Double.toString(-lower - 1e-6), "--if-inconclusive", "pass");
        assertEquals(0, lenient.code, lenient.out);
        assertTrue(lenient.out.contains("gate: INCONCLUSIVE"), lenient.out);
    }

    @Test
    void aDropLargerThanTheMarginRegressesAndAModelAgainstItselfDoesNot() throws Exception {
        Path baseline = report("baseline.json", BASELINE, List.of());
        Path weaker = report("weaker.json", "1".repeat(60) + "0".repeat(140), List.of());
        Run run = lab("gate", "--baseline", baseline.toString(), "--candidate", weaker.toString(), "--junit",
                dir.resolve("r.xml").toString(), "--markdown", dir.resolve("r.md").toString());
        assertEquals(1, run.code, run.out);
        assertTrue(run.out.contains("REGRESSED    ε=0.1: change -0.240") && run.out.contains("gate: REGRESSED"), run.out);
        assertEquals("1", junit(dir.resolve("r.xml")).getDocumentElement().getAttribute("failures"));
        assertTrue(Files.readString(dir.resolve("r.md")).contains("**regressed**"));
        // Seen: one 150-example report as both baseline and candidate exited 1, like a real drop. No change is not a
        // regression: 150 examples cannot show non-inferiority at 0.01, and the gate says how many could.
        String same = "1".repeat(21) + "0".repeat(129);
        Path itself = report("itself.json", same, List.of());
        Run self = lab("gate", "--baseline", itself.toString(), "--candidate", itself.toString());
        assertEquals(3, self.code, self.out);
        assertTrue(self.out.contains("gate: INCONCLUSIVE (about 193 examples with the same outcome rates would decide "
                + "it"), self.out);
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
