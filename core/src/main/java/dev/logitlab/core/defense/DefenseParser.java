package dev.logitlab.core.defense;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The defense spec grammar: comma-separated terms {@code plain | ls=α | lsq=β | lsqk=λ | gn=σ[:clip=0|1] | als=ε |
 * at=ε[:steps=k] | alp=λ[:eps=ε][:steps=k] | clp=λ}, one {@link #TERMS} entry each. Every error names the offending
 * term.
 */
final class DefenseParser {

    /** How a term is built from its value and its options (each given, or its default). */
    private interface Factory {
        DefenseTerm build(double value, Map<String, Double> options);
    }

    /** A term: its options with their defaults, whether each is whole, and its factory. */
    private record TermType(String symbol, Map<String, Double> defaults, Set<String> whole, Factory factory) {

        String grammar(String name) {
            StringBuilder g = new StringBuilder(name + "=<" + symbol + ">");
            defaults.keySet().forEach(o -> g.append("[:").append(o).append("=<").append(switch (o) {
                case "steps" -> "k";
                case "clip" -> "0|1";
                default -> "ε";
            })
                    .append(">]"));
            return g.toString();
        }
    }

    /** Adding a defense: its class and one line here. */
    private static final Map<String, TermType> TERMS = new LinkedHashMap<>();

    static {
        term("ls", "α", (v, o) -> new LabelSmoothing(v));
        term("lsq", "β", (v, o) -> new LogitSqueezing(v));
        term("lsqk", "λ", (v, o) -> new PerExampleLogitSqueezing(v));
        TERMS.put("gn", new TermType("σ", Map.of("clip", 0.0), Set.of("clip"), (v, o) -> {
            if (o.get("clip") != 0 && o.get("clip") != 1) {
                throw new IllegalArgumentException("clip must be 0 or 1");
            }
            return new GaussianNoise(v, o.get("clip") == 1);
        }));
        term("als", "ε", (v, o) -> new AdversarialLabelSmoothing(v));
        TERMS.put("at", new TermType("ε", Map.of("steps", (double) AdversarialTraining.DEFAULT_STEPS), Set.of("steps"),
                (v, o) -> new AdversarialTraining(v, o.get("steps").intValue())));
        TERMS.put("alp", new TermType("λ", orderedDefaults("eps", AdversarialLogitPairing.DEFAULT_EPSILON, "steps",
                AdversarialTraining.DEFAULT_STEPS), Set.of("steps"), (v, o) -> new AdversarialLogitPairing(v,
                o.get("eps"), o.get("steps").intValue())));
        term("clp", "λ", (v, o) -> new CleanLogitPairing(v));
    }

    static final String GRAMMAR = "plain, " + String.join(", ", TERMS.entrySet().stream()
            .map(e -> e.getValue().grammar(e.getKey())).toList());

    private static void term(String name, String symbol, Factory factory) {
        TERMS.put(name, new TermType(symbol, Map.of(), Set.of(), factory));
    }

    private static Map<String, Double> orderedDefaults(String a, double va, String b, double vb) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(a, va);
        m.put(b, vb);
        return m;
    }

    private DefenseParser() {
    }

    static List<DefenseTerm> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty defense spec; use one or more of: " + GRAMMAR);
        }
        List<DefenseTerm> terms = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean plain = false;
        for (String raw : spec.split(",", -1)) {
            String text = raw.trim().toLowerCase(Locale.ROOT);
            if (text.equals("plain")) {
                plain = true;
                continue;
            }
            DefenseTerm term = term(text);
            if (!seen.add(term.name())) {
                throw new IllegalArgumentException("defense term '" + text + "': " + term.name() + " appears twice");
            }
            terms.add(term);
        }
        if (plain && !terms.isEmpty()) {
            throw new IllegalArgumentException("defense term 'plain' cannot be combined with other terms");
        }
        if (seen.contains("ls") && seen.contains("als")) {
            throw new IllegalArgumentException("defense terms 'ls' and 'als' both set the targets: choose one");
        }
        if (seen.contains("alp") && seen.contains("at")) {
            throw new IllegalArgumentException("defense term 'alp' already trains on PGD examples (a mixed batch): "
                    + "drop 'at', or use 'at' without 'alp'");
        }
        if (seen.contains("alp") && seen.contains("clp")) {
            throw new IllegalArgumentException("defense term 'clp' pairs clean images; with 'alp' the batch is mixed: "
                    + "choose one of alp and clp");
        }
        // Noise first, then PGD around the noisy point, whatever order the user wrote.
        terms.sort((a, b) -> Boolean.compare(crafts(a), crafts(b)));
        return List.copyOf(terms);
    }

    /** Terms that craft PGD examples against the current weights: they come after the noise. */
    private static boolean crafts(DefenseTerm term) {
        return term instanceof AdversarialTraining || term instanceof AdversarialLogitPairing;
    }

    private static DefenseTerm term(String text) {
        String[] options = text.split(":", -1);
        String[] nameValue = options[0].split("=", -1);
        if (nameValue.length != 2 || nameValue[0].isBlank()) {
            throw new IllegalArgumentException("defense term '" + text + "' is malformed; expected one of: " + GRAMMAR);
        }
        String name = nameValue[0].trim();
        TermType type = TERMS.get(name);
        if (type == null) {
            throw new IllegalArgumentException("defense term '" + text + "': unknown term; known: " + GRAMMAR);
        }
        double value = number(text, nameValue[1]);
        if (options.length > 1 && type.defaults().isEmpty()) {
            List<String> withOptions = TERMS.entrySet().stream().filter(e -> !e.getValue().defaults().isEmpty())
                    .map(Map.Entry::getKey).toList();
            throw new IllegalArgumentException("defense term '" + text + "': only "
                    + String.join(", ", withOptions.subList(0, withOptions.size() - 1)) + " and "
                    + withOptions.get(withOptions.size() - 1) + " take options (" + type.grammar(name) + ")");
        }
        Map<String, Double> given = new LinkedHashMap<>(type.defaults());
        for (int i = 1; i < options.length; i++) {
            String[] kv = options[i].split("=", -1);
            String key = kv.length == 2 ? kv[0].trim() : "";
            if (!type.defaults().containsKey(key)) {
                throw new IllegalArgumentException("defense term '" + text + "': unknown option '" + options[i]
                        + "'; " + name + " takes " + String.join(", ", type.defaults().keySet()));
            }
            double v = number(text, kv[1]);
            if (type.whole().contains(key) && v != Math.rint(v)) {
                throw new IllegalArgumentException("defense term '" + text + "': " + key + " must be a whole number");
            }
            given.put(key, v);
        }
        try {
            return type.factory().build(value, given);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("defense term '" + text + "': " + e.getMessage(), e);
        }
    }

    private static double number(String text, String value) {
        try {
            double v = Double.parseDouble(value.trim());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("defense term '" + text + "': '" + value + "' is not a number", e);
        }
    }
}
