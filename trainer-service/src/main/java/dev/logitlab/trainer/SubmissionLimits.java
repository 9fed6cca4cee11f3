package dev.logitlab.trainer;

import dev.logitlab.events.RunSpec;
import dev.logitlab.service.InvalidFieldException;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much one submission may ask for ({@code logitlab.limits.*}, {@code LOGITLAB_LIMITS_*}): a spec over a limit is a
 * 400 naming the field and the limit, before anything is queued. Bodies over {@code quarkus.http.limits.max-body-size}
 * are refused by the HTTP layer (413).
 */
@ConfigMapping(prefix = "logitlab.limits")
public interface SubmissionLimits {

    /** Epochs of one run. */
    @WithDefault("100")
    int epochs();

    /** Test images one evaluation attacks ({@code evaluation.limit}). */
    @WithDefault("10000")
    int evaluationImages();

    /** Examples whose gaps one evaluation measures ({@code evaluation.gapLimit}). */
    @WithDefault("2000")
    int gapExamples();

    /** Budgets of one evaluation ({@code evaluation.eps} and {@code evaluation.epsL2} together). */
    @WithDefault("12")
    int budgets();

    /** Grid points of one sweep (each a run, or a Kubernetes Job). */
    @WithDefault("100")
    int sweepPoints();

    /** Submissions (runs and sweeps) one client may make per minute, per replica. */
    @WithDefault("30")
    int submissionsPerMinute();

    /** Bytes of a JSON request body (BodyLimits). */
    @WithDefault("262144")
    long jsonBytes();

    /** Bytes of an uploaded TorchScript checkpoint; also the HTTP layer's ceiling. */
    @WithDefault("268435456")
    long checkpointBytes();

    /** Refuses a spec that asks for more than these limits allow. */
    default void check(RunSpec spec) {
        within("epochs", "epochs", spec.epochs(), epochs());
        check(spec.evaluation());
    }

    /** Refuses an evaluation plan that asks for more than these limits allow. */
    default void check(RunSpec.Evaluation e) {
        if (e == null) {
            return;
        }
        within("evaluation.limit", "test images", e.limit(), evaluationImages());
        within("evaluation.gapLimit", "gap examples", e.gapLimit(), gapExamples());
        int budgets = (e.eps() == null ? 0 : e.eps().size()) + (e.epsL2() == null ? 0 : e.epsL2().size());
        within("evaluation.eps", "budgets (eps and epsL2)", budgets, budgets());
    }

    /** Refuses a sweep of more points than allowed. */
    default void checkSweep(long points) {
        within("defenses", "grid points", points, sweepPoints());
    }

    private static void within(String field, String what, long value, long limit) {
        if (value > limit) {
            throw new InvalidFieldException(field, value + " " + what + " asked for, over the limit of " + limit
                    + " (logitlab.limits)");
        }
    }
}
