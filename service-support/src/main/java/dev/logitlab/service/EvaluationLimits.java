package dev.logitlab.service;

import dev.logitlab.core.attack.CostLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What one evaluation may cost ({@code logitlab.limits.*}, {@code LOGITLAB_LIMITS_*}): the trainer refuses a spec
 * over them with a 400 naming the limit, and the attack service refuses an announced checkpoint over them (a
 * checkpoint on Kafka is checked again where it is planned) with {@code report.failed} naming it.
 */
@ConfigMapping(prefix = "logitlab.limits")
public interface EvaluationLimits {

    /** Test images one evaluation attacks ({@code evaluation.limit}). */
    @WithDefault("10000")
    int evaluationImages();

    /** Budgets of one evaluation ({@code evaluation.eps} and {@code evaluation.epsL2} together). */
    @WithDefault("12")
    int budgets();

    /** Steps (and SPSA iterations) of one attack. */
    @WithDefault("1000")
    int attackSteps();

    /** Restarts of one attack. */
    @WithDefault("20")
    int attackRestarts();

    /** Queries of a Square attack. */
    @WithDefault("20000")
    int attackQueries();

    /** Samples per SPSA iteration. */
    @WithDefault("8192")
    int attackSamples();

    /** Target classes of a targeted attack. */
    @WithDefault("99")
    int attackTargets();

    /** Draws of the noise attack. */
    @WithDefault("1000")
    int attackDraws();

    /** Forward-pass equivalents one evaluation may plan, EOT draws included. */
    @WithDefault("1e9")
    double evaluationWork();

    default CostLimits costLimits() {
        return new CostLimits(attackSteps(), attackRestarts(), attackQueries(), attackSamples(), attackTargets(),
                attackDraws(), evaluationImages(), budgets(), evaluationWork());
    }
}
