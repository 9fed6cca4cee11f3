package dev.logitlab.cli.demo;

import dev.logitlab.events.RunSpec;
import java.util.List;

/**
 * The default experiment: small-cnn on Fashion-MNIST with the seed's defenses (plain, LS+GN, LSQ+GN, ALS, PGD AT),
 * each checkpoint evaluated at a few ℓ∞ ε (and, in the full demo, ℓ2 ε = 1.5). Settings that show the effects in a
 * few epochs on 2 cores.
 */
record Experiment(String id, List<RunSpec> runs) {

    static final List<String> DEFENSES = List.of("plain", "ls=0.5,gn=0.3", "lsq=0.01,gn=0.3", "als=0.3", "at=0.1");

    /**
     * The order to submit in: the one trainer trains runs one after the other while the attack replicas work on the
     * checkpoints already out, so the costliest run (adversarial training, which crafts PGD examples at every step)
     * goes second: early enough that its checkpoints are not attacked alone at the end, late enough that the
     * attack replicas have work from the first run's cheap checkpoints while it trains.
     */
    List<RunSpec> submissionOrder() {
        java.util.ArrayList<RunSpec> order = new java.util.ArrayList<>(runs);
        if (order.size() > 2) {
            RunSpec costliest = order.stream().skip(1).max(java.util.Comparator.comparingInt(Experiment::trainingCost))
                    .orElseThrow();
            order.remove(costliest);
            order.add(1, costliest);
        }
        return order;
    }

    /** Forward-backward passes a training step costs: one, plus the PGD steps of a term that crafts examples. */
    static int trainingCost(RunSpec spec) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|,)(?:at|alp)=[^,]*?(?::steps=(\\d+))?(?:,|$)")
                .matcher(spec.defense());
        if (!m.find()) {
            return 1;
        }
        return 1 + (m.group(1) == null ? dev.logitlab.core.defense.AdversarialTraining.DEFAULT_STEPS
                : Integer.parseInt(m.group(1)));
    }

    static Experiment defaults(String id, boolean quick) {
        RunSpec.Evaluation evaluation = quick
                // a preview: PGD's and FMN's minimal-ε searches (not in the summary table) on 20 of the 80 gap examples
                ? new RunSpec.Evaluation(List.of(0.05, 0.1), List.of(),
                        "fgsm,pgd,pgd-margin,apgd-ce:steps=20,square:queries=200,noise:draws=10", 150, 80, null, null, 20)
                : new RunSpec.Evaluation(List.of(0.05, 0.1, 0.15), List.of(1.5),
                        "fgsm,pgd,pgd-margin,apgd-ce:steps=30,square:queries=300,noise:draws=10", 150, 100);
        int trainLimit = quick ? 5000 : 20000;
        int epochs = quick ? 2 : 3;
        List<RunSpec> runs = DEFENSES.stream().map(defense -> new RunSpec("fashion-mnist", "small-cnn",
                quick && defense.startsWith("at=") ? defense + ":steps=3" : defense, epochs, trainLimit, 1000, 128,
                1e-3, "adam", 0, evaluation)).toList();
        return new Experiment(id, runs);
    }
}
