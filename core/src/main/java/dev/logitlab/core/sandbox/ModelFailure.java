package dev.logitlab.core.sandbox;

/**
 * What went wrong with a model running in its worker, as one of a fixed set of causes. The message is ours: the
 * cause's sentence and numbers the host measured (a limit, an exit status), never a string or a shape the model
 * chose, since whoever submitted the model reads it in the failed shard or report.
 */
public final class ModelFailure extends RuntimeException {

    /** The causes, each with the code reports carry and what it means. */
    public enum Cause {
        TIME_LIMIT("time-limit", "the model ran past its time limit; its worker was killed"),
        MEMORY_LIMIT("memory-limit", "the model ran out of its worker's memory cap"),
        CRASHED("worker-crashed", "the model's worker died without answering"),
        MODEL_ERROR("model-error", "the model raised an error in a forward or backward pass"),
        OUTPUT_SHAPE("output-shape", "the model returned no N × K logits for N images"),
        NOT_LOADED("load-failed", "libtorch could not load the file as a TorchScript module"),
        PROTOCOL("protocol", "the model's worker broke the protocol (a malformed answer); it was killed"),
        INTERNAL("worker-error", "the evaluation failed inside the model's worker (the service's log has the details)"),
        UNAVAILABLE("sandbox-unavailable", "the model's worker could not be started");

        private final String code;
        private final String sentence;

        Cause(String code, String sentence) {
            this.code = code;
            this.sentence = sentence;
        }

        public String code() {
            return code;
        }

        /** The cause a code names, or null. */
        static Cause ofCode(String code) {
            for (Cause c : values()) {
                if (c.code.equals(code)) {
                    return c;
                }
            }
            return null;
        }
    }

    private final Cause cause;

    ModelFailure(Cause cause, String detail) {
        super("[" + cause.code + "] " + cause.sentence + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.cause = cause;
    }

    public Cause reason() {
        return cause;
    }
}
