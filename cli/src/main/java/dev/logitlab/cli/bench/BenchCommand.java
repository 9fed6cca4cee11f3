package dev.logitlab.cli.bench;

import picocli.CommandLine.Command;

/** {@code ./lab bench}: benchmarks that print numbers. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print numbers.",
        subcommands = {BenchTrainCommand.class, BenchAttacksCommand.class, BenchScalingCommand.class, BenchServiceCommand.class,
                BenchPeersCommand.class, BenchSandboxCommand.class, BenchSuitesCommand.class})
public final class BenchCommand {
}
