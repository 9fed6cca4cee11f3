/** Training runs: config and its hash, the seeded epoch loop, optimisers with resumable state, progress. */
package dev.logitlab.core.train;
