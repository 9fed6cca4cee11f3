/** Data sets (Fashion-MNIST, MNIST, CIFAR-10, a synthetic one for tests), where to find them, and seeded batch orders. */
package dev.logitlab.core.data;
