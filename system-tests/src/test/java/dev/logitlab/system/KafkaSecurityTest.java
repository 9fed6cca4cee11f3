package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.cli.stack.LocalKafkaSecurity;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local broker lets in only who it should: it speaks SASL_SSL (SCRAM-SHA-512, its own CA) on 127.0.0.1 and
 * nothing else to clients; each service's user reaches its own topics only; the admin's settings that stack up writes
 * work as written.
 */
class KafkaSecurityTest {

    @TempDir
    Path home;

    @Test
    void noCredentialsOrTheWrongOnesAreRefusedAndEachServiceReachesOnlyItsTopics() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        try {
            stack.startBroker();
            // The admin (the CLI) sees every topic.
            try (Admin admin = Admin.create(config.kafkaClient())) {
                assertTrue(admin.listTopics().names().get(20, TimeUnit.SECONDS).contains("logitlab.reports"));
            }
            // Without credentials: the broker does not speak plaintext at all.
            Properties plain = new Properties();
            plain.put("bootstrap.servers", config.bootstrap());
            plain.put("default.api.timeout.ms", "4000");
            plain.put("request.timeout.ms", "2000");
            try (Admin anonymous = Admin.create(plain)) {
                assertThrows(Exception.class, () -> anonymous.listTopics().names().get(10, TimeUnit.SECONDS));
            }
            // A wrong password is an authentication failure.
            Properties wrong = client(config, "trainer");
            wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"trainer\" password=\"guess\";");
            try (Admin guesser = Admin.create(wrong)) {
                var e = assertThrows(ExecutionException.class, () -> guesser.listTopics().names().get(20, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, e.getCause());
            }
            // The trainer's user writes runs, and cannot write reports (the analysis service's) or read shard results.
            try (KafkaProducer<String, String> trainer = new KafkaProducer<>(client(config, "trainer"), new StringSerializer(),
                    new StringSerializer())) {
                trainer.send(new ProducerRecord<>("logitlab.runs", "run-x", "{}")).get(20, TimeUnit.SECONDS);
                var e = assertThrows(ExecutionException.class, () ->
                        trainer.send(new ProducerRecord<>("logitlab.reports", "run-x/epoch-001", "{}")).get(20, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, e.getCause());
            }
            Properties reader = client(config, "trainer");
            reader.put("group.id", "trainer-service-" + UUID.randomUUID());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(reader, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of("logitlab.attack-results"));
                assertThrows(TopicAuthorizationException.class, () -> {
                    for (int i = 0; i < 20; i++) {
                        consumer.poll(Duration.ofMillis(500));
                    }
                });
            }
            theWrittenClientSettingsWork(config);
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nstack log:\n" + log + "\nbroker log:\n"
                    + (Files.exists(stack.log("kafka")) ? tail(Files.readString(stack.log("kafka"))) : ""), e);
        } finally {
            stack.down();
        }
    }

    /** The admin's settings that stack up writes work as they are; they are the owner's only, as is kcat's. */
    private static void theWrittenClientSettingsWork(StackConfig config) throws Exception {
        Path properties = config.home().resolve("kafka-client.properties");
        for (Path file : List.of(properties, config.home().resolve("kcat.conf"))) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(properties)) {
            p.load(in);
        }
        try (Admin admin = Admin.create(p)) {
            assertTrue(admin.listTopics().names().get(20, TimeUnit.SECONDS).contains("logitlab.attack-tasks"));
        }
        assertTrue(Files.readString(config.home().resolve("kcat.conf")).contains("sasl.mechanisms=SCRAM-SHA-512"));
    }

    private static Properties client(StackConfig config, String user) {
        Properties p = new Properties();
        p.put("bootstrap.servers", config.bootstrap());
        p.putAll(new LocalKafkaSecurity(config.home()).clientProperties(user));
        p.putAll(Map.of("default.api.timeout.ms", "20000", "request.timeout.ms", "10000", "max.block.ms", "20000"));
        return p;
    }

    private static String tail(String text) {
        return text.length() < 4000 ? text : text.substring(text.length() - 4000);
    }
}
