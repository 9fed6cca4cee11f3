package dev.logitlab.attack;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardTimeLimit;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.Survivors;
import dev.logitlab.core.model.ModelContract;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.service.CheckpointStore;
import dev.logitlab.service.EvaluationLimits;
import dev.logitlab.service.Transient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
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
 * shard. The checkpoints attacked last stay loaded (least recently used goes first): shards of
 * several checkpoints arrive interleaved, and loading one means verifying its files and building its network.
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

    @Inject
    EvaluationLimits limits;

    private final Map<String, TrainTestSplit> datasets = new ConcurrentHashMap<>();
    /** Access-ordered: the first entry is the least recently used. */
    private final Map<String, Loaded> loaded = new LinkedHashMap<>(16, 0.75f, true);

    private record Loaded(String key, ShardTimeLimit model, AttackPhase phase) {
    }

    /**
     * The tasks of a checkpoint's evaluation; throws (after retries) when the checkpoint does not verify, or when a
     * model from outside breaks the {@link ModelContract} (the reason names the check), or when the evaluation asks
     * for more than {@link EvaluationLimits} allow (the reason names the limit).
     */
    synchronized List<AttackTask> plan(CheckpointCreated event, String attackConfigHash) {
        int draws = 1;
        if (event.torchScript()) {
            // checks the contract, and stays loaded for the shards that follow
            draws = load(event, attackConfigHash).phase().draws();
        } else {
            Transient.retry("verifying " + event.checkpointId(), ATTEMPTS, () -> store.open(event));
        }
        EvaluationPlan evaluation = AttackConfig.plan(event);
        ShardPlan plan = AttackPhase.planWithin(evaluation, data(event).test().limit(evaluation.limit()).size(),
                limits.costLimits(), draws);
        List<AttackTask> tasks = new ArrayList<>();
        for (ShardPlan.Shard s : plan.shards()) {
            if (!plan.afterGradients(s)) {
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

    /** Attacks one shard; refuses a task that does not match the plan this replica derives. */
    synchronized ShardOutcome run(AttackTask task) {
        Loaded loaded = load(task.checkpoint(), task.attackConfigHash());
        AttackPhase phase = loaded.phase();
        ShardPlan.Shard shard = task.shard() < phase.shards().shards().size() ? phase.shards().shard(task.shard()) : null;
        if (shard == null || phase.shards().shards().size() != task.shards() || !shard.attackName().equals(task.attack())
                || !shard.norm().label().equals(task.norm()) || shard.eps() != task.eps() || shard.from() != task.from()
                || shard.to() != task.to()) {
            throw new IllegalArgumentException("task " + task.taskId() + " does not match the plan's shard " + shard);
        }
        return loaded.model().within(shardTimeout, () -> phase.run(shard, task.attacked()));
    }

    private Loaded load(CheckpointCreated event, String attackConfigHash) {
        String key = event.checkpointId() + "#" + event.sha256() + "#" + attackConfigHash;
        Loaded hit = loaded.get(key);
        if (hit != null) {
            return hit;
        }
        ShardTimeLimit model = new ShardTimeLimit(Transient.retry("loading " + event.checkpointId(), ATTEMPTS,
                () -> store.classifier(event)));
        AttackPhase phase;
        try {
            if (event.torchScript()) {
                ModelContract.check(model, data(event).test());
            }
            phase = new AttackPhase(model, data(event).test(), AttackConfig.plan(event), null);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        loaded.put(key, new Loaded(key, model, phase));
        while (loaded.size() > Math.max(1, keepLoaded)) {
            Iterator<Loaded> eldest = loaded.values().iterator();
            eldest.next().model().close();
            eldest.remove();
        }
        return loaded.get(key);
    }

    private TrainTestSplit data(CheckpointCreated event) {
        return datasets.computeIfAbsent(event.dataset(), name -> Datasets.load(name, dataDir.orElse(null)));
    }

    @PreDestroy
    synchronized void close() {
        loaded.values().forEach(l -> l.model().close());
        loaded.clear();
    }
}
