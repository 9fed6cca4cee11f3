package dev.logitlab.trainer.external;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.InvalidFieldException;
import java.util.regex.Pattern;

/**
 * What {@code POST /api/checkpoints} is told beside the file: which run and step the checkpoint is, the data set it
 * is judged on, the evaluation plan and seed, and a label for reports (the defense's name, say). Every field is
 * checked here, so nothing a caller sends ever becomes a path or a name unchecked.
 */
public record Upload(String runId, int step, String dataset, String label, long seed, RunSpec.Evaluation evaluation) {

    /**
     * Run ids name a folder of the store: letters, digits, '.', '_', '-' and '~', starting with a letter or digit.
     * {@code <subject>~<name>} is the namespace of the subject before the '~': nobody else can take such a name.
     */
    public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~-]{0,63}");
    /** The form of the trainer's own run ids, which no upload may take. */
    static final Pattern TRAINER_RUN_ID = Pattern.compile("run-[0-9a-f]{12}");
    static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 .,:;=+_()-]{0,79}");
    static final int MAX_STEP = 1_000_000;
    /** The data sets a TorchScript model can be judged on (synthetic is logitlab's own test data). */
    static final java.util.List<String> DATASETS = Datasets.NAMES;

    public Upload {
        if (runId == null || !RUN_ID.matcher(runId).matches() || runId.contains("..")) {
            throw new InvalidFieldException("runId", "runId must be 1–64 letters, digits, '.', '_', '-' or '~' (no "
                    + "'..'), starting with a letter or digit, got " + quoted(runId));
        }
        if (step < 1 || step > MAX_STEP) {
            throw new InvalidFieldException("step", "step must be in [1, " + MAX_STEP + "] (an epoch or a training step), "
                    + "got " + step);
        }
        if (dataset == null || !DATASETS.contains(dataset)) {
            throw new InvalidFieldException("dataset", "dataset must be one of " + DATASETS + ", got " + quoted(dataset));
        }
        label = label == null || label.isBlank() ? "external" : label;
        if (!LABEL.matcher(label).matches()) {
            throw new InvalidFieldException("label", "label must be 1–80 letters, digits, spaces or .,:;=+_()-, got "
                    + quoted(label));
        }
    }

    /** The subject whose namespace the run id is in ({@code <subject>~<name>}), or empty when it is in none. */
    public java.util.Optional<String> namespace() {
        int tilde = runId.indexOf('~');
        return tilde < 0 ? java.util.Optional.empty() : java.util.Optional.of(runId.substring(0, tilde));
    }

    /** {@code <runId>/step-NNNNNN}: unique across runs, and never equal to a trained checkpoint's id. */
    public String checkpointId() {
        return String.format("%s/step-%06d", runId, step);
    }

    private static String quoted(String value) {
        if (value == null) {
            return "nothing";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
