package dev.logitlab.attack;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.Survivors;
import dev.logitlab.core.model.Deadline;
import dev.logitlab.core.model.ModelContract;
import dev.logitlab.core.sandbox.ModelFailure;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.service.CheckpointStore;
import dev.logitlab.service.EvaluationLimits;
import dev.logitlab.service.Transient;
import jakarta.annotation.PreDestroy;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The attack service's work, called by its stream processors: split a verified checkpoint's evaluation into
 * shards (the gradient-free ones wait for the gradient shards of their budget, {@link SurvivorPlanner}), and attack one
 * shard. The evaluations attacked last stay open (least recently used goes first): shards of several checkpoints
 * arrive interleaved, and opening one means verifying its files and loading its model, which for a model from
 * outside means starting its sandboxed worker. A shard has a deadline ({@code logitlab.attack.shard-timeout}): our
 * networks stop at their next pass, a worker is killed. A model that failed a shard (killed at its deadline, dead,
 * out of memory, raising) is remembered, so the checkpoint's other shards fail at once with the same reason instead
 * of each waiting out the deadline.
 */
@ApplicationScoped
public class AttackWork {

    static final int ATTEMPTS = 4;

    @Inject
    CheckpointStore store;

    @ConfigProperty(name = "logitlab.data-dir")
    Optional<Path> dataDir;

    @ConfigProperty(name = "logitlab.attack.loaded-checkpoints", defaultValue = "4")
    int keepLoaded;

    /** Below the consumer's max.poll.interval.ms, so a shard stopped at its limit never costs the group membership. */
    @ConfigProperty(name = "logitlab.attack.shard-timeout", defaultValue = "PT10M")
    Duration shardTimeout;

    /** How long a model from outside may take to load and pass its arrival checks (its start limit comes first). */
    @ConfigProperty(name = "logitlab.attack.arrival-timeout", defaultValue = "PT3M")
    Duration arrivalTimeout;

    @Inject
    EvaluationLimits limits;

    @ConfigProperty(name = "kafka-streams.max.poll.records", defaultValue = "500")
    int maxPollRecords;

    @ConfigProperty(name = "kafka-streams.consumer.max.poll.interval.ms", defaultValue = "300000")
    long maxPollInterval;

    /** Refuses to start with limits a poll's records could outlive: the replica would leave the group meanwhile. */
    void checkLimits(@Observes StartupEvent event) {
        dev.logitlab.service.PollInterval.require("kafka-streams.max.poll.records × logitlab.attack.shard-timeout",
                shardTimeout.multipliedBy(Math.max(1, maxPollRecords)), maxPollInterval);
    }

    /** The most model failures remembered: each fails the rest of its evaluation at once, on this replica. */
    static final int FAILURES_KEPT = 256;

    private final Map<String, TrainTestSplit> datasets = new ConcurrentHashMap<>();
    /** Access-ordered: the first entry is the least recently used. */
    private final Map<String, ModelSession> loaded = new LinkedHashMap<>(16, 0.75f, true);
    /** Evaluations whose model failed (its worker killed at a deadline, dead, out of memory, raising), by key. */
    private final Map<String, ModelFailure> failed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ModelFailure> eldest) {
            return size() > FAILURES_KEPT;
        }
    };

    /**
     * The tasks of a checkpoint's evaluation; throws (after retries) when the checkpoint does not verify, or when a
     * model from outside breaks the {@link ModelContract} (the reason names the check) or fails its arrival within
     * its time, or when the evaluation asks for more than {@link EvaluationLimits} allow (the reason names the
     * limit).
     */
    synchronized List<AttackTask> plan(CheckpointCreated event, String attackConfigHash) {
        int draws = 1;
        if (event.torchScript()) {
            // checks the contract, and stays open for the shards that follow
            draws = Deadline.within(arrivalTimeout, "logitlab.attack.arrival-timeout",
                    () -> load(event, attackConfigHash).draws());
        } else {
            Transient.retry("verifying " + event.checkpointId(), ATTEMPTS, () -> store.open(event));
        }
        EvaluationPlan evaluation = AttackConfig.plan(event);
        var test = data(event).test();
        ShardPlan plan = AttackPhase.planWithin(evaluation, test.limit(evaluation.limit()).size(), test.classes(),
                limits.costLimits(), draws);
        List<AttackTask> tasks = new ArrayList<>();
        for (ShardPlan.Shard s : plan.shards()) {
            if (!plan.survivorsOnly(s)) {
                tasks.add(task(event, attackConfigHash, plan, s, null));
            }
        }
        return tasks;
    }

    /** The shard plan of an announced evaluation (no model needed: the plan depends on the test set's size only). */
    ShardPlan shards(CheckpointCreated event) {
        return AttackPhase.plan(AttackConfig.plan(event), data(event).test());
    }

    /** The task of one shard; {@code attacked} as {@link Survivors#of} gives it, or null for all examples. */
    static AttackTask task(CheckpointCreated event, String attackConfigHash, ShardPlan plan, ShardPlan.Shard s,
                           String attacked) {
        return new AttackTask(AttackTask.SCHEMA_VERSION, AttackTask.taskId(event.checkpointId(), attackConfigHash,
                s.index()), attackConfigHash, s.index(), plan.shards().size(), s.attackName(), s.norm().label(),
                s.eps(), s.from(), s.to(), event, attacked);
    }

    /** Attacks one shard within the shard deadline; refuses a task that does not match the plan this replica derives. */
    synchronized ShardOutcome run(AttackTask task) {
        String key = key(task.checkpoint(), task.attackConfigHash());
        ModelFailure known = failed.get(key);
        if (known != null) {
            throw known; // the model failed an earlier shard here: nothing more is asked of it
        }
        return Deadline.within(shardTimeout, "logitlab.attack.shard-timeout", () -> {
            for (int attempt = 1; ; attempt++) {
                ModelSession session = load(task.checkpoint(), task.attackConfigHash());
                ShardPlan shards = session.shards();
                ShardPlan.Shard shard = task.shard() < shards.shards().size() ? shards.shard(task.shard()) : null;
                if (shard == null || shards.shards().size() != task.shards() || !shard.attackName().equals(task.attack())
                        || !shard.norm().label().equals(task.norm()) || shard.eps() != task.eps()
                        || shard.from() != task.from() || shard.to() != task.to()) {
                    throw new IllegalArgumentException("task " + task.taskId() + " does not match the plan's shard "
                            + shard);
                }
                try {
                    return session.run(shard, task.attacked());
                } catch (ModelFailure f) {
                    // its worker is gone: the session leaves the open ones
                    loaded.remove(key);
                    session.close();
                    if (f.reason() == ModelFailure.Cause.CRASHED && attempt == 1) {
                        continue; // once more in a new worker: a runner restarting beside us looks the same
                    }
                    failed.put(key, f); // and the failure stays for the checkpoint's other shards
                    throw f;
                }
            }
        });
    }

    private static String key(CheckpointCreated event, String attackConfigHash) {
        return event.checkpointId() + "#" + event.sha256() + "#" + attackConfigHash;
    }

    private ModelSession load(CheckpointCreated event, String attackConfigHash) {
        String key = key(event, attackConfigHash);
        ModelSession hit = loaded.get(key);
        if (hit != null) {
            return hit;
        }
        ModelSession session = Transient.retry("loading " + event.checkpointId(), ATTEMPTS,
                () -> store.session(event, data(event).test(), AttackConfig.plan(event)));
        try {
            if (event.torchScript()) {
                session.checkContract();
            }
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        loaded.put(key, session);
        while (loaded.size() > Math.max(1, keepLoaded)) {
            Iterator<ModelSession> eldest = loaded.values().iterator();
            ModelSession evicted = eldest.next();
            eldest.remove();
            evicted.close();
        }
        return session;
    }

    private TrainTestSplit data(CheckpointCreated event) {
        // Keyed by the canonical name: case variants of one name must not each load a copy.
        return datasets.computeIfAbsent(Datasets.canonical(event.dataset()), name -> Datasets.load(name,
                dataDir.orElse(null)));
    }

    @PreDestroy
    synchronized void close() {
        for (ModelSession session : loaded.values()) {
            try {
                session.close();
            } catch (RuntimeException e) {
                // the others are closed all the same
            }
        }
        loaded.clear();
    }
}
