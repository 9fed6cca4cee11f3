/** Verdicts from per-example outcomes: exact intervals, paired comparisons between checkpoints, gates, rankings. */
package dev.logitlab.core.verdict;
