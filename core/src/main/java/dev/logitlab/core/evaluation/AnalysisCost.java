package dev.logitlab.core.evaluation;

import dev.logitlab.core.analysis.Binarization;
import dev.logitlab.core.analysis.IncompleteOptimization;
import dev.logitlab.core.analysis.MinimalEpsilon;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.CostLimits;
import dev.logitlab.core.attack.ExpectationOverTransformation;
import dev.logitlab.core.attack.Fmn;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import java.util.List;

/** What an evaluation's analysis ({@link AnalysisPhase}) may cost, counted with its shards' work before it runs. */
public final class AnalysisCost {

    private AnalysisCost() {
    }

    /**
     * At most what one analysis costs, in forward-pass equivalents (a gradient is 3) before the EOT draws of a
     * randomized model: it runs the model as much as an attack does. The randomness probe; the clean pass and the
     * probes (three forward passes and a gradient an example); gap statistics ({@code classes} gradients an
     * example); FGSM's minimal ε (a gradient, then a forward pass a probe); PGD-20's and FMN's (each PGD run with its
     * clean and final passes, FMN's steps and its start); the binarization test with the plan's attacks; the longer
     * runs; Square's escalation at its largest, on every example in every budget. (An analysis tried again after its
     * worker died, or measured again at the report, runs again: the count is per analysis.)
     */
    public static double of(EvaluationPlan plan, int examples, int classes, List<Attack> attacks) {
        int gap = Math.min(plan.gapLimit(), examples);
        int searched = Math.min(plan.searchLimit(), gap);
        int probes = MinimalEpsilon.probes(AnalysisPhase.BISECTIONS);
        double work = 2.0 * Math.min(ExpectationOverTransformation.PROBE, examples) + examples * (1 + 1 + 2 + 3.0);
        work += gap * (1 + 3.0 * classes) + gap * (3.0 + probes) + searched * probes * (Pgd.crossEntropy(20).cost() + 2)
                + searched * (Fmn.of(Norm.LINF).cost() + 3) * plan.norms().size();
        work += Binarization.EXAMPLES * Binarization.cost(attacks.stream().filter(a -> a.norm() == Norm.LINF).toList());
        work += AnalysisPhase.INCOMPLETE_PROBE * IncompleteOptimization.cost();
        double square = attacks.stream().filter(a -> a.name().equals("square")).mapToDouble(Attack::cost).max()
                .orElse(Escalation.QUERIES / (double) Escalation.FACTOR);
        work += (double) examples * plan.budgets().size() * Math.min(CostLimits.DEFAULTS.queries(),
                Escalation.FACTOR * square);
        return work;
    }
}
