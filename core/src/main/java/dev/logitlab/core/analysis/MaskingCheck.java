package dev.logitlab.core.analysis;

import dev.logitlab.core.defense.DefenseTerm;
import dev.logitlab.events.EvaluationReport.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The nine gradient-masking checks (Athalye, Carlini &amp; Wagner 2018; Carlini et al. 2019; AutoAttack; ART's
 * SecurityCurve). Each passes or fails with the numbers behind it; a check that lacks its attacks passes and
 * says what to add.
 */
public enum MaskingCheck {

    SINGLE_STEP_BEATS_ITERATIVE("single-step-beats-iterative") {
        @Override
        Check evaluate(MaskingEvidence e) {
            List<String> failures = new ArrayList<>();
            List<String> numbers = new ArrayList<>();
            for (double eps : e.epsilons()) {
                var fgsm = e.find("fgsm", eps);
                var pgd = e.find("pgd", eps);
                if (fgsm == null || pgd == null) {
                    continue;
                }
                int f = MaskingEvidence.count(fgsm.broken(), e.correct());
                int p = MaskingEvidence.count(pgd.broken(), e.correct());
                String line = String.format(Locale.ROOT, "ε=%s: FGSM broke %d, PGD %d", DefenseTerm.format(eps), f, p);
                numbers.add(line);
                if (f > p) {
                    failures.add(line);
                }
            }
            return numbers.isEmpty() ? notRun("fgsm and pgd") : result(failures, numbers);
        }
    },
    GRADIENT_FREE_BEATS_GRADIENT("gradient-free-beats-gradient") {
        @Override
        Check evaluate(MaskingEvidence e) {
            return beatsGradients(e, Set.of("square", "spsa"), "square or spsa", "gradient-free attacks");
        }
    },
    NOISE_BEATS_GRADIENT("noise-beats-gradient") {
        @Override
        Check evaluate(MaskingEvidence e) {
            return beatsGradients(e, Set.of("noise"), "noise", "random noise");
        }
    },
    UNBOUNDED_EPS_NOT_BROKEN("unbounded-eps-not-broken") {
        @Override
        Check evaluate(MaskingEvidence e) {
            double limit = (double) e.slack() / e.examples();
            String line = String.format(Locale.ROOT, "PGD at ε=%s leaves %.1f%% robust (allowed %.1f%%)",
                    DefenseTerm.format(e.unboundedEps()), 100 * e.unboundedRobustAccuracy(), 100 * limit);
            return new Check(name, e.unboundedRobustAccuracy() <= limit, line);
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
            return result(failures, List.of("PGD sweep " + String.join(", ", numbers)));
        }
    },
    VANISHING_GRADIENTS("vanishing-gradients") {
        @Override
        Check evaluate(MaskingEvidence e) {
            int vanishing = 0;
            float[] norms = e.gradientL1().clone();
            for (float g : norms) {
                vanishing += !(g > VANISHING) ? 1 : 0;
            }
            java.util.Arrays.sort(norms);
            String line = String.format(Locale.ROOT, "%d of %d correct examples have ‖∇ₓCE‖₁ ≤ %.0e (median %.3g)",
                    vanishing, norms.length, VANISHING, norms.length == 0 ? Double.NaN : norms[norms.length / 2]);
            return new Check(name, vanishing <= e.slack(), line);
        }
    },
    LOSS_SATURATION("loss-saturation") {
        @Override
        Check evaluate(MaskingEvidence e) {
            List<String> failures = new ArrayList<>();
            List<String> numbers = new ArrayList<>();
            int correct = MaskingEvidence.count(e.correct(), e.correct());
            for (double eps : e.epsilons()) {
                var ce = e.find("pgd", eps);
                boolean[] margin = e.brokenByAny(eps, o -> MARGIN_ATTACKS.contains(o.attack()));
                if (ce == null || margin == null) {
                    continue;
                }
                double gap = (double) (MaskingEvidence.count(margin, e.correct())
                        - MaskingEvidence.count(ce.broken(), e.correct())) / e.examples();
                String line = String.format(Locale.ROOT, "ε=%s: margin/DLR attacks break %.1f points more than CE PGD",
                        DefenseTerm.format(eps), 100 * gap);
                numbers.add(line);
                if (gap > SATURATION && correct > 0) {
                    failures.add(line);
                }
            }
            return numbers.isEmpty() ? notRun("pgd and one of pgd-margin, apgd-dlr, apgd-t") : result(failures, numbers);
        }
    },
    TRANSFER_BEATS_WHITE_BOX("transfer-beats-white-box") {
        @Override
        Check evaluate(MaskingEvidence e) {
            return beatsGradients(e, Set.of("transfer"), "transfer (--surrogate)", "a surrogate's examples");
        }
    },
    PROBABILITIES_OR_RANDOMNESS("probabilities-or-randomness") {
        @Override
        Check evaluate(MaskingEvidence e) {
            boolean probabilities = e.probabilityRows() > 0.9;
            boolean random = e.outputVariation() > 1e-4;
            String line = String.format(Locale.ROOT, "%.0f%% of output rows look like probabilities; two forward "
                    + "passes differ by up to %.3g", 100 * e.probabilityRows(), e.outputVariation());
            return new Check(name, !probabilities && !random, line
                    + (probabilities ? " (outputs must be logits: softmax outputs saturate gradients)" : "")
                    + (random ? " (randomised outputs: use EOT to evaluate them)" : ""));
        }
    };

    static final float VANISHING = 1e-10f;
    static final double SATURATION = 0.05;
    static final Set<String> MARGIN_ATTACKS = Set.of("pgd-margin", "apgd-dlr", "apgd-t");

    final String name;

    MaskingCheck(String name) {
        this.name = name;
    }

    abstract Check evaluate(MaskingEvidence evidence);

    /** Every check on the evidence, in SCIENCE.md's order. */
    public static List<Check> evaluateAll(MaskingEvidence evidence) {
        return java.util.Arrays.stream(values()).map(c -> c.evaluate(evidence)).toList();
    }

    /** Fails when the given attacks break, at some ε, more than the slack of examples every gradient attack missed. */
    Check beatsGradients(MaskingEvidence e, Set<String> attacks, String needs, String what) {
        List<String> failures = new ArrayList<>();
        List<String> numbers = new ArrayList<>();
        for (double eps : e.epsilons()) {
            boolean[] these = e.brokenByAny(eps, o -> attacks.contains(o.attack()));
            boolean[] gradient = e.brokenByAny(eps, o -> o.usesGradients());
            if (these == null || gradient == null) {
                continue;
            }
            int only = e.onlyBrokenBy(these, gradient);
            String line = String.format(Locale.ROOT, "ε=%s: %s broke %d examples that every gradient attack missed",
                    DefenseTerm.format(eps), what, only);
            numbers.add(line);
            if (only > e.slack()) {
                failures.add(line);
            }
        }
        return numbers.isEmpty() ? notRun(needs) : result(failures, numbers);
    }

    Check notRun(String needs) {
        return new Check(name, true, "not run: add " + needs + " to the attacks");
    }

    Check result(List<String> failures, List<String> numbers) {
        return new Check(name, failures.isEmpty(), String.join("; ", failures.isEmpty() ? numbers : failures));
    }
}
