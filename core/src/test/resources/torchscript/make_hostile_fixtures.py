"""Recipe for the hostile TorchScript fixtures of the sandbox tests: models that do what a model from outside
should never be able to do to the process that evaluates it.

Run with Debian's PyTorch (apt-get install python3-torch; 1.13 here) from this directory:
    /usr/bin/python3 make_hostile_fixtures.py
Each passes the contract check (a batch of 4 images gets plain logits) and misbehaves on other batches, as an
attacker would, to be let in first:
    reads_file.pt    maps /tmp/logitlab-hostile/secret with torch.from_file and returns its first 8 bytes as logits
    writes_file.pt   maps /tmp/logitlab-hostile/target shared and writable, and fills its first 16 bytes with 'A'
    loops.pt         loops forever inside one forward call, once an attack asks for a gradient (inside a shard)
    allocates.pt     keeps tensors of 40 MB, 80 MB, 160 MB, ... in a list, without end
    aborts.pt        divides the smallest 64-bit integer by -1: the CPU traps (SIGFPE) and the process dies
"""
import torch
import torch.nn as nn
from typing import List



class Plain(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)

    def logits(self, x):
        return self.fc(torch.flatten(x, 1))


class ReadsFile(Plain):
    def forward(self, x):
        z = self.logits(x)
        if x.shape[0] != 4:
            secret = torch.from_file("/tmp/logitlab-hostile/secret", shared=False, size=8, dtype=torch.uint8)
            z = torch.zeros(x.shape[0], 10)
            z[:, :8] = secret.float()
        return z


class WritesFile(Plain):
    def forward(self, x):
        z = self.logits(x)
        if x.shape[0] != 4:
            target = torch.from_file("/tmp/logitlab-hostile/target", shared=True, size=16, dtype=torch.uint8)
            target.fill_(65)
            z = z + 0 * target.float().sum()  # used, so the compiler keeps the write
        return z


class Loops(Plain):
    def forward(self, x):
        z = self.logits(x)
        if x.requires_grad:  # only when an attack takes a gradient: past the arrival checks, inside a shard
            s = x.detach().sum()  # no graph to grow: it spins, it does not allocate
            while True:
                s = s + 1.0
        return z


class Allocates(Plain):
    def forward(self, x):
        z = self.logits(x)
        if x.shape[0] != 4:
            kept: List[torch.Tensor] = []
            total = torch.zeros(1)
            n = 10_000_000
            while bool(total[0] >= 0):  # always, but the compiler cannot tell
                kept.append(torch.ones(n))
                n = n * 2
                total = total + kept[-1][0]
            z = z + total
        return z


class Aborts(Plain):
    def forward(self, x):
        z = self.logits(x)
        if x.shape[0] != 4:
            smallest = torch.tensor([-9223372036854775807]) - 1
            trap = smallest // torch.tensor([-1])
            z = z + trap.float()
        return z


torch.manual_seed(0)
for name, module in [("reads_file", ReadsFile()), ("writes_file", WritesFile()), ("loops", Loops()),
                     ("allocates", Allocates()), ("aborts", Aborts())]:
    torch.jit.script(module.eval()).save(name + ".pt")
