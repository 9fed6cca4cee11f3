package dev.logitlab.attack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The evaluation plan of a checkpoint event, and its hash: with the checkpoint id, what makes an evaluation unique. */
final class AttackConfig {

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private AttackConfig() {
    }

    static EvaluationPlan plan(CheckpointCreated event) {
        RunSpec.Evaluation e = event.evaluation();
        return EvaluationPlan.of(e, event.seed());
    }

    /**
     * How shards are run, part of the plan's identity: since targeted gradient shards run on the examples the
     * untargeted ones left robust, and gradient-free shards on what both left, an evaluation planned under another rule
     * is another evaluation, and {@link SurvivorPlanner} leaves its results alone.
     */
    static final String SHARDING = ShardPlan.RULE;

    /** SHA-256 of the canonical JSON of the evaluation plan, the seed and {@link #SHARDING}. */
    static String hash(CheckpointCreated event) {
        return hash(event, SHARDING);
    }

    /** The same under the sharding rule before this one: evaluations in flight across an upgrade carry it. */
    static String previousHash(CheckpointCreated event) {
        return hash(event, ShardPlan.PREVIOUS_RULE);
    }

    private static String hash(CheckpointCreated event, String sharding) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("evaluation", event.evaluation());
        config.put("seed", event.seed());
        config.put("sharding", sharding);
        try {
            return Sha256.of(CANONICAL.writeValueAsString(config).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
