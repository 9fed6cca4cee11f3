package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The default suite against AutoAttack's standard cascade, example by example, on model families the test can make
 * quickly: it must break every example the cascade breaks, on fewer passes. (`./lab bench suites` runs all eight
 * families on more images; docs/benchmarks.md has its table.)
 */
class DefaultSuiteStrengthTest {

    private static final int IMAGES = 30;

    @ParameterizedTest
    @ValueSource(strings = {"plain", "saturated"})
    void theDefaultSuiteMissesNothingTheCascadeBreaksOnFewerPasses(String family) {
        Dataset test = Models.fashion().test();
        EvaluationReport cascade = evaluate(family, AttackSuite.AUTOATTACK, test);
        EvaluationReport suite = evaluate(family, AttackSuite.DEFAULT, test);
        String reference = cascade.worstCase().get(0).robust();
        String ours = suite.worstCase().get(0).robust();
        for (int i = 0; i < IMAGES; i++) {
            assertTrue(reference.charAt(i) != '0' || ours.charAt(i) != '1',
                    family + ": example " + i + " broken by the cascade, robust under the default suite");
        }
        assertEquals(reference.replace('0', '1'), ours.replace('0', '1'),
                "the same examples were misclassified before any attack");
        Passes theirs = ShardTimes.suitePasses(cascade);
        Passes mine = ShardTimes.suitePasses(suite);
        assertTrue(mine.total() < theirs.total(), family + ": " + mine + " against the cascade's " + theirs);
    }

    private static EvaluationReport evaluate(String family, String attacks, Dataset test) {
        UnaryOperator<Classifier> wrap = family.equals("saturated") ? m -> Models.scaled(m, 1000) : m -> m;
        try (Classifier model = wrap.apply(Models.plainSmallCnn())) {
            return new Evaluation(model, test, new EvaluationPlan(List.of(0.1), attacks, IMAGES, 0, 0), null, null)
                    .run(family);
        }
    }
}
