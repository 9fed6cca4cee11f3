/** Gap statistics (Shafahi et al. Eq. 4), censored minimal ε, and the indicators of attack failure. */
package dev.logitlab.core.analysis;
