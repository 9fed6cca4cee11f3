package dev.logitlab.core.analysis;

import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.ExpectationOverTransformation;
import dev.logitlab.core.defense.DefenseTerm;
import dev.logitlab.events.EvaluationReport.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The indicators of attack failure (Pintor et al. 2022) and the classic masking checks (Athalye, Carlini &amp;
 * Wagner 2018; Carlini et al. 2019; AutoAttack's checks). Each passes or fails with the numbers behind it and
 * names its fix; a check that lacks its attacks passes and says what to add. Comparisons are like with like:
 * the same loss at the same budget, logit changes relative to the logits' own scale, exact zeros rather than
 * small gradients (a confidently classified example has a tiny cross-entropy gradient and nothing to hide).
 */
public enum MaskingCheck {

    SILENT_SUCCESS("silent-success") {
        @Override
        Check evaluate(MaskingEvidence e) {
            return new Check(name, true, "none possible: every attack counts an example as broken at the first "
                    + "misclassified point it queries, not only at the point it ends on", FIX_NONE);
        }
    },
    INCOMPLETE_OPTIMIZATION("incomplete-optimization") {
        @Override
        Check evaluate(MaskingEvidence e) {
            IncompleteOptimization.Result r = e.incomplete();
            if (r == null) {
                return new Check(name, true, "not run: no example was left robust", FIX_NONE);
            }
            String line = String.format(Locale.ROOT, "ε=%s: on %d robust examples PGD-margin-%d was still improving on "
                            + "%d; with %d steps it broke %d of them", DefenseTerm.format(e.probeEps()), r.probed(),
                    IncompleteOptimization.STEPS, r.stillImproving(), IncompleteOptimization.LONGER, r.brokenByLongerRun());
            return check(r.brokenByLongerRun() <= e.slack(), line,
                    "rerun with " + IncompleteOptimization.LONGER + " steps (applied); raise steps in the attack spec");
        }
    },
    TRANSFER_FAILURE("transfer-failure") {
        @Override
        Check evaluate(MaskingEvidence e) {
            return beatsGradients(e, Set.of("transfer"), "transfer (--surrogate)", "a surrogate's examples",
                    "trust the transfer result; attack a differentiable surrogate of the defense (BPDA)");
        }
    },
    UNAVAILABLE_GRADIENTS("unavailable-gradients") {
        @Override
        Check evaluate(MaskingEvidence e) {
            int correct = MaskingEvidence.count(e.correct(), e.correct());
            String line = String.format(Locale.ROOT, "%d of %d correct examples have an exactly zero DLR-loss gradient",
                    e.zeroGradients(), correct);
            return check(e.zeroGradients() <= e.slack(), line,
                    "gradient-free attacks: Square ran again with 4x the queries on what the others left robust (its "
                            + "row says escalated); BPDA for non-differentiable layers");
        }
    },
    UNSTABLE_PREDICTIONS("unstable-predictions") {
        @Override
        Check evaluate(MaskingEvidence e) {
            String line = String.format(Locale.ROOT, "two forward passes of the same image differ by up to %.2g of its "
                    + "logit range (tolerance %.0e)", e.outputVariation(), ExpectationOverTransformation.TOLERANCE);
            return check(e.outputVariation() <= ExpectationOverTransformation.TOLERANCE, line, "applied: every attack, "
                    + "gap and minimal-ε measurement ran on the mean logits of " + ExpectationOverTransformation.DRAWS
                    + " passes (EOT), and the worst case judges the model as deployed, on single draws");
        }
    },
    UNCONSTRAINED_FAILURE("unconstrained-failure") {
        @Override
        Check evaluate(MaskingEvidence e) {
            double limit = (double) e.slack() / e.examples();
            String line = String.format(Locale.ROOT, "PGD-margin at ε=%s leaves %.1f%% robust (allowed %.1f%%)",
                    DefenseTerm.format(e.unboundedEps()), 100 * e.unboundedRobustAccuracy(), 100 * limit);
            return check(e.unboundedRobustAccuracy() <= limit, line,
                    "the attack, not the model, fails: fix the attack before trusting any bounded figure");
        }
    },

    SINGLE_STEP_BEATS_ITERATIVE("single-step-beats-iterative") {
        @Override
        Check evaluate(MaskingEvidence e) {
            List<String> failures = new ArrayList<>();
            List<String> numbers = new ArrayList<>();
            for (Budget budget : e.budgets()) {
                var fgsm = e.find("fgsm", budget);
                var pgd = e.find("pgd", budget);
                if (fgsm == null || pgd == null) {
                    continue;
                }
                int f = MaskingEvidence.count(fgsm.broken(), e.correct());
                int p = MaskingEvidence.count(pgd.broken(), e.correct());
                String line = String.format(Locale.ROOT, "%s: FGSM broke %d, PGD %d", budget, f, p);
                numbers.add(line);
                if (f > p) {
                    failures.add(line);
                }
            }
            return numbers.isEmpty() ? notRun("fgsm and pgd")
                    : result(failures, numbers, "iterative attacks with a margin loss and random starts");
        }
    },
    GRADIENT_FREE_BEATS_GRADIENT("gradient-free-beats-gradient") {
        @Override
        Check evaluate(MaskingEvidence e) {
            return beatsGradients(e, Set.of("square", "spsa"), "square or spsa", "gradient-free attacks",
                    "trust the gradient-free result; look for masked gradients (BPDA, EOT)");
        }
    },
    NOISE_BEATS_GRADIENT("noise-beats-gradient") {
        @Override
        Check evaluate(MaskingEvidence e) {
            return beatsGradients(e, Set.of("noise"), "noise", "random noise",
                    "gradient-free attacks; the gradients point nowhere useful");
        }
    },
    NON_MONOTONE_IN_EPS("non-monotone-in-eps") {
        @Override
        Check evaluate(MaskingEvidence e) {
            List<String> failures = new ArrayList<>();
            List<String> numbers = new ArrayList<>();
            Map.Entry<Double, Double> previous = null;
            double allowed = (double) e.slack() / e.examples();
            for (Map.Entry<Double, Double> point : e.sweep().entrySet()) {
                numbers.add(String.format(Locale.ROOT, "ε=%s: %.1f%%", DefenseTerm.format(point.getKey()), 100 * point.getValue()));
                if (previous != null && point.getValue() > previous.getValue() + allowed) {
                    failures.add(String.format(Locale.ROOT, "robust accuracy rises from %.1f%% at ε=%s to %.1f%% at ε=%s",
                            100 * previous.getValue(), DefenseTerm.format(previous.getKey()), 100 * point.getValue(), DefenseTerm.format(point.getKey())));
                }
                previous = point;
            }
            return result(failures, List.of("PGD sweep " + String.join(", ", numbers)),
                    "more steps and restarts at the large budgets");
        }
    },
    LOSS_SATURATION("loss-saturation") {
        @Override
        Check evaluate(MaskingEvidence e) {
            List<String> failures = new ArrayList<>();
            List<String> numbers = new ArrayList<>();
            for (Budget budget : e.budgets()) {
                for (List<String> pair : SAME_BUDGET_PAIRS) {
                    var ce = e.find(pair.get(0), budget);
                    var scaleFree = e.find(pair.get(1), budget);
                    if (ce == null || scaleFree == null) {
                        continue;
                    }
                    double gap = (double) (MaskingEvidence.count(scaleFree.broken(), e.correct())
                            - MaskingEvidence.count(ce.broken(), e.correct())) / e.examples();
                    String line = String.format(Locale.ROOT, "%s: %s breaks %.1f points more than %s",
                            budget, pair.get(1), 100 * gap, pair.get(0));
                    numbers.add(line);
                    if (gap > UNSATURATED) {
                        failures.add(line);
                    }
                }
            }
            return numbers.isEmpty() ? notRun("pgd with pgd-margin, or apgd-ce with apgd-dlr")
                    : result(failures, numbers, "margin or DLR losses (in the default suite)");
        }
    },
    BINARIZATION("binarization-test") {
        @Override
        Check evaluate(MaskingEvidence e) {
            Binarization.Result r = e.binarization();
            if (r == null || r.valid() == 0) {
                return new Check(name, true, r == null ? "not run: no correctly classified example"
                        : "inconclusive: on none of " + r.examples() + " examples did a linear readout separate the "
                        + "planted adversarial from the points around the image", FIX_NONE);
            }
            String line = String.format(Locale.ROOT, "ε=%s: in %d of %d binarized tasks (readout on the %s; %d of %d "
                            + "examples gave a valid task) the attacks found the adversarial known to exist",
                    DefenseTerm.format(e.probeEps()), r.passed(), r.valid(), r.features(), r.valid(), r.examples());
            return check(r.valid() - r.passed() <= r.allowedMisses(), line,
                    "the attacks miss adversarials that exist: more steps and restarts, EOT or BPDA, a gradient-free attack");
        }
    },
    PROBABILITY_OUTPUTS("probability-outputs") {
        @Override
        Check evaluate(MaskingEvidence e) {
            String line = String.format(Locale.ROOT, "%.0f%% of output rows look like probabilities", 100 * e.probabilityRows());
            return check(e.probabilityRows() <= 0.9, line,
                    "evaluate the logits before the softmax: probabilities saturate every gradient");
        }
    };

    static final double UNSATURATED = 0.05;
    static final String FIX_NONE = "none needed";
    /** Same optimiser, same budget, cross-entropy against a scale-free loss. */
    static final List<List<String>> SAME_BUDGET_PAIRS = List.of(List.of("pgd", "pgd-margin"), List.of("apgd-ce", "apgd-dlr"));

    final String name;

    MaskingCheck(String name) {
        this.name = name;
    }

    abstract Check evaluate(MaskingEvidence evidence);

    /** Every check on the evidence, in SCIENCE.md's order. */
    public static List<Check> evaluateAll(MaskingEvidence evidence) {
        return java.util.Arrays.stream(values()).map(c -> c.evaluate(evidence)).toList();
    }

    /** Fails when the given attacks break, at some budget, more than the slack of examples every gradient attack missed. */
    Check beatsGradients(MaskingEvidence e, Set<String> attacks, String needs, String what, String fix) {
        List<String> failures = new ArrayList<>();
        List<String> numbers = new ArrayList<>();
        for (Budget budget : e.budgets()) {
            boolean[] these = e.brokenByAny(budget, o -> attacks.contains(o.attack()));
            boolean[] gradient = e.brokenByAny(budget, o -> o.usesGradients());
            if (these == null || gradient == null) {
                continue;
            }
            int only = e.onlyBrokenBy(these, gradient);
            String line = String.format(Locale.ROOT, "%s: %s broke %d examples that every gradient attack missed",
                    budget, what, only);
            numbers.add(line);
            if (only > e.slack()) {
                failures.add(line);
            }
        }
        return numbers.isEmpty() ? notRun(needs) : result(failures, numbers, fix);
    }

    /** A verdict whose fix is named only when it failed. */
    Check check(boolean passed, String detail, String fix) {
        return new Check(name, passed, detail, passed ? FIX_NONE : fix);
    }

    Check notRun(String needs) {
        return new Check(name, true, "not run: add " + needs + " to the attacks", "add " + needs);
    }

    Check result(List<String> failures, List<String> numbers, String fix) {
        return new Check(name, failures.isEmpty(), String.join("; ", failures.isEmpty() ? numbers : failures),
                failures.isEmpty() ? FIX_NONE : fix);
    }
}
