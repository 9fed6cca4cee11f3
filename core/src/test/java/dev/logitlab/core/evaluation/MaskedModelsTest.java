package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.analysis.MaskingCheck;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.EvaluationReport;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The masking verdict end to end: quiet on an honestly trained model, and firing, with the right checks, on
 * models built to hide their gradients (input quantisation, saturated softmax, probabilities, random outputs).
 * A confident model must not look masked: only the loss that saturates is flagged.
 */
class MaskedModelsTest {

    private static final String ATTACKS = "fgsm,pgd,pgd-margin,apgd-ce:steps=20,square:queries=300,noise";
    private static Classifier plain;
    private static Dataset test;

    @BeforeAll
    static void train() {
        plain = Models.plainSmallCnn();
        test = Models.fashion().test();
    }

    @AfterAll
    static void close() {
        plain.close();
    }

    @Test
    void anHonestlyTrainedModelIsNotSuspected() {
        EvaluationReport report = evaluate(plain, 100);
        print(report);
        assertFalse(report.masking().suspected(), () -> failed(report).toString());
        assertEquals(MaskingCheck.values().length, report.masking().checks().size());
    }

    @Test
    void inputQuantisationIsCaught() {
        EvaluationReport report = evaluate(wrapped(m -> Models.quantized(m, 8)), 100);
        print(report);
        assertTrue(report.masking().suspected());
        assertTrue(failed(report).containsAll(Set.of("unavailable-gradients", "gradient-free-beats-gradient",
                "noise-beats-gradient", "unconstrained-failure")), failed(report).toString());
    }

    @Test
    void aSaturatedSoftmaxIsCaughtByTheLossItSaturatesNotByItsConfidence() {
        EvaluationReport report = evaluate(wrapped(m -> Models.scaled(m, 1000)), 100);
        print(report);
        assertTrue(failed(report).contains("loss-saturation"), failed(report).toString());
        // Its margin and DLR gradients are intact: tiny cross-entropy gradients are not unavailable ones.
        assertFalse(failed(report).contains("unavailable-gradients"), failed(report).toString());
        assertFalse(failed(report).contains("unstable-predictions"), failed(report).toString());
    }

    @Test
    void saturationOffTheDataGridLetsFgsmBeatPgd() {
        EvaluationReport report = evaluate(wrapped(Models::saturatedOffTheDataGrid), 100);
        print(report);
        assertTrue(failed(report).containsAll(Set.of("single-step-beats-iterative", "loss-saturation")),
                failed(report).toString());
    }

    @Test
    void maskingThatGrowsWithEpsilonMakesRobustnessNonMonotone() {
        EvaluationReport report = evaluate(wrapped(m -> Models.saturatedWhenManyPixelsClip(m, 30)), 100);
        print(report);
        assertTrue(failed(report).contains("non-monotone-in-eps"), failed(report).toString());
    }

    @Test
    void aSurrogateThatBeatsWhiteBoxAttacksIsCaught() {
        try (Classifier surrogate = Models.plainSmallCnn()) {
            Classifier target = wrapped(m -> Models.quantized(m, 8));
            EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm,pgd,transfer", 100, 0, 0);
            EvaluationReport report = new Evaluation(target, test, plan, surrogate, null).run("quantized");
            target.close();
            print(report);
            assertTrue(failed(report).contains("transfer-failure"), failed(report).toString());
        }
    }

    @Test
    void gradientAttacksThatMissAdversarialsKnownToExistFailTheBinarizationTest() {
        Classifier quantized = wrapped(m -> Models.quantized(m, 8));
        EvaluationReport report = new Evaluation(quantized, test, new EvaluationPlan(List.of(0.1), "fgsm,pgd", 50, 0, 0),
                null, null).run("quantized");
        quantized.close();
        print(report);
        assertTrue(failed(report).contains("binarization-test"), failed(report).toString());
    }

    @Test
    void probabilitiesAndRandomOutputsAreCaught() {
        assertTrue(failed(evaluate(wrapped(Models::softmaxOutputs), 50)).contains("probability-outputs"));
        // Attacked through 20 passes per query (EOT), so a small plan keeps the test fast.
        Classifier randomized = wrapped(m -> Models.randomized(m, 0.5f));
        EvaluationReport random = new Evaluation(randomized, test, new EvaluationPlan(List.of(0.1), "fgsm,pgd", 20, 0, 0),
                null, null).run("randomized");
        randomized.close();
        assertTrue(failed(random).contains("unstable-predictions"), failed(random).toString());
        assertTrue(random.masking().checks().stream().anyMatch(c -> c.name().equals("unstable-predictions")
                && c.fix().contains("EOT")), "the report says the attacks ran with EOT");
    }

    private static Classifier wrapped(UnaryOperator<Classifier> wrapper) {
        return wrapper.apply(Models.plainSmallCnn());
    }

    private static EvaluationReport evaluate(Classifier model, int limit) {
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), ATTACKS, limit, 0, 0);
        EvaluationReport report = new Evaluation(model, test, plan, null, null).run(model.description());
        if (model != plain) {
            model.close();
        }
        return report;
    }

    private static Set<String> failed(EvaluationReport report) {
        return report.masking().checks().stream().filter(c -> !c.passed()).map(EvaluationReport.Check::name)
                .collect(Collectors.toSet());
    }

    private static void print(EvaluationReport report) {
        Map<String, Double> robust = report.attacks().stream()
                .collect(Collectors.toMap(EvaluationReport.AttackRun::name, EvaluationReport.AttackRun::robustAccuracy,
                        Math::min)); // an escalated Square shares its name
        System.out.println(report.model() + " clean " + report.cleanAccuracy() + " " + robust);
        report.masking().checks().forEach(c -> System.out.println("  " + c.passed() + " " + c.name() + ": " + c.detail()));
    }
}
