"""The PyTorch peers of ./lab bench peers, on the very model and images logitlab attacks.

    /usr/bin/python3 bench/pytorch/peers.py --model small_cnn.pt --workload pgd-20 --images 500 --eps 0.1 \
        --torchattacks <checkout> [--autoattack <checkout>]

Workloads: pgd-20, apgd-ce, square-1000 (torchattacks 3.4, same parameters as logitlab's) and autoattack
(AutoAttack's standard version). The checkouts are public repositories (Harry24k/adversarial-attacks-pytorch,
fra31/auto-attack): point at them, never copy them here. Prints one JSON line: seconds (the attack only, after a
warm-up on a few images), robust accuracy, the peer's name, and the examples its model saw (forward only, and with a
gradient to follow) with the time spent in forward: the same counts logitlab's side takes.
"""
import argparse
import json
import sys
import time

import numpy as np
import torch

from reference import load

torch.set_num_threads(2)


class Counted(torch.nn.Module):
    """The model, counting the examples it sees (those with a gradient to follow apart) and the time in forward."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.reset()

    def reset(self):
        self.forward_rows, self.gradient_rows, self.forward_seconds = 0, 0, 0.0

    def forward(self, x):
        start = time.perf_counter()
        out = self.model(x)
        self.forward_seconds += time.perf_counter() - start
        if torch.is_grad_enabled() and x.requires_grad:
            self.gradient_rows += len(x)
        else:
            self.forward_rows += len(x)
        return out


def peer(args, model):
    eps = args.eps
    if args.workload == "autoattack":
        sys.path.insert(0, args.autoattack)
        from autoattack import AutoAttack
        attack = AutoAttack(model, norm="Linf", eps=eps, version="standard", device="cpu", verbose=False)
        return "AutoAttack standard", lambda x, y: attack.run_standard_evaluation(x, y, bs=len(x))
    sys.path.insert(0, args.torchattacks)
    import torchattacks
    if args.workload == "pgd-20":
        attack = torchattacks.PGD(model, eps=eps, alpha=eps / 8, steps=20, random_start=True)
    elif args.workload == "apgd-ce":
        attack = torchattacks.APGD(model, norm="Linf", eps=eps, steps=100, n_restarts=1, loss="ce", seed=0)
    elif args.workload == "square-1000":
        attack = torchattacks.Square(model, norm="Linf", eps=eps, n_queries=1000, n_restarts=1, p_init=0.8, seed=0)
    else:
        raise SystemExit(f"unknown workload {args.workload}")
    return f"torchattacks {torchattacks.__version__}", attack


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--eps", type=float, default=0.1)
    parser.add_argument("--torchattacks")
    parser.add_argument("--autoattack")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs; the fastest is reported")
    args = parser.parse_args()
    model = Counted(torch.jit.load(args.model).eval())
    xt, yt = load("test")
    x, y = xt[:args.images], yt[:args.images]
    name, attack = peer(args, model)
    torch.manual_seed(0)
    np.random.seed(0)
    attack(x[:20], y[:20])  # warm-up, as logitlab's side has
    seconds, passes = float("inf"), {}
    for _ in range(args.repeats):
        model.reset()
        start = time.time()
        adversarial = attack(x, y)
        if time.time() - start < seconds:
            seconds = time.time() - start
            passes = {"forward_rows": model.forward_rows, "gradient_rows": model.gradient_rows,
                      "forward_seconds": model.forward_seconds}
    with torch.no_grad():
        robust = (model(adversarial).argmax(1) == y).float().mean().item()
    print(json.dumps({"workload": args.workload, "peer": name, "seconds": seconds, "robust": robust, **passes}))


if __name__ == "__main__":
    main()
