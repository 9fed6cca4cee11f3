package dev.logitlab.trainer;

import dev.logitlab.core.attack.CostLimits;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.ModelSpec;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.EvaluationLimits;
import dev.logitlab.service.InvalidFieldException;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much one submission may ask for ({@code logitlab.limits.*}, {@code LOGITLAB_LIMITS_*}): a spec over a limit is a
 * 400 naming the field and the limit, before anything is queued. Bodies over {@code quarkus.http.limits.max-body-size}
 * are refused by the HTTP layer (413). What an evaluation may cost is {@link EvaluationLimits}, shared with the attack
 * service.
 */
@ConfigMapping(prefix = "logitlab.limits")
public interface SubmissionLimits extends EvaluationLimits {

    /** Epochs of one run. */
    @WithDefault("100")
    int epochs();

    /** Examples whose gaps one evaluation measures ({@code evaluation.gapLimit}). */
    @WithDefault("2000")
    int gapExamples();

    /** Weights of a model a run trains (a Wide-ResNet's size grows with depth × width²; WRN-34-10 has 46 M). */
    @WithDefault("50000000")
    long modelWeights();

    /** Grid points of one sweep (each a run, or a Kubernetes Job). */
    @WithDefault("100")
    int sweepPoints();

    /** Training Jobs one subject may have in flight (Kubernetes sweeps). */
    @WithDefault("20")
    int jobsInFlight();

    /** GPUs one subject's training Jobs in flight may ask for together. */
    @WithDefault("8")
    int gpusInFlight();

    /** Submissions (runs and sweeps) one client may make per minute, per replica. */
    @WithDefault("30")
    int submissionsPerMinute();

    /** Bytes of a JSON request body (BodyLimits). */
    @WithDefault("262144")
    long jsonBytes();

    /** Bytes of an uploaded TorchScript checkpoint; also the HTTP layer's ceiling. */
    @WithDefault("268435456")
    long checkpointBytes();

    /** Bytes of outside checkpoints one subject's runs may hold in the store together (10 GiB). */
    @WithDefault("10737418240")
    long subjectBytes();

    /** Outside checkpoints one subject's runs may hold in the store together. */
    @WithDefault("10000")
    int subjectCheckpoints();

    /** Refuses a spec that asks for more than these limits allow. */
    default void check(RunSpec spec) {
        within("epochs", "epochs", spec.epochs(), epochs(), "epochs");
        within("model", "weights (about)", new ModelSpec(spec.model(), 1, 28, 28, 10).approximateWeights(),
                modelWeights(), "model-weights");
        check(spec.evaluation());
    }

    /** Refuses an evaluation plan that asks for more than these limits allow. */
    default void check(RunSpec.Evaluation e) {
        if (e == null) {
            return;
        }
        within("evaluation.gapLimit", "gap examples", e.gapLimit(), gapExamples(), "gap-examples");
        try {
            // the test set's size is not known here: the work is counted on evaluation.limit images, its upper bound,
            // and 10 classes, as every data set logitlab knows has
            AttackPhase.planWithin(new EvaluationPlan(e.eps(), e.epsL2(), e.attacks(), e.limit(), 0, e.gapLimit()),
                    e.limit(), 10, costLimits(), 1);
        } catch (CostLimits.Exceeded x) {
            throw new InvalidFieldException(switch (x.limit()) {
                case "evaluation-images" -> "evaluation.limit";
                case "budgets" -> "evaluation.eps";
                case "evaluation-work" -> "evaluation";
                default -> "evaluation.attacks";
            }, x.getMessage());
        }
    }

    /** Refuses a sweep of more points than allowed. */
    default void checkSweep(long points) {
        within("defenses", "grid points", points, sweepPoints(), "sweep-points");
    }

    private static void within(String field, String what, long value, long limit, String key) {
        if (value > limit) {
            throw new InvalidFieldException(field, value + " " + what + " asked for, over the limit of " + limit
                    + " (logitlab.limits." + key + ")");
        }
    }
}
