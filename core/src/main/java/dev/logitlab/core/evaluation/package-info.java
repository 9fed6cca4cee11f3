/** Evaluating a classifier: every attack at every ε, worst case per example, gap statistics, masking verdict. */
package dev.logitlab.core.evaluation;
