"""Recipe for the TorchScript fixtures of ModelContractTest and TorchScriptArchiveTest.

Run with Debian's PyTorch (apt-get install python3-torch; 1.13 here) from this directory:
    /usr/bin/python3 make_contract_fixtures.py
Each file breaks one part of the contract a model from outside must keep (input N x 1 x 28 x 28 floats in [0, 1],
output N x 10 finite logits), or is not a TorchScript module at all, or is randomized:
    wrong_classes.pt   a scripted module with 7 outputs
    nan_logits.pt      a scripted module whose logits are NaN
    rgb_only.pt        a scripted module that expects 3 x 32 x 32 images
    noisy_linear.pt    a scripted linear model that adds Gaussian noise (sigma 0.1) to its input at inference
    state_dict.pt      torch.save of a state dict: weights, no code
    pickled_module.pt  torch.save of a whole module: a pickle, no TorchScript code
    synthetic_linear.pt  a scripted linear model for logitlab's synthetic data (1 x 8 x 8, 10 classes): logit k is
                         4 times the sum of class k's block of 6 pixels, which is how that data set marks class k
"""
import torch
import torch.nn as nn


class Linear(nn.Module):
    def __init__(self, classes: int):
        super().__init__()
        self.fc = nn.Linear(28 * 28, classes)

    def forward(self, x):
        return self.fc(torch.flatten(x, 1))


class NanLogits(Linear):
    def forward(self, x):
        return self.fc(torch.flatten(x, 1)) * float("nan")


class RgbOnly(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4 * 30 * 30, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))


class NoisyLinear(Linear):
    def forward(self, x):
        return self.fc(torch.flatten(x + 0.1 * torch.randn_like(x), 1))


class SyntheticLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 10, bias=False)
        with torch.no_grad():
            self.fc.weight.zero_()
            for k in range(10):
                self.fc.weight[k, 6 * k:6 * k + 6] = 4.0

    def forward(self, x):
        return self.fc(torch.flatten(x, 1))


torch.manual_seed(0)
torch.jit.script(Linear(7).eval()).save("wrong_classes.pt")
torch.jit.script(NanLogits(10).eval()).save("nan_logits.pt")
torch.jit.script(RgbOnly().eval()).save("rgb_only.pt")
torch.jit.script(NoisyLinear(10).eval()).save("noisy_linear.pt")
torch.save(Linear(10).state_dict(), "state_dict.pt")
torch.save(Linear(10), "pickled_module.pt")
torch.jit.script(SyntheticLinear().eval()).save("synthetic_linear.pt")
