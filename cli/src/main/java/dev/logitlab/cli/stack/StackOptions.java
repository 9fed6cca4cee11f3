package dev.logitlab.cli.stack;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a local stack lives: its ports, replicas and state directory (a picocli mixin). */
public final class StackOptions {
    @Option(names = "--home", description = "state directory (default: <repo>/.lab)")
    Path home;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "broker port (default: ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(names = "--controller-port", defaultValue = "9093", description = "KRaft controller port (default: ${DEFAULT-VALUE})")
    int controllerPort;

    @Option(names = "--trainer-port", defaultValue = "8081", description = "(default: ${DEFAULT-VALUE})")
    int trainerPort;

    @Option(names = "--attack-port", defaultValue = "8082", description = "(default: ${DEFAULT-VALUE})")
    int attackPort;

    @Option(names = "--analysis-port", defaultValue = "8083", description = "(default: ${DEFAULT-VALUE})")
    int analysisPort;

    @Option(names = "--attack-replicas", description = "attack service processes; replica i listens on the attack port "
            + "+ 10(i-1) (default: one per core, at most 4)")
    Integer attackReplicas;

    @Option(names = "--analysis-replicas", defaultValue = "1",
            description = "analysis service processes, ports as for attack (default: ${DEFAULT-VALUE})")
    int analysisReplicas;

    public StackConfig config() {
        StackConfig d = StackConfig.defaults();
        return new StackConfig(d.repository(), home != null ? home.toAbsolutePath() : d.home(), kafkaPort,
                controllerPort, trainerPort, attackPort, analysisPort,
                attackReplicas != null ? attackReplicas : defaultAttackReplicas(), analysisReplicas);
    }

    /**
     * One attack replica per core, up to 4: each service runs libtorch on one thread here, and shards are the work
     * that parallelises (with one replica the quick demo left a core idle for much of its run: 5 min 14 s against
     * 4 min 8 s with two, on 2 cores); beyond 4 the JVMs cost more memory than they win.
     */
    static int defaultAttackReplicas() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }
}
