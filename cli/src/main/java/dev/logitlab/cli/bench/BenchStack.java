package dev.logitlab.cli.bench;

import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the service benchmarks share: a local stack of their own, and Kafka clients to drive and time it. */
final class BenchStack {

    private BenchStack() {
    }

    /** A stack of its own beside the user's (ports + 10000, home {@code .lab/<name>}), one replica of each service. */
    static StackConfig of(StackConfig base, String name) {
        return new StackConfig(base.repository(), base.repository().resolve(".lab").resolve(name),
                base.kafkaPort() + 10000, base.controllerPort() + 10000, base.trainerPort() + 10000,
                base.attackPort() + 10000, base.analysisPort() + 10000, 1, 1);
    }

    /** A consumer of attack results and reports from now on (read_committed), already assigned its partitions. */
    static KafkaConsumer<String, String> resultsAndReports(StackConfig config) {
        java.util.Properties consumerConfig = config.kafkaClient();
        consumerConfig.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(Topics.ATTACK_RESULTS, Topics.REPORTS));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(200));
        }
        return consumer;
    }

    static KafkaProducer<String, String> producer(StackConfig config) {
        return new KafkaProducer<>(config.kafkaClient(), new StringSerializer(), new StringSerializer());
    }

    /** The same checkpoint announced under another seed: a new evaluation plan. */
    static CheckpointCreated withSeed(CheckpointCreated c, long seed) {
        return new CheckpointCreated(c.schemaVersion(), c.runId(), c.checkpointId(), c.epoch(), c.uri(), c.sha256(),
                c.configHash(), seed, c.dataset(), c.model(), c.defense(), c.evaluation(), c.metrics());
    }
}
