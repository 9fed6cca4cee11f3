package dev.logitlab.attack;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How often each shard was started, kept where a crash cannot take it back: a shard's result commits in a
 * transaction that a replica dying mid-shard aborts, so the count is written before the shard starts, outside that
 * transaction, and waited for ({@code acks=all}). Every replica reads the counts into a global store
 * ({@link AttackTopology}), restored in full before its stream threads start. A shard started
 * {@code logitlab.attack.max-attempts} times without a result is failed instead of run again: one poison model no
 * longer takes every replica down in turn, forever.
 */
@ApplicationScoped
public class ShardAttempts {

    static final String STORE = "shard-attempts";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "logitlab.topics.shard-attempts")
    String topic;

    @ConfigProperty(name = "logitlab.attack.max-attempts", defaultValue = "3")
    int maxAttempts;

    @ConfigProperty(name = "kafka-streams.security.protocol", defaultValue = "PLAINTEXT")
    String protocol;

    @ConfigProperty(name = "kafka-streams.sasl.mechanism")
    Optional<String> mechanism;

    @ConfigProperty(name = "kafka-streams.sasl.jaas.config")
    Optional<String> jaas;

    @ConfigProperty(name = "kafka-streams.ssl.truststore.type")
    Optional<String> truststoreType;

    @ConfigProperty(name = "kafka-streams.ssl.truststore.location")
    Optional<String> truststore;

    @ConfigProperty(name = "kafka-streams.ssl.truststore.password")
    Optional<String> truststorePassword;

    private KafkaProducer<String, String> producer;

    int maxAttempts() {
        return maxAttempts;
    }

    String topic() {
        return topic;
    }

    /** A task's starts so far and who made the last one, as {@link #begin} writes them: "n replica time". */
    record Started(int count, String last) {

        /** What the global store holds for a task; none or unreadable is 0 starts. */
        static Started read(String stored) {
            if (stored == null) {
                return new Started(0, "none");
            }
            String[] parts = stored.split(" ", 2);
            try {
                return new Started(Integer.parseInt(parts[0]), parts.length > 1 ? parts[1] : "unknown");
            } catch (NumberFormatException e) {
                return new Started(0, "unknown");
            }
        }
    }

    /** Records attempt {@code attempt} of a task durably, before it starts; throws when the broker does not take it. */
    synchronized void begin(String taskId, int attempt) {
        write(taskId, attempt + " " + replica() + " " + Instant.now());
    }

    /**
     * Records that a task's work ended without taking its replica down: a tombstone, so the count starts again from 0
     * and the compacted topic, and every replica's copy, forget the task (nothing kept per shard grows without end).
     * Its result commits with whatever else the stream thread processed since the last commit, so a shard that dies
     * next can still abort it; run again, it must not count as a shard that killed its replica.
     */
    synchronized void ended(String taskId) {
        write(taskId, null);
    }

    private void write(String taskId, String value) {
        try {
            producer().send(new ProducerRecord<>(topic, taskId, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted recording an attempt of " + taskId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot record an attempt of " + taskId + ": " + e.getMessage(), e);
        }
    }

    static String replica() {
        return System.getenv().getOrDefault("HOSTNAME", "local") + "/" + ProcessHandle.current().pid();
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties config = new Properties();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            config.put("security.protocol", protocol);
            mechanism.ifPresent(m -> config.put("sasl.mechanism", m));
            jaas.ifPresent(j -> config.put("sasl.jaas.config", j));
            truststoreType.ifPresent(t -> config.put("ssl.truststore.type", t));
            truststore.ifPresent(t -> config.put("ssl.truststore.location", t));
            truststorePassword.ifPresent(p -> config.put("ssl.truststore.password", p));
            producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }
}
