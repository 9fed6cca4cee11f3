/** The defenses of Shafahi et al. 2019 and Goibert &amp; Dohmatob 2019 as composable terms of one objective, and their spec grammar. */
package dev.logitlab.core.defense;
