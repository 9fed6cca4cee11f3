package dev.logitlab.cli.stack;

import dev.logitlab.cli.LocalFiles;
import dev.logitlab.events.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The local stack's single-node KRaft broker: its configuration and storage in {@code .lab/kafka}, the command
 * that runs it in its own JVM (Apache Kafka's server classes from the CLI's class path), and the topics, created
 * as {@link Topics#ALL} declares them. The data survives {@code down}/{@code up}.
 */
final class LocalBroker {

    private final StackConfig config;
    private final LocalKafkaSecurity security;

    LocalBroker(StackConfig config) {
        this.config = config;
        this.security = new LocalKafkaSecurity(config.home());
    }

    /**
     * Writes the configuration, makes the certificates and passwords and formats the storage (with the SCRAM users)
     * on first use, and returns the broker's command line.
     */
    List<String> prepare(Path formatLog) throws IOException {
        Path dir = config.kafkaData();
        Path properties = config.home().resolve("server.properties");
        if (!security.ready() && Files.exists(dir)) {
            // Storage formatted before the broker had users (an older .lab): its users can only come with a new format.
            LocalFiles.deleteRecursively(dir);
        }
        security.ensure();
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + config.controllerPort(),
                "controller.listener.names=CONTROLLER"));
        lines.addAll(security.brokerProperties(config));
        lines.addAll(List.of(
                "log.dirs=" + dir.toAbsolutePath(),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false", ""));
        LocalFiles.writeOwnerOnly(properties, String.join("\n", lines)); // it holds the keystore password
        if (!Files.exists(dir.resolve("meta.properties"))) {
            // In this JVM, not a child process: the users' SCRAM passwords must never be on a command line, which
            // every local user can read (ps); the storage format is the only way KRaft takes the first ones.
            List<String> args = new ArrayList<>(List.of("format", "-t",
                    UUID.randomUUID().toString().replace("-", "").substring(0, 22), "-c", properties.toString()));
            args.addAll(security.formatArguments());
            int exit;
            try (java.io.PrintStream out = new java.io.PrintStream(Files.newOutputStream(formatLog), true,
                    java.nio.charset.StandardCharsets.UTF_8)) {
                try {
                    exit = kafka.tools.StorageTool.execute(args.toArray(String[]::new), out);
                } catch (RuntimeException e) {
                    e.printStackTrace(out);
                    exit = 1;
                }
            }
            if (exit != 0) {
                throw new IllegalStateException("formatting the broker's storage failed; see " + formatLog);
            }
        }
        // C1 only: C2 spent 25 of the broker's 55 CPU seconds in a quick demo compiling, and the stack's broker, one
        // person's, never runs long or hot enough to win them back (its request threads took 3 s more without C2).
        return List.of(java(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", classPath(), "kafka.Kafka",
                properties.toString());
    }

    /** Creates the topics that do not exist yet (one broker: replication factor 1). */
    void createTopics() {
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (Topics.TopicSpec spec : Topics.ALL) {
                topics.add(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(Map.of(
                        "cleanup.policy", spec.compacted() ? "compact" : "delete", "min.insync.replicas", "1")));
            }
            for (var result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + result.getKey() + ": " + e.getCause());
                    }
                }
            }
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topics: " + e, e);
        }
    }

    /** Gives each service its ACLs (creating one that exists changes nothing); writes the admin's client settings. */
    void grantAcls() {
        try (Admin admin = admin()) {
            // The producer's user came after the first stacks were formatted: (re)give it its password.
            admin.alterUserScramCredentials(List.of(security.upsertion(LocalKafkaSecurity.PRODUCER))).all()
                    .get(30, TimeUnit.SECONDS);
            admin.createAcls(LocalKafkaSecurity.acls()).all().get(30, TimeUnit.SECONDS);
            // A store formatted by an older version keeps the grants it gave then (the producer's write on
            // logitlab.checkpoints, say): whatever is not in today's list goes.
            java.util.Set<org.apache.kafka.common.acl.AclBinding> wanted = new java.util.HashSet<>(LocalKafkaSecurity.acls());
            List<org.apache.kafka.common.acl.AclBindingFilter> stale = admin.describeAcls(
                    org.apache.kafka.common.acl.AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).stream()
                    .filter(b -> !wanted.contains(b)).map(org.apache.kafka.common.acl.AclBinding::toFilter).toList();
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get(30, TimeUnit.SECONDS);
            }
            security.writeClientConfigs(config);
        } catch (ExecutionException | InterruptedException | java.util.concurrent.TimeoutException | IOException e) {
            throw new IllegalStateException("cannot set the services' ACLs: " + e, e);
        }
    }

    boolean reachable() {
        return reachable(Duration.ofSeconds(2));
    }

    /**
     * True when the broker answers its admin over SASL_SSL within {@code wait}. A fresh JVM's first TLS handshake
     * and SCRAM exchange can take seconds: status waits longer than the polls during start-up. Nothing listening on
     * the port answers false at once: an admin client would retry until its timeout, then wait as long again to close.
     */
    boolean reachable(Duration wait) {
        if (!listening()) {
            return false;
        }
        Admin admin = admin(wait);
        try {
            admin.describeCluster().clusterId().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", config.kafkaPort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Admin admin() {
        return admin(Duration.ofSeconds(5));
    }

    private Admin admin(Duration timeout) {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(3000, timeout.toMillis())));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(Math.max(5000, timeout.toMillis())));
        return Admin.create(p);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The CLI's dependencies (copied to cli/target/lib by the build) hold Apache Kafka's server jars. */
    private String classPath() {
        return config.repository().resolve("cli/target/lib").toString() + "/*";
    }
}
