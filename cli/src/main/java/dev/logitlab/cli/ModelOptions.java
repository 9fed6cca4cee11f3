package dev.logitlab.cli;

import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How the commands that evaluate a model run it: a logitlab checkpoint here (weights in our format, run by our
 * code), a TorchScript file in a sandboxed worker (it is a program: a pull request's model gated by CI is as
 * untrusted as an upload), unless {@code --trust-model}.
 */
final class ModelOptions {

    @Option(names = "--trust-model", description = "run a TorchScript model in this process instead of its sandbox "
            + "(it can then read and write whatever you can)")
    boolean trust;

    @Option(names = "--model-memory", defaultValue = "6g", description = "a sandboxed model's memory cap "
            + "(default: ${DEFAULT-VALUE})")
    String memory;

    /** The session of {@code model} (and {@code surrogate}, null: none) on {@code test} under {@code plan}. */
    ModelSession open(Path model, Path surrogate, Dataset test, Path dataDir, EvaluationPlan plan) {
        boolean sandboxed = !trust && (torchScript(model) || surrogate != null && torchScript(surrogate));
        if (!sandboxed) {
            Classifier target = Classifiers.open(model);
            Classifier other = null;
            try {
                other = surrogate == null ? null : Classifiers.open(surrogate);
                return ModelSession.inProcess(target, test, plan, other);
            } catch (RuntimeException e) {
                target.close();
                if (other != null) {
                    other.close();
                }
                throw e;
            }
        }
        if (!torchScript(model) || surrogate != null && !torchScript(surrogate)) {
            throw new IllegalArgumentException("a model and a surrogate run in one sandbox only when both are "
                    + "TorchScript files; pass --trust-model to run them in this process");
        }
        return Sandbox.DEFAULTS.withMemory(Sandbox.bytes(memory))
                .session(model, null, surrogate, description(model), test, dataDir, plan);
    }

    /** How reports name a model: as {@link Classifiers#open} would. */
    static String description(Path model) {
        return torchScript(model) ? "torchscript:" + model : model.toString();
    }

    static boolean torchScript(Path model) {
        return !Files.isDirectory(model) && !model.getFileName().toString().equals(Checkpoint.MANIFEST);
    }
}
