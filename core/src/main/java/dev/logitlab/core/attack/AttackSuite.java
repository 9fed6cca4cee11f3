package dev.logitlab.core.attack;

import dev.logitlab.core.model.Classifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Attack specs: comma-separated attacks with options after colons ({@code pgd:steps=20:restarts=1,square:queries=1000}),
 * each run on every example; or attacks joined by {@code >}, a cascade, each run only on the examples the earlier
 * ones left robust ({@code apgd-ce>square:queries=5000}); or a named suite: {@code default}, {@code all},
 * {@code autoattack} (a cascade, like AutoAttack's). Every attack has an ℓ∞ and an ℓ2 form; a spec is built for one
 * norm. Every error names the offending attack.
 */
public final class AttackSuite {

    /** Strong and affordable: within about a point of {@link #AUTOATTACK} at a fraction of its cost. */
    public static final String DEFAULT = "fgsm,pgd,pgd-margin,apgd-ce,apgd-t,square:queries=1000,noise";
    /** Every attack at its paper defaults (transfer only when a surrogate is given). */
    public static final String ALL = "fgsm,pgd,pgd-margin,apgd-ce,apgd-dlr,apgd-t,fab-t,fmn,square,spsa,noise";
    /**
     * AutoAttack's standard suite, in its order and budgets: APGD-CE, APGD-T, FAB-T (9 targets each), Square 5000, as
     * AutoAttack runs it: a cascade.
     */
    public static final String AUTOATTACK = "apgd-ce:steps=100>apgd-t:steps=100:targets=9>fab-t:steps=100:targets=9>square:queries=5000";

    private AttackSuite() {
    }

    /**
     * Whether a spec runs as a cascade ({@code >}), each attack only on the examples the earlier ones left robust.
     * The other suites run every attack on every example, because the masking checks compare attacks on the same
     * examples (FGSM against PGD, a loss against its scale-free twin).
     */
    public static boolean cascades(String spec) {
        return expand(spec, false).contains(">");
    }

    /** Whether the named attack differentiates the attacked model (for results read back from JSON). */
    public static boolean usesGradients(String attack) {
        AttackRegistry.Entry entry = AttackRegistry.find(attack);
        return entry == null || !entry.gradientFree();
    }

    /** Checks a spec before any model is loaded; errors name the offending attack. */
    public static void validate(String spec, boolean surrogateGiven) {
        validate(spec, surrogateGiven, CostLimits.CEILING);
    }

    /** Checks a spec, each cost option within {@code limits}, in both norms; errors name the attack and the limit. */
    public static void validate(String spec, boolean surrogateGiven, CostLimits limits) {
        parse(spec, surrogateGiven ? UNLOADED_SURROGATE : null, Norm.LINF, limits);
    }

    private static final Classifier UNLOADED_SURROGATE = unloaded("surrogate");

    /**
     * Stands in for a surrogate that is not loaded here (validation; plans made where the model runs elsewhere);
     * never attacked.
     */
    public static Classifier unloaded(String description) {
        return new Classifier() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public ai.djl.ndarray.NDManager manager() {
                throw new IllegalStateException("not loaded");
            }

            @Override
            public ai.djl.ndarray.NDArray logits(ai.djl.ndarray.NDArray images) {
                throw new IllegalStateException("not loaded");
            }

            @Override
            public void close() {
            }
        };
    }

    /** The ℓ∞ attacks of a spec or suite name; {@code surrogate} may be null unless transfer is asked for. */
    public static List<Attack> parse(String spec, Classifier surrogate) {
        return parse(spec, surrogate, Norm.LINF);
    }

    /** The attacks of a spec in one norm, less transfer: what runs where no surrogate is at hand. */
    public static List<Attack> parseWithoutTransfer(String spec, Norm norm) {
        return parse(spec, UNLOADED_SURROGATE, norm).stream().filter(a -> !(a instanceof TransferAttack)).toList();
    }

    /** The attacks of a spec or suite name in one norm. */
    public static List<Attack> parse(String spec, Classifier surrogate, Norm norm) {
        return parse(spec, surrogate, norm, CostLimits.CEILING);
    }

    /** The attacks of a spec in one norm, every cost option within {@code limits}. */
    public static List<Attack> parse(String spec, Classifier surrogate, Norm norm, CostLimits limits) {
        String expanded = expand(spec, surrogate != null);
        if (expanded.contains(">") && expanded.contains(",")) {
            throw new IllegalArgumentException("attacks '" + spec + "': join attacks with ',' (each on every example) "
                    + "or with '>' (a cascade), not both");
        }
        List<Attack> attacks = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String part : expanded.split("[,>]", -1)) {
            Attack attack = attack(part.trim(), surrogate, norm, limits);
            if (!seen.add(attack.name())) {
                throw new IllegalArgumentException("attack '" + part.trim() + "' appears twice");
            }
            attacks.add(attack);
        }
        return List.copyOf(attacks);
    }

    private static String expand(String spec, boolean withSurrogate) {
        String text = spec == null ? "default" : spec.trim().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "default" -> DEFAULT;
            case "all" -> ALL + (withSurrogate ? ",transfer" : "");
            case "autoattack" -> AUTOATTACK;
            default -> text;
        };
    }

    private static Attack attack(String text, Classifier surrogate, Norm norm, CostLimits limits) {
        String[] parts = text.split(":", -1);
        String name = parts[0];
        AttackRegistry.Entry entry = AttackRegistry.find(name);
        if (entry == null) {
            throw new IllegalArgumentException("attack '" + text + "': unknown; known: " + String.join(", ",
                    new java.util.TreeSet<>(AttackRegistry.all().stream().map(AttackRegistry.Entry::name).toList()))
                    + ", or the suites default, all, autoattack");
        }
        Map<String, Double> options = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", -1);
            if (kv.length != 2 || !entry.optionNames().contains(kv[0].trim())) {
                throw new IllegalArgumentException("attack '" + text + "': unknown option '" + parts[i] + "'; "
                        + name + " takes " + (entry.optionNames().isEmpty() ? "no options"
                        : String.join(", ", entry.optionNames())));
            }
            try {
                options.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("attack '" + text + "': '" + kv[1] + "' is not a number", e);
            }
        }
        try {
            Attack attack = AttackRegistry.build(entry, options, norm, surrogate); // checks each option's form first
            options.forEach((option, value) -> limits.checkOption(option, value.intValue()));
            return attack;
        } catch (CostLimits.Exceeded e) {
            throw e.in("attack '" + text + "': ");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("attack '" + text + "': " + e.getMessage(), e);
        }
    }
}
