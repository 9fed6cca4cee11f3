package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.analysis.GapStatistics;
import dev.logitlab.core.analysis.GapStatisticsSummary;
import dev.logitlab.core.analysis.MinimalEpsilon;
import dev.logitlab.core.attack.Fmn;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.EvaluationReport;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The analysis's measurements of Shafahi et al.'s Eq. 4: gap statistics and the minimal-ε searches of FGSM, PGD and
 * FMN on the first correctly classified examples. What the searches break is kept: it counts in the worst case
 * ({@link VerifiedBreaks}).
 */
final class GapSearches {

    private final Classifier model;
    /** The model, or its EOT when its outputs are random. */
    private final Classifier attacked;
    private final Dataset data;
    private final EvaluationPlan plan;

    GapSearches(Classifier model, Classifier attacked, Dataset data, EvaluationPlan plan) {
        this.model = model;
        this.attacked = attacked;
        this.data = data;
        this.plan = plan;
    }

    /**
     * Gap statistics and FGSM's minimal ε on the first {@code gapLimit} correctly classified examples; PGD's and FMN's
     * minimal-ε searches, the costliest part of the analysis, on the first {@code searchLimit} of them.
     */
    EvaluationReport.GapSummary measure(boolean[] correct, Stages stages, List<VerifiedBreaks.Found> found) {
        int[] chosen = IntStream.range(0, correct.length).filter(i -> correct[i]).limit(plan.gapLimit()).toArray();
        Dataset subset = data.select(chosen);
        GapStatistics[] stats = new GapStatistics[chosen.length];
        float[] fgsm = new float[chosen.length];
        int searched = Math.min(plan.searchLimit(), chosen.length);
        float[] pgd = new float[searched];
        float[] fmn = new float[searched];
        float[] fmnL2 = plan.epsL2().isEmpty() ? null : new float[searched];
        for (int part = 0; part < (fmnL2 == null ? 4 : 5); part++) {
            stages.next(AnalysisPhase.GAP_STAGES.get(part));
            int examples = part >= 2 ? searched : chosen.length;
            for (int from = 0; from < examples; from += AnalysisPhase.CHUNK) {
                int to = Math.min(examples, from + AnalysisPhase.CHUNK);
                int[] y = Arrays.copyOfRange(subset.labels(), from, to);
                try (NDManager scope = model.manager().newSubManager()) {
                    NDArray x = subset.images(scope, from, to);
                    switch (part) {
                        case 0 -> System.arraycopy(GapStatistics.measure(attacked, x, y), 0, stats, from, to - from);
                        case 1 -> System.arraycopy(MinimalEpsilon.fgsm(attacked, x, y, AnalysisPhase.SEARCH_MAX_EPS, AnalysisPhase.BISECTIONS), 0,
                                fgsm, from, to - from);
                        case 2 -> System.arraycopy(MinimalEpsilon.pgd(attacked, x, y, AnalysisPhase.SEARCH_MAX_EPS, AnalysisPhase.BISECTIONS,
                                plan.seed()), 0, pgd, from, to - from);
                        case 3 -> System.arraycopy(Fmn.of(Norm.LINF).minimalNorms(attacked, x, y, 0), 0, fmn, from, to - from);
                        default -> System.arraycopy(Fmn.of(Norm.L2).minimalNorms(attacked, x, y, 0), 0, fmnL2, from,
                                to - from);
                    }
                }
            }
        }
        found.add(found(Norm.LINF, chosen, fgsm));
        found.add(found(Norm.LINF, chosen, pgd));
        found.add(found(Norm.LINF, chosen, fmn));
        if (fmnL2 != null) {
            found.add(found(Norm.L2, chosen, fmnL2));
        }
        return GapStatisticsSummary.summarize(stats, fgsm, pgd, fmn, AnalysisPhase.SEARCH_MAX_EPS, fmnL2, AnalysisPhase.SEARCH_MAX_EPS_L2);
    }

    /**
     * One search's breaks in evaluation order: {@code minimal[k]} is the smallest budget at which the search found a
     * misclassified point for example {@code chosen[k]} (NaN or +∞: none; the searches cover a prefix of chosen).
     */
    private VerifiedBreaks.Found found(Norm norm, int[] chosen, float[] minimal) {
        float[] eps = new float[data.size()];
        Arrays.fill(eps, VerifiedBreaks.NONE);
        for (int k = 0; k < minimal.length; k++) {
            if (Float.isFinite(minimal[k]) && minimal[k] >= 0) {
                eps[chosen[k]] = minimal[k];
            }
        }
        return new VerifiedBreaks.Found(VerifiedBreaks.SEARCHES, norm.label(), eps);
    }
}
