package dev.logitlab.cli.stack;

import dev.logitlab.cli.LocalFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The local broker's security, made on first use under {@code .lab/kafka-tls}: a certificate authority and the
 * broker's certificate (keytool), a SCRAM-SHA-512 password per user (the CLI's {@code admin} and one per service), the
 * ACLs that give each service only its topics, and the client settings that go with them.
 */
public final class LocalKafkaSecurity {

    public static final String ADMIN = "admin";
    public static final List<String> SERVICES = List.of("trainer", "attack", "analysis");
    /** Producers outside the services (a training Job sharing the store): announce checkpoints, read reports. */
    public static final String PRODUCER = "producer";
    static final String BROKER_PRINCIPAL = "CN=logitlab-broker";
    private static final String MECHANISM = "SCRAM-SHA-512";

    private final Path dir;

    public LocalKafkaSecurity(Path home) {
        this.dir = home.resolve("kafka-tls");
    }

    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    /** True once the CA, the broker's keystore and the passwords exist. */
    boolean ready() {
        return Files.isRegularFile(dir.resolve("broker.p12")) && Files.isRegularFile(caCertificate())
                && Files.isRegularFile(dir.resolve("users/" + ADMIN));
    }

    /** Makes what is missing: the CA, the broker's certificate for 127.0.0.1 and localhost, every user's password. */
    synchronized void ensure() {
        try {
            if (ready()) {
                for (String user : users()) {
                    secret("users/" + user); // a user added since this .lab was made
                }
                return;
            }
            Files.createDirectories(dir.resolve("users"));
            String storePassword = secret("keystore");
            Path ca = dir.resolve("ca.p12");
            Path broker = dir.resolve("broker.p12");
            Files.deleteIfExists(ca);
            Files.deleteIfExists(broker);
            keytool(storePassword, "-genkeypair", "-alias", "ca", "-dname", "CN=logitlab local CA", "-ext", "bc:c", "-keyalg", "RSA",
                    "-keysize", "2048", "-validity", "3650", "-keystore", ca.toString(), "-storetype", "PKCS12",
                    "-storepass:env", PASSWORD_VARIABLE);
            keytool(storePassword, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass:env", PASSWORD_VARIABLE,
                    "-file", caCertificate().toString());
            keytool(storePassword, "-genkeypair", "-alias", "broker", "-dname", BROKER_PRINCIPAL, "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "3650", "-keystore", broker.toString(), "-storetype", "PKCS12", "-storepass:env", PASSWORD_VARIABLE);
            Path csr = dir.resolve("broker.csr");
            Path signed = dir.resolve("broker.pem");
            keytool(storePassword, "-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass:env", PASSWORD_VARIABLE,
                    "-file", csr.toString());
            keytool(storePassword, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass:env", PASSWORD_VARIABLE, "-infile",
                    csr.toString(), "-outfile", signed.toString(), "-rfc", "-validity", "3650",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth,clientAuth");
            keytool(storePassword, "-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(), "-keystore",
                    broker.toString(), "-storepass:env", PASSWORD_VARIABLE);
            keytool(storePassword, "-importcert", "-alias", "broker", "-file", signed.toString(), "-keystore", broker.toString(),
                    "-storepass:env", PASSWORD_VARIABLE);
            Files.delete(csr);
            for (String user : users()) {
                secret("users/" + user);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the local broker's certificates in " + dir, e);
        }
    }

    /** The broker's listener, TLS and SASL settings: SASL_SSL for clients, mutual TLS on the controller listener. */
    List<String> brokerProperties(StackConfig config) {
        return List.of(
                "listeners=SASL_SSL://127.0.0.1:" + config.kafkaPort() + ",CONTROLLER://127.0.0.1:" + config.controllerPort(),
                "advertised.listeners=SASL_SSL://127.0.0.1:" + config.kafkaPort(),
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL",
                "inter.broker.listener.name=SASL_SSL",
                "sasl.enabled.mechanisms=" + MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=" + jaas(ADMIN),
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + dir.resolve("broker.p12").toAbsolutePath(),
                "ssl.keystore.password=" + read("keystore"),
                "ssl.key.password=" + read("keystore"),
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + caCertificate().toAbsolutePath(),
                "listener.name.controller.ssl.client.auth=required",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                "super.users=User:" + ADMIN + ";User:" + BROKER_PRINCIPAL);
    }

    /** The SCRAM credentials the storage is formatted with (KRaft has no other way to give the first ones). */
    List<String> formatArguments() {
        List<String> args = new ArrayList<>();
        for (String user : users()) {
            args.add("--add-scram");
            args.add(MECHANISM + "=[name=" + user + ",password=" + read("users/" + user) + "]");
        }
        return args;
    }

    /** A Kafka client's security settings as {@code user}. */
    public Map<String, String> clientProperties(String user) {
        ensure();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaas(user));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", caCertificate().toAbsolutePath().toString());
        return p;
    }

    /** The same for a service, as the environment its Kafka clients and Kafka Streams read. */
    Map<String, String> serviceEnvironment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        clientProperties(service).forEach((k, v) -> env.put("KAFKA_" + k.toUpperCase().replace('.', '_'), v));
        return env;
    }

    /**
     * The admin's client settings for Apache Kafka's own tools ({@code --command-config .lab/kafka-client.properties})
     * and for kcat ({@code kcat -F .lab/kcat.conf -L}; SCRAM against Kafka 4 needs librdkafka 2.6.1 or newer).
     */
    void writeClientConfigs(StackConfig config) throws IOException {
        StringBuilder java = new StringBuilder("# the local stack's admin, for Kafka's tools: --command-config " + config.home()
                .resolve("kafka-client.properties") + "\nbootstrap.servers=" + config.bootstrap() + "\n");
        clientProperties(ADMIN).forEach((k, v) -> java.append(k).append('=').append(v).append('\n'));
        LocalFiles.writeOwnerOnly(config.home().resolve("kafka-client.properties"), java.toString());
        Path file = config.home().resolve("kcat.conf");
        StringBuilder producer = new StringBuilder("# a producer of checkpoints outside the services: writes "
                + "logitlab.announcements, reads logitlab.reports (consumer groups logitlab-producer*), nothing else\n"
                + "bootstrap.servers=" + config.bootstrap() + "\n");
        clientProperties(PRODUCER).forEach((k, v) -> producer.append(k).append('=').append(v).append('\n'));
        LocalFiles.writeOwnerOnly(config.home().resolve("producer-client.properties"), producer.toString());
        LocalFiles.writeOwnerOnly(file, String.join("\n", "# kcat -F " + file + " -L   (the local stack's admin; librdkafka >= 2.6.1)",
                "bootstrap.servers=" + config.bootstrap(), "security.protocol=SASL_SSL", "sasl.mechanisms=" + MECHANISM,
                "sasl.username=" + ADMIN, "sasl.password=" + read("users/" + ADMIN),
                "ssl.ca.location=" + caCertificate().toAbsolutePath(), ""));
    }

    /**
     * What each service may do, and nothing more: an outside producer announces checkpoints (to the trainer, which checks
     * its token and the run's owner) and reads reports; the trainer alone writes checkpoints, and writes runs and reads
     * announcements and reports; the attack
     * service reads checkpoints and its work topic and writes shard results; the analysis service reads results, runs,
     * reports and verdicts and writes reports and verdicts. The Kafka Streams services also own the internal topics, consumer group and
     * transactional ids named after their application id; each writes its own dead-letter topic.
     */
    public static List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, PRODUCER, ResourceType.TOPIC, "logitlab.announcements", PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, PRODUCER, ResourceType.TOPIC, "logitlab.reports", PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, PRODUCER, ResourceType.GROUP, "logitlab-producer", PatternType.PREFIXED, AclOperation.READ,
                AclOperation.DESCRIBE);
        allow(acls, "trainer", ResourceType.TOPIC, "logitlab.runs", PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "trainer", ResourceType.TOPIC, "logitlab.checkpoints", PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "trainer", ResourceType.TOPIC, "logitlab.reports", PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, "trainer", ResourceType.TOPIC, "logitlab.announcements", PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, "trainer", ResourceType.TOPIC, "logitlab.dlq.trainer-service", PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "trainer", ResourceType.GROUP, "trainer-service", PatternType.PREFIXED, AclOperation.READ);
        allow(acls, "attack", ResourceType.TOPIC, "logitlab.checkpoints", PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, "attack", ResourceType.TOPIC, "logitlab.attack-tasks", PatternType.LITERAL, AclOperation.READ,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "attack", ResourceType.TOPIC, "logitlab.survivor-tasks", PatternType.LITERAL, AclOperation.READ,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        // the attack service reads its own results: a budget's gradient results release its gradient-free shards
        allow(acls, "attack", ResourceType.TOPIC, "logitlab.attack-results", PatternType.LITERAL, AclOperation.READ,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "attack", ResourceType.TOPIC, "logitlab.shard-attempts", PatternType.LITERAL, AclOperation.READ,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "attack", ResourceType.TOPIC, "logitlab.dlq.attack-service", PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "analysis", ResourceType.TOPIC, "logitlab.attack-results", PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, "analysis", ResourceType.TOPIC, "logitlab.runs", PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, "analysis", ResourceType.TOPIC, "logitlab.reports", PatternType.LITERAL, AclOperation.READ,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "analysis", ResourceType.TOPIC, "logitlab.verdicts", PatternType.LITERAL, AclOperation.READ,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "analysis", ResourceType.TOPIC, "logitlab.dlq.analysis-service", PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        for (String streams : List.of("attack", "analysis")) {
            String app = streams + "-service";
            allow(acls, streams, ResourceType.TOPIC, app + "-", PatternType.PREFIXED, AclOperation.ALL);
            allow(acls, streams, ResourceType.GROUP, app, PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE);
            allow(acls, streams, ResourceType.TRANSACTIONAL_ID, app, PatternType.PREFIXED, AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        return acls;
    }

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
                              AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
        }
    }

    static List<String> users() {
        List<String> users = new ArrayList<>(List.of(ADMIN));
        users.addAll(SERVICES);
        users.add(PRODUCER);
        return users;
    }

    /** A user's SCRAM credential as the admin API takes it, for users added after the storage was formatted. */
    org.apache.kafka.clients.admin.UserScramCredentialUpsertion upsertion(String user) {
        return new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(user,
                new org.apache.kafka.clients.admin.ScramCredentialInfo(
                        org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192), read("users/" + user));
    }

    private String jaas(String user) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + read("users/" + user) + "\";";
    }

    /** A random secret kept in a file only its owner reads; made once. */
    private String secret(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            byte[] bytes = new byte[18];
            new SecureRandom().nextBytes(bytes);
            LocalFiles.writeOwnerOnly(file, HexFormat.of().formatHex(bytes));
        }
        return read(name);
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("missing " + dir.resolve(name) + ": remove " + dir + " to make them again", e);
        }
    }

    /** Where keytool reads the store password: its environment, never its command line (which ps shows anyone). */
    private static final String PASSWORD_VARIABLE = "LOGITLAB_KEYSTORE_PASSWORD";

    private static void keytool(String password, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(PASSWORD_VARIABLE, password);
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
