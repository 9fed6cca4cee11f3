"""Recipe for the TorchScript fixtures of TorchScriptClassifierTest.

Run with Debian's PyTorch (apt-get install python3-torch; 1.13 here) from this directory:
    /usr/bin/python3 make_tiny_cnn.py
It writes tiny_cnn.pt (a scripted 1x28x28 -> 10 CNN with seeded weights and a batch norm whose running
statistics differ from any batch's, so logits match only in inference mode) and tiny_cnn_expected.json:
the logits of a fixed input and the input gradient of the cross-entropy for label 3, computed by PyTorch,
which the Java test compares against DJL's results.
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyCnn(nn.Module):
    def __init__(self):
        super().__init__()
        # 16 filters: with fewer, libtorch 2.7.1 (DJL's) gave wrong input gradients for a 1-channel conv on one of
        # our machines (AMD EPYC), whatever the thread count (docs/attacks.md, "Known limits").
        self.conv = nn.Conv2d(1, 16, 3, padding=1)
        self.norm = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 14 * 14, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.norm(self.conv(x))), 2)
        return self.fc(torch.flatten(x, 1))


def fixed_input():
    # The same pattern the Java test builds: pixel i of image n is ((i * 7 + n * 13) % 256) / 255.
    n, i = torch.meshgrid(torch.arange(2), torch.arange(784), indexing="ij")
    return (((i * 7 + n * 13) % 256).float() / 255).reshape(2, 1, 28, 28)


torch.manual_seed(0)
model = TinyCnn()
with torch.no_grad():
    model.norm.running_mean.copy_(torch.tensor([0.1, -0.2, 0.3, 0.0] * 4))
    model.norm.running_var.copy_(torch.tensor([0.5, 2.0, 1.0, 4.0] * 4))
model.eval()
scripted = torch.jit.script(model)
scripted.save("tiny_cnn.pt")

x = fixed_input().requires_grad_(True)
logits = model(x)
loss = F.cross_entropy(logits, torch.tensor([3, 3]), reduction="sum")
loss.backward()
with open("tiny_cnn_expected.json", "w") as f:
    json.dump({"logits": logits.detach().flatten().tolist(), "gradient": x.grad.flatten().tolist()}, f)
