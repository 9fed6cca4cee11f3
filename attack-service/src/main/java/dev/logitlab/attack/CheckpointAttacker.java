package dev.logitlab.attack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.NetworkClassifier;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.Topics;
import dev.logitlab.service.CheckpointStore;
import dev.logitlab.service.CloudEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Attacks every checkpoint announced on {@code logitlab.checkpoints}: verifies it, runs the attack phase of its
 * evaluation plan, publishes {@code attack.completed} or {@code attack.failed}. A record that is not a valid
 * checkpoint event is thrown back, and SmallRye sends it to {@code logitlab.dlq.attack-service} with the reason.
 */
@ApplicationScoped
public class CheckpointAttacker {

    private static final Logger LOG = Logger.getLogger(CheckpointAttacker.class);
    private static final String SERVICE = "attack-service";

    @Inject
    CheckpointStore store;

    @Inject
    EvaluationStore results;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Inject
    @Channel("attack-results")
    Emitter<AttackEvent> out;

    @ConfigProperty(name = "logitlab.data-dir")
    Optional<Path> dataDir;

    private final Map<String, TrainTestSplit> datasets = new ConcurrentHashMap<>();

    @Incoming("checkpoints")
    @Blocking(ordered = true)
    public void attack(String record) throws Exception {
        CheckpointCreated event = read(record);
        String attackConfigHash = AttackConfig.hash(event);
        if (results.find(event.checkpointId(), attackConfigHash).isPresent()) {
            LOG.infof("checkpoint %s already attacked with plan %s: skipping the redelivery", event.checkpointId(),
                    attackConfigHash.substring(0, 12));
            metrics.counter("logitlab.checkpoints.duplicates").increment();
            return;
        }
        AttackEvent outcome;
        try {
            Checkpoint checkpoint = store.open(event);
            long start = System.nanoTime();
            outcome = AttackEvent.completed(event, attackConfigHash, run(event, checkpoint));
            metrics.timer("logitlab.attack.seconds").record(java.time.Duration.ofNanos(System.nanoTime() - start));
        } catch (IllegalStateException | IllegalArgumentException e) {
            // SHA-256 mismatch, missing or unreadable checkpoint, unknown data set: a valid event we cannot serve.
            LOG.warnf("checkpoint %s refused: %s", event.checkpointId(), e.getMessage());
            metrics.counter("logitlab.attack.failures").increment();
            outcome = AttackEvent.failed(event, attackConfigHash, e.getMessage());
        }
        results.save(outcome);
        metrics.counter("logitlab.checkpoints.processed").increment();
        out.send(CloudEvents.message(outcome, SERVICE, event.checkpointId(), outcome.type(), event.checkpointId()));
    }

    private AttackResults run(CheckpointCreated event, Checkpoint checkpoint) {
        TrainTestSplit data = datasets.computeIfAbsent(event.dataset(), name -> Datasets.load(name, dataDir.orElse(null)));
        try (Classifier model = new NetworkClassifier(checkpoint.network(), event.checkpointId())) {
            return new AttackPhase(model, data.test(), AttackConfig.plan(event), null)
                    .run(event.checkpointId(), (stage, done, total) -> LOG.debugf("%s: %s (%d/%d)",
                            event.checkpointId(), stage, done, total));
        }
    }

    /** Parses and checks a record against the published schema; anything else is poison for the DLQ. */
    private CheckpointCreated read(String record) throws Exception {
        JsonNode node = json.readTree(record);
        List<String> violations = EventSchemas.violations(CheckpointCreated.class, node);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("not a " + Topics.CHECKPOINT_CREATED + " event: " + violations);
        }
        return json.treeToValue(node, CheckpointCreated.class);
    }
}
