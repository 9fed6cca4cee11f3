package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The measurements on the model alone, made before the attacks' outcomes and kept as JSON (as the analysis service
 * keeps them beside the shards), give the report an analysis after the attacks gives; made on other correct
 * examples, they are measured again.
 */
class ModelMeasurementsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void measuredBeforeTheAttacksAndKeptAsJsonTheyGiveTheSameReportAndOnOtherExamplesAreMeasuredAgain() throws Exception {
        TrainTestSplit data = Datasets.load("synthetic", null);
        Path checkpoint = Models.syntheticLinear();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.05, 0.1), List.of(), "fgsm,pgd:steps=5", 120, 30, 20, 6);
        try (Classifier model = Classifiers.open(checkpoint)) {
            AttackResults attacks = new Evaluation(model, data.test(), plan, null, null).attack("m");
            AnalysisPhase analysis = new AnalysisPhase(model, data.test(), plan);
            EvaluationReport after = analysis.run(attacks, null);

            ModelMeasurements measured = analysis.measure(null);
            assertEquals(attacks.clean(), measured.correct(), "judged correct as the attack phase judged it");
            ModelMeasurements kept = JSON.readValue(JSON.writeValueAsString(measured), ModelMeasurements.class);
            EvaluationReport early = analysis.run(attacks, kept, null);
            assertEquals(withoutTimes(after), withoutTimes(early));
            assertNotNull(early.gaps());
            assertEquals(names(after), names(early), "the timeline names the same stages, the early ones included");
            assertEquals(kept.timeline().stream().map(t -> new EvaluationReport.Stage("analysis: " + t.name(),
                    t.seconds(), t.passes())).toList(), early.timeline().subList(0, kept.timeline().size()),
                    "the early measurements were used, with the seconds and passes they took then");
            assertTrue(kept.timeline().stream().allMatch(t -> t.passes() != null && t.passes().forward() > 0),
                    "every measurement runs the model, and says how often: " + kept.timeline());

            // Made on other correct examples (here a forgery with no gaps at all), they are not used.
            String other = (measured.correct().charAt(0) == '1' ? "0" : "1") + measured.correct().substring(1);
            ModelMeasurements elsewhere = new ModelMeasurements(other, measured.probes(), null, null, List.of(), List.of());
            EvaluationReport remeasured = analysis.run(attacks, elsewhere, null);
            assertEquals(withoutTimes(after), withoutTimes(remeasured));
            assertTrue(remeasured.gaps().examples() > 0);
        }
    }

    private static String withoutTimes(EvaluationReport report) throws Exception {
        return JSON.writeValueAsString(report.withTimeline(List.of()));
    }

    private static List<String> names(EvaluationReport report) {
        return report.timeline().stream().map(EvaluationReport.Stage::name).toList();
    }
}
