/** Attacks on a model's logits; for now the PGD that adversarial training needs (the full suite comes with evaluation). */
package dev.logitlab.core.attack;
