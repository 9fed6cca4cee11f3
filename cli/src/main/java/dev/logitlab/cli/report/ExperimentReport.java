package dev.logitlab.cli.report;

import dev.logitlab.core.evaluation.AttackStrengthGap;
import dev.logitlab.core.evaluation.Breach;
import dev.logitlab.core.evaluation.BreachOverSeeds;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ReportPublished;
import java.util.Comparator;
import java.util.List;

/**
 * {@code report.json} of a demo experiment: per run (defense), per checkpoint, what the analysis published; for the
 * logit pairing experiment also each defense under a weak configuration against the full suite, and the breach judged
 * per defense over its seeds.
 */
public record ExperimentReport(String experiment, String createdAt, List<Run> runs, List<WeakAgainstFull> weakAgainstFull,
                               List<BreachOverSeeds> breachOverSeeds) {

    public ExperimentReport(String experiment, String createdAt, List<Run> runs) {
        this(experiment, createdAt, runs, null, null);
    }

    /**
     * One defense's last checkpoint of one seed under both configurations (see {@link AttackStrengthGap}), with the
     * evidence of each indicator the weak evaluation raised (the full evaluation's is in its checkpoint's masking
     * checks) and, for every defense but plain training, the breach tested against plain training of the same seed.
     */
    public record WeakAgainstFull(String runId, String defense, String weakAttacks, String fullAttacks,
                                  List<AttackStrengthGap.Row> rows, List<EvaluationReport.Check> weakEvidence,
                                  Long seed, Double clean, List<Breach.Row> breach) {
    }

    /** One defense's run and its checkpoints in epoch order. */
    public record Run(String runId, String defense, List<Checkpoint> checkpoints) {
    }

    /** One checkpoint's evaluation. */
    public record Checkpoint(int epoch, String checkpointId, double cleanAccuracy, List<Double> cleanInterval,
                             List<EvaluationReport.WorstCase> worstCase, List<EvaluationReport.AttackRun> attacks,
                             EvaluationReport.GapSummary gaps, EvaluationReport.Masking masking,
                             List<EvaluationReport.Stage> timeline) {

        public static Checkpoint of(int epoch, String checkpointId, EvaluationReport r) {
            return new Checkpoint(epoch, checkpointId, r.cleanAccuracy(), r.cleanInterval(), r.worstCase(), r.attacks(),
                    r.gaps(), r.masking(), r.timeline());
        }
    }

    public static Run run(String runId, String defense, List<ReportPublished> reports) {
        return new Run(runId, defense, reports.stream().sorted(Comparator.comparingInt(ReportPublished::epoch))
                .map(r -> Checkpoint.of(r.epoch(), r.checkpointId(), r.report()))
                .toList());
    }
}
