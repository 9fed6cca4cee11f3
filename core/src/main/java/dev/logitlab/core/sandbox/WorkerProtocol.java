package dev.logitlab.core.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.evaluation.AnalysisPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelMeasurements;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.ShardOutcome;

/**
 * The messages between a host and its {@link ModelWorker}: one JSON object a line over a Unix socket. The host
 * writes {@link Request}s; the worker answers each with {@link Answer}s: progress lines, then one line with exactly one
 * result (or an error code). The worker runs a model from outside, so the host reads its lines as hostile input
 * ({@link WorkerAnswers}).
 */
final class WorkerProtocol {

    static final String OPEN = "open";
    static final String DRAWS = "draws";
    static final String CONTRACT = "contract";
    static final String SHARD = "shard";
    static final String MEASURE = "measure";
    static final String FINDINGS = "findings";

    /** Writes the messages (both sides), and reads the host's requests in the worker. */
    static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Reads a worker's answers: no unknown field, shallow, short strings and numbers. */
    static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(1 << 20)
                    .maxNumberLength(64).maxTokenCount(1_000_000).build())
            .build())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    private WorkerProtocol() {
    }

    /**
     * What the worker opens: the data set, the plan, and the model: its file's {@code modelBytes} bytes follow the
     * line, then the surrogate's {@code surrogateBytes} (0: none). The worker never reads a model from a path it is
     * given: it has no store to read from.
     */
    record Open(String dataset, EvaluationPlan plan, long modelBytes, long surrogateBytes) {
    }

    /** One request: {@code op} and the fields that op takes. */
    record Request(String op, Open open, Integer shard, String attacked, AttackResults results,
                   ModelMeasurements measured) {

        static Request of(String op) {
            return new Request(op, null, null, null, null, null);
        }
    }

    /** A stage begun in a long request (measure, findings), for the host's listener. */
    record Progress(String stage, int done, int total) {
    }

    /**
     * One line of an answer: {@code progress}, or the request's one result ({@code done} for requests that return
     * nothing, {@code draws}, {@code violation}: the name of a broken model check, {@code outcome}, {@code measured},
     * {@code findings}), or {@code error}: a {@link ModelFailure.Cause} code.
     */
    record Answer(String error, Progress progress, Boolean done, Integer draws, String violation, ShardOutcome outcome,
                  ModelMeasurements measured, AnalysisPhase.Findings findings) {
    }
}
