package dev.logitlab.core.attack;

import dev.logitlab.core.model.Classifier;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every attack a spec may name, one entry each: its name, its options with their defaults, whether it differentiates
 * the model, and how to build it in a norm. The spec parser, the shard planner (through each attack's
 * {@link Attack#cost()}) and the masking checks read this and nothing else; adding an attack is its class and one
 * {@link #register} line here.
 */
public final class AttackRegistry {

    /** How an entry builds its attack from the options of a spec (defaults filled in) in one norm. */
    public interface Factory {
        Attack build(Options options, Norm norm, Classifier surrogate);
    }

    /**
     * One attack: {@code options} as {@code name=default} or a bare {@code name} (the attack picks its own default,
     * such as PGD's step of 2.5ε/steps).
     */
    public record Entry(String name, List<String> options, boolean gradientFree, Factory factory) {

        /** The option names, in declaration order. */
        public Set<String> optionNames() {
            Set<String> names = new LinkedHashSet<>();
            options.forEach(o -> names.add(o.contains("=") ? o.substring(0, o.indexOf('=')) : o));
            return names;
        }

        Double defaultOf(String option) {
            for (String o : options) {
                if (o.startsWith(option + "=")) {
                    return Double.parseDouble(o.substring(option.length() + 1));
                }
            }
            return null;
        }
    }

    /** A spec's options for one attack, with the entry's defaults behind them. */
    public static final class Options {
        private final Entry entry;
        private final Map<String, Double> given;

        Options(Entry entry, Map<String, Double> given) {
            this.entry = entry;
            this.given = given;
        }

        /** A real-valued option, or its default, or null when the attack chooses. */
        public Double real(String option) {
            Double v = given.get(option);
            return v != null ? v : entry.defaultOf(option);
        }

        /** A whole number ≥ 1 (steps, queries, …). */
        public int whole(String option) {
            Double v = real(option);
            if (v == null || v != Math.rint(v) || v < 1 || v > 1_000_000) {
                throw new IllegalArgumentException(option + " must be a whole number ≥ 1, got " + v);
            }
            return v.intValue();
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register("fgsm", List.of(), false, (o, norm, s) -> new Fgsm(norm));
        register("pgd", List.of("steps=20", "step", "restarts=1"), false,
                (o, norm, s) -> new Pgd(norm, Pgd.Loss.CE, o.whole("steps"), o.real("step"), o.whole("restarts")));
        register("pgd-margin", List.of("steps=20", "step", "restarts=1"), false,
                (o, norm, s) -> new Pgd(norm, Pgd.Loss.MARGIN, o.whole("steps"), o.real("step"), o.whole("restarts")));
        register("apgd-ce", List.of("steps=100", "restarts=1"), false,
                (o, norm, s) -> new Apgd(norm, Apgd.Variant.CE, o.whole("steps"), o.whole("restarts"), 0));
        register("apgd-dlr", List.of("steps=100", "restarts=1"), false,
                (o, norm, s) -> new Apgd(norm, Apgd.Variant.DLR, o.whole("steps"), o.whole("restarts"), 0));
        register("apgd-t", List.of("steps=100", "restarts=1", "targets=9"), false, (o, norm, s) ->
                new Apgd(norm, Apgd.Variant.TARGETED, o.whole("steps"), o.whole("restarts"), o.whole("targets")));
        register("fab-t", List.of("steps=100", "targets=9"), false,
                (o, norm, s) -> new Fab(norm, o.whole("steps"), o.whole("targets")));
        register("fmn", List.of("steps=100", "step=1"), false,
                (o, norm, s) -> new Fmn(norm, o.whole("steps"), o.real("step")));
        register("square", List.of("queries=1000", "p=" + SquareAttack.P_INIT), true,
                (o, norm, s) -> new SquareAttack(norm, o.whole("queries"), o.real("p")));
        register("spsa", List.of("iterations=50", "samples=32", "delta=0.01", "lr=0.01"), true, (o, norm, s) ->
                new Spsa(norm, o.whole("iterations"), o.whole("samples"), o.real("delta"), o.real("lr")));
        register("noise", List.of("draws=20"), true, (o, norm, s) -> new RandomNoise(norm, o.whole("draws")));
        register("transfer", List.of("steps=20"), true, (o, norm, surrogate) -> {
            if (surrogate == null) {
                throw new IllegalArgumentException("needs a surrogate model (--surrogate PATH)");
            }
            return new TransferAttack(norm, surrogate, o.whole("steps"));
        });
    }

    private AttackRegistry() {
    }

    /** Adds (or replaces) an attack; specs may name it from then on. */
    public static synchronized void register(String name, List<String> options, boolean gradientFree, Factory factory) {
        ENTRIES.put(name, new Entry(name, List.copyOf(options), gradientFree, factory));
    }

    /** The entry of a name, or null. */
    public static synchronized Entry find(String name) {
        return ENTRIES.get(name);
    }

    public static synchronized Collection<Entry> all() {
        return List.copyOf(ENTRIES.values());
    }

    static Attack build(Entry entry, Map<String, Double> given, Norm norm, Classifier surrogate) {
        return entry.factory().build(new Options(entry, given), norm, surrogate);
    }
}
