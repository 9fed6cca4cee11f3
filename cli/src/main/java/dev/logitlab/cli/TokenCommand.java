package dev.logitlab.cli;

import dev.logitlab.cli.stack.LocalTokens;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.Roles;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./lab token}: a bearer token for the local stack's REST APIs, signed with its key (.lab/jwt). */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Print a bearer token for the local stack's REST APIs: viewer reads, submitter also submits runs "
                + "and sweeps, operator also cancels and administers.",
                "  curl -H \"Authorization: Bearer $(./lab token --role submitter)\" -X POST localhost:8081/api/runs ..."})
final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--role", defaultValue = Roles.VIEWER, description = "viewer, submitter or operator (default: ${DEFAULT-VALUE})")
    String role;

    @Option(names = "--subject", description = "who the token is for (default: your user name)")
    String subject;

    @Option(names = "--ttl", defaultValue = "8h", converter = TtlConverter.class,
            description = "how long it is valid: 30m, 8h, 7d (default: ${DEFAULT-VALUE})")
    Duration ttl;

    @Option(names = "--home", description = "state directory of the stack (default: <repo>/.lab)")
    java.nio.file.Path home;

    @Override
    public Integer call() {
        if (!java.util.List.of(Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR).contains(role)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--role: '" + role + "' is none of viewer, submitter, operator");
        }
        LocalTokens tokens = new LocalTokens(home != null ? home.toAbsolutePath() : StackConfig.defaults().home());
        String who = subject != null ? subject : System.getProperty("user.name", "local");
        spec.commandLine().getOut().println(tokens.token(who, ttl, role));
        return 0;
    }
}
