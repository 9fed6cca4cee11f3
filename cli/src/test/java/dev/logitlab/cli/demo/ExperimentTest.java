package dev.logitlab.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.logitlab.events.RunSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo submits its costliest run second and shows every run in the experiment's order. */
class ExperimentTest {

    @Test
    void adversarialTrainingIsSubmittedSecondAndTheOthersKeepTheirOrder() {
        Experiment quick = Experiment.defaults("q", true);
        assertEquals(List.of("plain", "at=0.1:steps=3", "ls=0.5,gn=0.3", "lsq=0.01,gn=0.3", "als=0.3"),
                quick.submissionOrder().stream().map(RunSpec::defense).toList());
        assertEquals(List.of("plain", "ls=0.5,gn=0.3", "lsq=0.01,gn=0.3", "als=0.3", "at=0.1:steps=3"),
                quick.runs().stream().map(RunSpec::defense).toList(), "the table keeps the experiment's order");
        assertEquals(4, Experiment.trainingCost(quick.runs().get(4)));
        assertEquals(8, Experiment.trainingCost(Experiment.defaults("f", false).runs().get(4)), "at=0.1: 7 steps");
        assertEquals(1, Experiment.trainingCost(quick.runs().get(1)));
    }
}
