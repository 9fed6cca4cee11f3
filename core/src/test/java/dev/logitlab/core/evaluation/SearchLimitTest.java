package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.EvaluationReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** PGD's and FMN's minimal-ε searches cover the plan's searchLimit of the gap examples; FGSM's and the gaps all. */
class SearchLimitTest {

    @Test
    void theCostlySearchesCoverOnlyTheFirstSearchLimitGapExamplesAndTheTimelineNamesEveryStage() throws Exception {
        TrainTestSplit data = Datasets.load("synthetic", null);
        Path checkpoint = Models.syntheticLinear();
        try (Classifier model = Classifiers.open(checkpoint)) {
            EvaluationReport all = new Evaluation(model, data.test(), new EvaluationPlan(List.of(0.1), List.of(), "fgsm",
                    100, 0, 20), null, null).run("m");
            EvaluationReport some = new Evaluation(model, data.test(), new EvaluationPlan(List.of(0.1), List.of(),
                    "fgsm", 100, 0, 20, 5), null, null).run("m");
            assertEquals(20, all.gaps().examples(), "the synthetic set is separable: 20 correct examples at least");
            assertEquals(Map.of("fgsm", 20, "pgd", 20, "fmn", 20), examples(all));
            assertEquals(Map.of("fgsm", 20, "pgd", 5, "fmn", 5), examples(some));
            assertEquals(all.gaps().logitGapMedian(), some.gaps().logitGapMedian(), "the gaps are the same examples'");
            List<String> stages = some.timeline().stream().map(EvaluationReport.Stage::name).toList();
            assertTrue(stages.containsAll(List.of("attack fgsm", "ε sweep (PGD-20, masking checks)",
                    "analysis: minimal ε for PGD", "analysis: minimal ε for FMN", "analysis: masking checks")),
                    stages.toString());
            assertTrue(some.timeline().stream().allMatch(s -> s.seconds() >= 0));
        }
    }

    private static Map<String, Integer> examples(EvaluationReport report) {
        return report.gaps().minimalEps().stream().collect(Collectors.toMap(EvaluationReport.MinimalEps::attack,
                EvaluationReport.MinimalEps::examples, (a, b) -> a, java.util.TreeMap::new));
    }
}
