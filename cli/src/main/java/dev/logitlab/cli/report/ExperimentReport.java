package dev.logitlab.cli.report;

import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ReportPublished;
import java.util.Comparator;
import java.util.List;

/** {@code report.json} of a demo experiment: per run (defense), per checkpoint, what the analysis published. */
public record ExperimentReport(String experiment, String createdAt, List<Run> runs) {

    /** One defense's run and its checkpoints in epoch order. */
    public record Run(String runId, String defense, List<Checkpoint> checkpoints) {
    }

    /** One checkpoint's evaluation. */
    public record Checkpoint(int epoch, String checkpointId, double cleanAccuracy,
                             List<EvaluationReport.WorstCase> worstCase, List<EvaluationReport.AttackRun> attacks,
                             EvaluationReport.GapSummary gaps, EvaluationReport.Masking masking) {
    }

    public static Run run(String runId, String defense, List<ReportPublished> reports) {
        return new Run(runId, defense, reports.stream().sorted(Comparator.comparingInt(ReportPublished::epoch))
                .map(r -> new Checkpoint(r.epoch(), r.checkpointId(), r.report().cleanAccuracy(), r.report().worstCase(),
                        r.report().attacks(), r.report().gaps(), r.report().masking()))
                .toList());
    }
}
