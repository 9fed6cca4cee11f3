package dev.logitlab.core.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.EvaluationReport.AttackRun;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two models judged by the same suite share a protocol, whatever their own outcomes made the suite do. */
class ProtocolTest {

    private static final String WORST = "1".repeat(40) + "0".repeat(60);

    @Test
    void survivorCountsAndAnEscalatedRunAreTheModelsNotTheProtocols() {
        EvaluationReport a = report(List.of(pgd(), square(57)));
        EvaluationReport b = report(List.of(pgd(), square(12), new AttackRun("square", "linf", 0.1, 0.3, 1,
                Map.of("queries", 800, "attacked", 40, "escalated", "unavailable-gradients"), WORST)));
        assertEquals(Protocol.of(a), Protocol.of(b));
    }

    @Test
    void anotherQueryBudgetIsAnotherProtocol() {
        EvaluationReport a = report(List.of(pgd(), square(57)));
        EvaluationReport b = report(List.of(pgd(), new AttackRun("square", "linf", 0.1, 0.4, 1,
                Map.of("queries", 400, "attacked", 57), WORST)));
        assertNotEquals(Protocol.of(a), Protocol.of(b));
    }

    @Test
    void theProceduresWhoseBreaksCountArePartOfIt() {
        EvaluationReport a = report(List.of(pgd())).withProcedures(new EvaluationReport.Procedures(200, 200, 10));
        EvaluationReport searched = report(List.of(pgd())).withProcedures(new EvaluationReport.Procedures(0, 0, 10));
        assertEquals(List.of("procedures: minimal-ε searches on 200 (PGD, FMN on 200) examples against minimal-ε "
                + "searches on 0 (PGD, FMN on 0) examples"), Protocol.of(a).differences(Protocol.of(searched)));
        // The single draws judge only a randomized model; a deterministic one's protocol does not hold them.
        EvaluationReport draws = report(List.of(pgd())).withProcedures(new EvaluationReport.Procedures(200, 200, 50));
        assertEquals(Protocol.of(a), Protocol.of(draws));
        assertEquals(1, Protocol.of(report(List.of(pgd()))).differences(Protocol.of(a)).size(),
                "a report from before every break counted is judged under another protocol");
    }

    private static AttackRun pgd() {
        return new AttackRun("pgd", "linf", 0.1, 0.4, 1, Map.of("steps", 20), WORST);
    }

    private static AttackRun square(int attacked) {
        return new AttackRun("square", "linf", 0.1, 0.4, 1, Map.of("queries", 200, "attacked", attacked), WORST);
    }

    private static EvaluationReport report(List<AttackRun> runs) {
        return new EvaluationReport(EvaluationReport.SCHEMA, "m", "fashion-mnist", WORST.length(), 0, 0.9, runs,
                List.of(new EvaluationReport.WorstCase("linf", 0.1, 0.4, WORST, ClopperPearson.of(WORST).toList())),
                null, new EvaluationReport.Masking(false, List.of()), List.of(0.85, 0.95));
    }
}
