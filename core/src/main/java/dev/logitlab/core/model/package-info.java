/** Networks: the architectures (linear, MLP, small CNN, Wide-ResNet), their specs, and the PyTorch engine setup. */
package dev.logitlab.core.model;
