package dev.logitlab.service;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real single-node KRaft broker inside the test JVM, and a fresh checkpoint store, for the service under test. */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    public static String bootstrap;
    public static Path store;
    private EmbeddedKafkaBroker broker;

    @Override
    public Map<String, String> start() {
        broker = new EmbeddedKafkaBroker().withDeleteLogDirsOnClose(true).start();
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
        if (broker != null) {
            broker.close();
        }
    }
}
