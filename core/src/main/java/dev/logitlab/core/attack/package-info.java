/** Attacks on a model's logits: gradient (FGSM, PGD, APGD, FAB-T, FMN) and gradient-free (Square, SPSA, noise, transfer). */
package dev.logitlab.core.attack;
