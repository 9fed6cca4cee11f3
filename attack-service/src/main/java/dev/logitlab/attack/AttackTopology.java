package dev.logitlab.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import dev.logitlab.service.StreamThreads;
import org.apache.kafka.streams.state.Stores;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The attack service as a Kafka Streams topology with exactly-once processing: checkpoints are planned into shard
 * tasks, tasks are attacked by whichever replica owns their partition, the results of a budget's gradient shards
 * release its gradient-free shards (on their own topic, taken before later checkpoints' shards), and every output commits atomically with the input offset and the store's
 * changelog. Topic names come from configuration.
 */
@ApplicationScoped
public class AttackTopology {

    static final String SERVICE = "attack-service";
    static final String TASKS = "tasks";
    static final String SURVIVOR_TASKS = "survivor-tasks";
    static final String RESULTS = "results";
    static final String DEAD_LETTERS = "dead-letters";

    @ConfigProperty(name = "logitlab.topics.checkpoints")
    String checkpoints;

    @ConfigProperty(name = "logitlab.topics.attack-tasks")
    String tasks;

    @ConfigProperty(name = "logitlab.topics.survivor-tasks")
    String survivorTasks;

    @ConfigProperty(name = "logitlab.topics.attack-results")
    String results;

    @ConfigProperty(name = "logitlab.topics.dead-letters")
    String deadLetters;

    @Inject
    AttackWork work;

    @Inject
    ShardAttempts attempts;

    @ConfigProperty(name = "logitlab.faults.halt-on-attack")
    java.util.Optional<String> haltOn;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Produces
    StreamsUncaughtExceptionHandler replaceThread() {
        return StreamThreads.REPLACE;
    }

    /** Keeps the latest attempt count of every task; a record that is not one is kept as written and reads as 0. */
    static final class AttemptStore implements org.apache.kafka.streams.processor.api.Processor<String, String, Void, Void> {

        private org.apache.kafka.streams.state.KeyValueStore<String, String> store;

        @Override
        public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
            store = context.getStateStore(ShardAttempts.STORE);
        }

        @Override
        public void process(org.apache.kafka.streams.processor.api.Record<String, String> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value().length() > 200 ? record.value().substring(0, 200) : record.value());
            }
        }
    }

    @Produces
    Topology topology() {
        StringDeserializer in = new StringDeserializer();
        StringSerializer out = new StringSerializer();
        Topology topology = new Topology();
        topology.addSource("checkpoints", in, in, checkpoints);
        topology.addProcessor("planner", () -> new CheckpointPlanner(work, json, metrics), "checkpoints");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CheckpointPlanner.PLANNED),
                Serdes.String(), Serdes.String()), "planner");
        // every replica holds every shard's attempts, restored in full before its stream threads start
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ShardAttempts.STORE),
                        Serdes.String(), Serdes.String()).withLoggingDisabled(), "attempt-source", in, in,
                attempts.topic(), "attempt-store", () -> new AttemptStore());
        // one source for both work topics (co-partitioned): each stream task takes the older of its two heads
        topology.addSource("task-source", in, in, tasks, survivorTasks);
        topology.addProcessor("shards", () -> new ShardRunner(work, attempts, haltOn.orElse(""), json, metrics),
                "task-source");
        topology.addSource("result-source", in, in, results);
        topology.addProcessor("survivors", () -> new SurvivorPlanner(work, json, metrics), "result-source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SurvivorPlanner.HELD),
                Serdes.String(), Serdes.String()), "survivors");
        topology.addSink(TASKS, tasks, out, out, new ShardPartitioner(), "planner");
        topology.addSink(SURVIVOR_TASKS, survivorTasks, out, out, new ShardPartitioner(), "survivors");
        topology.addSink(RESULTS, results, out, out, "planner", "shards");
        topology.addSink(DEAD_LETTERS, deadLetters, out, out, "planner", "shards", "survivors");
        return topology;
    }
}
