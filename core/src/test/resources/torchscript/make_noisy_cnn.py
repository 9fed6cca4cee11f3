"""Recipe for noisy_cnn.pt, the randomized model of EotCrashTest and of the benchmark page's EOT figures.

Run with Debian's PyTorch (apt-get install python3-torch; 1.13 here) and Debian's dataset-fashion-mnist from this
directory:
    /usr/bin/python3 make_noisy_cnn.py
A small CNN (two 3 x 3 convolutions with 8 and 16 channels, max pooling, one linear layer) trained for one epoch on
the first 5,000 Fashion-MNIST training images, whose forward adds Gaussian noise (sigma 0.1) to its input at
inference: the textbook randomized defense, convolutions included, so attacks on it run oneDNN's kernels through
expectation over transformation.
"""
import gzip

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist/"


class NoisyCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = x + 0.1 * torch.randn_like(x)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


with gzip.open(DATA + "train-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:5000]
with gzip.open(DATA + "train-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)[:5000]
x = torch.tensor(images / 255.0, dtype=torch.float32)
y = torch.tensor(labels, dtype=torch.long)

torch.manual_seed(0)
model = NoisyCnn()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for start in range(0, len(x), 64):
    optimizer.zero_grad()
    F.cross_entropy(model(x[start:start + 64]), y[start:start + 64]).backward()
    optimizer.step()
torch.jit.script(model.eval()).save("noisy_cnn.pt")
