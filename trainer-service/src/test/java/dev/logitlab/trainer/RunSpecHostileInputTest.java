package dev.logitlab.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.SweepSpec;
import dev.logitlab.service.InvalidFieldException;
import dev.logitlab.trainer.sweep.SweepGrid;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The hostile-input suite's part in the trainer: any JSON body for a run or a sweep is bound (or is a JSON error, a
 * 400), then normalized or refused with an {@link InvalidFieldException} naming a field (a 400 too); nothing else.
 */
class RunSpecHostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 400, seed = "20261130")
    void anyRunSpecBodyIsNormalizedOrRefusedNamingAField(@ForAll("bodies") String body) {
        RunSpec spec;
        try {
            spec = JSON.readValue(body, RunSpec.class);
        } catch (JsonProcessingException e) {
            return; // the REST layer answers 400 for a body it cannot bind
        }
        try {
            RunSpecs.normalize(spec);
        } catch (InvalidFieldException refused) {
            if (refused.field() == null || refused.getMessage() == null) {
                throw new AssertionError("a refusal names its field and says why", refused);
            }
        }
    }

    @Property(tries = 200, seed = "20261130")
    void anySweepIsExpandedWithinItsPointLimitOrRefused(@ForAll("bodies") String base,
                                                       @ForAll("grid") List<String> defenses,
                                                       @ForAll("seeds") List<Long> seeds) throws Exception {
        RunSpec spec;
        try {
            spec = JSON.readValue(base, RunSpec.class);
        } catch (JsonProcessingException e) {
            return;
        }
        SubmissionLimits limits = LIMITS;
        try {
            List<RunSpec> grid = SweepGrid.expand(new SweepSpec("s", spec, defenses, null, null, seeds, "local"), limits);
            if (grid.size() > limits.sweepPoints()) {
                throw new AssertionError(grid.size() + " points passed a limit of " + limits.sweepPoints());
            }
            grid.forEach(RunSpecs::normalize);
        } catch (InvalidFieldException refused) {
            // named and explained, like any 400
        }
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> key = Arbitraries.of("dataset", "model", "defense", "epochs", "trainLimit", "testLimit",
                "batchSize", "learningRate", "optimizer", "seed", "evaluation");
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("\"fashion-mnist\"", "\"synthetic\"", "\"linear\"",
                        "\"wrn-400-40\"", "\"wrn-99999999999-1\"", "\"ls=0.5,gn=0.3\"", "\"alp=1e308\"", "\"sgd\"",
                        "\"../../etc/passwd\"", "null", "-1", "0", "2147483647", "1e308", "NaN", "[]", "{}",
                        "{\"eps\":[0.1],\"attacks\":\"pgd:steps=900000\"}", "{\"eps\":[-1]}", "{\"eps\":[]}",
                        "{\"eps\":[0.1],\"limit\":-5,\"gapLimit\":-1}", "{\"eps\":[0.1],\"baseline\":\"../x\"}"),
                Arbitraries.integers().map(String::valueOf), Arbitraries.doubles().map(String::valueOf));
        return Combinators.combine(key, value).as((k, v) -> "\"" + k + "\":" + v).list().ofMaxSize(11)
                .map(fields -> "{" + String.join(",", fields) + "}");
    }

    @Provide
    Arbitrary<List<String>> grid() {
        return Arbitraries.of("plain", "ls=0.1", "gn=0.3", "nonsense", "").list().ofMaxSize(30).injectNull(0.1);
    }

    @Provide
    Arbitrary<List<Long>> seeds() {
        return Arbitraries.longs().list().ofMaxSize(30).injectNull(0.2);
    }

    /** The limits as configured by default (the interface's defaults, without a running Quarkus). */
    private static final SubmissionLimits LIMITS = (SubmissionLimits) java.lang.reflect.Proxy.newProxyInstance(
            SubmissionLimits.class.getClassLoader(), new Class<?>[] {SubmissionLimits.class}, (proxy, method, args) -> {
                if (method.isDefault()) {
                    return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                }
                String value = method.getAnnotation(io.smallrye.config.WithDefault.class).value();
                Class<?> type = method.getReturnType();
                return type == int.class ? (Object) Integer.parseInt(value) : type == long.class
                        ? (Object) Long.parseLong(value) : (Object) Double.parseDouble(value);
            });
}
