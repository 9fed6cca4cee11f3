package dev.logitlab.trainer;

import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.defense.Defense;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.ModelSpec;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.InvalidFieldException;
import java.util.List;

/** Checks a submitted run spec field by field and turns it into core's training config and evaluation plan. */
public final class RunSpecs {

    static final RunSpec.Evaluation DEFAULT_EVALUATION = new RunSpec.Evaluation(List.of(0.1), "default", 500, 200);

    private RunSpecs() {
    }

    /** The spec with defaults filled in (optimizer adam, batch 128, lr 0.001, the default evaluation). */
    public static RunSpec normalize(RunSpec spec) {
        if (spec == null) {
            throw new InvalidFieldException("body", "a run spec is required");
        }
        require(spec.dataset() != null && Datasets.NAMES.contains(spec.dataset()), "dataset",
                "dataset must be one of " + Datasets.NAMES + ", got " + spec.dataset());
        require(spec.model() != null, "model", "model is required");
        try {
            new ModelSpec(spec.model(), 1, 28, 28, 10);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("model", e.getMessage());
        }
        String defense;
        try {
            defense = Defense.parse(spec.defense() == null ? "plain" : spec.defense()).spec();
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("defense", e.getMessage());
        }
        RunSpec.Evaluation evaluation = spec.evaluation() == null ? DEFAULT_EVALUATION : spec.evaluation();
        RunSpec normalized = new RunSpec(spec.dataset(), spec.model(), defense, spec.epochs(), spec.trainLimit(),
                spec.testLimit(), spec.batchSize() == 0 ? 128 : spec.batchSize(),
                spec.learningRate() == 0 ? 1e-3 : spec.learningRate(),
                spec.optimizer() == null ? "adam" : spec.optimizer(), spec.seed(),
                new RunSpec.Evaluation(evaluation.eps(), evaluation.epsL2(),
                        evaluation.attacks() == null ? "default" : evaluation.attacks(),
                        evaluation.limit() == 0 ? 500 : evaluation.limit(), evaluation.gapLimit(),
                        evaluation.baseline(), evaluation.maxDrop(), evaluation.searchLimit(),
                        evaluation.singleDraws()));
        trainingConfig(normalized);
        plan(normalized.evaluation());
        return normalized;
    }

    public static TrainingConfig trainingConfig(RunSpec spec) {
        try {
            return new TrainingConfig(spec.dataset(), spec.model(), spec.defense(), spec.epochs(), spec.trainLimit(),
                    spec.testLimit(), spec.batchSize(), spec.learningRate(), spec.optimizer(), spec.seed());
        } catch (TrainingConfig.InvalidConfigException e) {
            throw new InvalidFieldException(e.field(), e.getMessage());
        }
    }

    /** A checkpoint id ({@code <run>/epoch-NNN}, {@code <run>/step-NNNNNN}) or {@value RunSpec.Evaluation#BEST}. */
    static final java.util.regex.Pattern BASELINE =
            java.util.regex.Pattern.compile("best|[A-Za-z0-9][A-Za-z0-9._~-]{0,63}/(epoch-\\d{3,}|step-\\d{6,})");

    static EvaluationPlan plan(RunSpec.Evaluation evaluation) {
        if (evaluation.baseline() != null && !BASELINE.matcher(evaluation.baseline()).matches()) {
            throw new InvalidFieldException("evaluation.baseline", "baseline must be a checkpoint id (<run>/epoch-NNN or "
                    + "<run>/step-NNNNNN) or 'best' (the run's best so far)");
        }
        if (evaluation.maxDrop() != null && !(evaluation.maxDrop() >= 0 && evaluation.maxDrop() <= 1)) {
            throw new InvalidFieldException("evaluation.maxDrop", "maxDrop must be in [0, 1], got " + evaluation.maxDrop());
        }
        try {
            AttackSuite.validate(evaluation.attacks(), false);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("evaluation.attacks", e.getMessage());
        }
        try {
            return EvaluationPlan.of(evaluation, 0);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String field = message.contains(":") ? message.substring(0, message.indexOf(':')) : "evaluation";
            throw new InvalidFieldException("evaluation." + field, message);
        }
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidFieldException(field, message);
        }
    }
}
