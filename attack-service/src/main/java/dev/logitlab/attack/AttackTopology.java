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
 * tasks, tasks are attacked by whichever replica owns their partition, and every output commits atomically with
 * the input offset and the store's changelog. Topic names come from configuration.
 */
@ApplicationScoped
public class AttackTopology {

    static final String SERVICE = "attack-service";
    static final String TASKS = "tasks";
    static final String RESULTS = "results";
    static final String DEAD_LETTERS = "dead-letters";

    @ConfigProperty(name = "logitlab.topics.checkpoints")
    String checkpoints;

    @ConfigProperty(name = "logitlab.topics.attack-tasks")
    String tasks;

    @ConfigProperty(name = "logitlab.topics.attack-results")
    String results;

    @ConfigProperty(name = "logitlab.topics.dead-letters")
    String deadLetters;

    @Inject
    AttackWork work;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Produces
    StreamsUncaughtExceptionHandler replaceThread() {
        return StreamThreads.REPLACE;
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
        topology.addSource("task-source", in, in, tasks);
        topology.addProcessor("shards", () -> new ShardRunner(work, json, metrics), "task-source");
        topology.addSink(TASKS, tasks, out, out, new ShardPartitioner(), "planner");
        topology.addSink(RESULTS, results, out, out, "planner", "shards");
        topology.addSink(DEAD_LETTERS, deadLetters, out, out, "planner", "shards");
        return topology;
    }
}
