"""PyTorch eager reference for ./lab bench: the same small CNN, the same data, 2 threads.

Run with Debian's PyTorch (apt-get install python3-torch; 1.13):
    /usr/bin/python3 bench/pytorch/reference.py --out /tmp/small_cnn.pt
It prints training images/s (plain, LS+GN and PGD-7 adversarial training, batch 128; also as one JSON line), trains small-cnn (plain, 2 epochs on 10,000 images),
saves it as TorchScript, and times PGD-20 (all images, all steps, as torchattacks does) and Square-1000
(Andriushchenko et al.'s algorithm, stopping per example once it is broken) on the first 500 test images.
Then `./lab bench attacks --model /tmp/small_cnn.pt` attacks the very same model.
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
DATA = "/usr/share/datasets/fashion-mnist/"


def load(split):
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(f"{DATA}{prefix}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"{DATA}{prefix}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.tensor(x / 255.0, dtype=torch.float32), torch.tensor(y, dtype=torch.long)


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def forward_flops(model):
    """Multiply-adds ×2 of one example's forward pass through the convolutions and linear layers (what dominates)."""
    flops = []

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            flops.append(2 * per_output * output[0].numel())
        elif isinstance(module, nn.Linear):
            flops.append(2 * module.in_features * module.out_features)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    for h in handles:
        h.remove()
    return sum(flops)


def train(x, y, epochs, smoothing=0.0, sigma=0.0, at_steps=0, report=False):
    """Trains small-cnn; returns the model and the best img/s over the epochs after the first."""
    torch.manual_seed(0)
    model = SmallCnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    best = 0.0
    for epoch in range(epochs):
        order = torch.randperm(len(x))
        start = time.time()
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            xb = x[idx] + sigma * torch.randn_like(x[idx]) if sigma else x[idx]
            if at_steps:  # Madry et al.: PGD-k from a random start, step 2.5 eps / k, eps = 0.1
                model.eval()
                xb = pgd_examples(model, xb, y[idx], 0.1, at_steps, 2.5 * 0.1 / at_steps)
                model.train()
            loss = F.cross_entropy(model(xb), y[idx], label_smoothing=smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if epoch > 0:
            rate = len(x) / (time.time() - start)
            best = max(best, rate)
            if report:
                print(f"  epoch {epoch + 1}: {rate:,.0f} img/s")
    return model.eval(), best


def pgd_examples(model, x, y, eps, steps, step):
    adv = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)
    for _ in range(steps):
        adv.requires_grad_(True)
        grad, = torch.autograd.grad(F.cross_entropy(model(adv), y), adv)
        adv = torch.min(torch.max(adv.detach() + step * grad.sign(), x - eps), x + eps).clamp(0, 1)
    return adv.detach()


def margin(logits, y):
    true = logits.gather(1, y[:, None])[:, 0]
    other = logits.clone()
    other[torch.arange(len(y)), y] = -float("inf")
    return true - other.max(1).values


def pgd(model, x, y, eps, steps):
    adv = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)
    for _ in range(steps):
        adv.requires_grad_(True)
        grad, = torch.autograd.grad(F.cross_entropy(model(adv), y), adv)
        adv = torch.min(torch.max(adv.detach() + eps / 8 * grad.sign(), x - eps), x + eps).clamp(0, 1)
    with torch.no_grad():
        return (model(adv).argmax(1) == y)


def square(model, x, y, eps, queries, p_init=0.05):
    n, c, h, w = x.shape
    with torch.no_grad():
        best = (x + eps * torch.randint(0, 2, (n, c, 1, w)).float().mul(2).sub(1)).clamp(0, 1)
        m = margin(model(best), y)
        for it in range(1, queries):
            active = (m > 0).nonzero()[:, 0]
            if len(active) == 0:
                break
            frac = int(it / queries * 10000)
            p = p_init / 2 ** sum(frac > b for b in (10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000))
            s = min(max(int(round((p * h * w) ** 0.5)), 1), h - 1)
            xa, cand = x[active], best[active].clone()
            for k in range(len(active)):
                r, q = np.random.randint(0, h - s + 1), np.random.randint(0, w - s + 1)
                delta = eps * (torch.randint(0, 2, (c, 1, 1)).float() * 2 - 1)
                cand[k, :, r:r + s, q:q + s] = (xa[k, :, r:r + s, q:q + s] + delta).clamp(0, 1)
            new = margin(model(cand), y[active])
            better = new < m[active]
            best[active[better]] = cand[better]
            m[active[better]] = new[better]
    return m > 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/small_cnn.pt")
    parser.add_argument("--model-only", action="store_true", help="only train and save the model (./lab bench sandbox)")
    args = parser.parse_args()
    x, y = load("train")
    xt, yt = load("test")
    if args.model_only:
        model = train(x[:10000], y[:10000], 2)[0]
        torch.jit.script(model).save(args.out)
        print(f"saved {args.out}")
        return
    print("training, batch 128, 2 threads, 10,000 images per epoch:")
    rates = {}
    print(" plain")
    rates["plain"] = train(x[:10000], y[:10000], 3, report=True)[1]
    print(" ls=0.5,gn=0.3")
    rates["ls=0.5,gn=0.3"] = train(x[:10000], y[:10000], 3, smoothing=0.5, sigma=0.3, report=True)[1]
    print(" at=0.1:steps=7 (PGD-7 adversarial training)")
    rates["at=0.1:steps=7"] = train(x[:5000], y[:5000], 2, at_steps=7, report=True)[1]
    print(json.dumps({"training": rates, "forward_flops": forward_flops(SmallCnn())}))

    model = train(x[:10000], y[:10000], 2)[0]
    for p in model.parameters():
        p.requires_grad_(False)
    torch.jit.script(model).save(args.out)
    xs, ys = xt[:500], yt[:500]
    with torch.no_grad():
        print(f"saved {args.out}; clean accuracy on 500 test images {(model(xs).argmax(1) == ys).float().mean():.3f}")
    torch.manual_seed(1)
    start = time.time()
    robust = pgd(model, xs, ys, 0.1, 20)
    print(f"pgd-20      {time.time() - start:6.2f} s  robust {robust.float().mean():.3f}")
    np.random.seed(1)
    start = time.time()
    robust = square(model, xs, ys, 0.1, 1000)
    print(f"square-1000 {time.time() - start:6.2f} s  robust {robust.float().mean():.3f}")


if __name__ == "__main__":
    main()
