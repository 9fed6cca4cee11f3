package dev.logitlab.service;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real single-node KRaft broker inside the test JVM, and a fresh checkpoint store, for the service under test. */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    public static String bootstrap;
    public static Path store;
    private static KafkaCompanion companion;
    private EmbeddedKafkaBroker broker;

    /** One client per test run, closed with the broker so its consumers stop before Quarkus does. */
    public static synchronized KafkaCompanion companion() {
        if (companion == null) {
            companion = new KafkaCompanion(bootstrap);
        }
        return companion;
    }

    /** The committed records of a topic so far (what a read_committed consumer sees), waiting up to {@code wait}. */
    public static java.util.List<ConsumerRecord<String, String>> committed(String topic, java.time.Duration wait) {
        return companion().consumeStrings().withIsolationLevel(org.apache.kafka.common.IsolationLevel.READ_COMMITTED)
                .fromTopics(topic, wait).awaitCompletion().getRecords();
    }

    /** A record header as text (CloudEvents attributes, dead-letter reasons), or null. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public Map<String, String> start() {
        // One broker: the transaction log and offsets need a replication factor of 1 (Kafka Streams' exactly-once).
        broker = new EmbeddedKafkaBroker().withDeleteLogDirsOnClose(true).withAdditionalProperties(p -> {
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("offsets.topic.replication.factor", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
        }).start();
        bootstrap = broker.getAdvertisedListeners();
        try {
            store = Files.createTempDirectory("logitlab-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("kafka.bootstrap.servers", bootstrap, "logitlab.store.root", store.toString());
    }

    @Override
    public void stop() {
        synchronized (KafkaBrokerResource.class) {
            if (companion != null) {
                companion.close();
                companion = null;
            }
        }
        if (broker != null) {
            broker.close();
        }
    }
}
