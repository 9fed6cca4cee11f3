package dev.logitlab.service;

import dev.logitlab.events.Topics;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Topics as code: at start-up every service creates the logitlab topics that do not exist yet, with the partitions
 * of {@link Topics#ALL}, the configured replication factor and {@code min.insync.replicas}, and compaction for the
 * reports. Existing topics are left as they are (an operator's changes win). Off where a platform owns the topics
 * ({@code logitlab.topics.create=false}, e.g. Strimzi's KafkaTopics).
 */
@ApplicationScoped
public class TopicSetup {

    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    /** Every {@code kafka.*} setting (bootstrap and security alike), as Quarkus gathers them for Kafka clients. */
    @jakarta.inject.Inject
    @io.smallrye.common.annotation.Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @ConfigProperty(name = "logitlab.topics.create", defaultValue = "true")
    boolean create;

    @ConfigProperty(name = "logitlab.topics.replication-factor", defaultValue = "1")
    short replicationFactor;

    @ConfigProperty(name = "logitlab.topics.min-insync-replicas", defaultValue = "1")
    int minInsyncReplicas;

    void start(@Observes @Priority(10) StartupEvent event) {
        if (create) {
            createMissing(kafka, replicationFactor, minInsyncReplicas);
        }
    }

    /** Creates the missing topics; a broker that is not up yet is logged, not fatal (readiness reports it). */
    public static void createMissing(Map<String, Object> kafka, short replicationFactor, int minInsyncReplicas) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000);
        Object bootstrap = kafka.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(config)) {
            List<NewTopic> topics = Topics.ALL.stream().map(spec -> {
                Map<String, String> configs = new HashMap<>();
                configs.put("min.insync.replicas", Integer.toString(minInsyncReplicas));
                configs.put("cleanup.policy", spec.compacted() ? "compact" : "delete");
                return new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(configs);
            }).toList();
            for (var result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(20, TimeUnit.SECONDS);
                    LOG.infof("created topic %s", result.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        LOG.warnf("cannot create topic %s: %s", result.getKey(), e.getCause().getMessage());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warnf(e, "cannot create topics on %s", bootstrap);
        }
    }
}
