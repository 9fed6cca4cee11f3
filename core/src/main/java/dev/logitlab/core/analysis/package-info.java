/** Gap statistics (Shafahi et al. Eq. 4), minimal-ε search, and the nine gradient-masking checks. */
package dev.logitlab.core.analysis;
