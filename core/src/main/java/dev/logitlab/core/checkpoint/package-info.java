/** Checkpoint directories: manifest ({@code logitlab.checkpoint/v1}), parameter and optimiser files, SHA-256 checks. */
package dev.logitlab.core.checkpoint;
