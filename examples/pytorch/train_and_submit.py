"""A PyTorch training loop that has every epoch judged by logitlab.

After each epoch it scripts the model (torch.jit.script: the contract is input N x C x H x W floats in [0, 1], output
logits, any normalisation inside the model) and uploads it to the trainer's POST /api/checkpoints with nothing but
the standard library. The attack and analysis services then attack and analyse it exactly like a checkpoint of their
own; the report appears on the dashboard and at GET /api/reports/<run>/step-<epoch> of the analysis service.

    export LOGITLAB_TOKEN=$(./lab token --role submitter)     # on the local stack (./lab stack up)
    python3 examples/pytorch/train_and_submit.py --run my-cnn --epochs 3

Fashion-MNIST is read from Debian's dataset-fashion-mnist (or ~/.cache/logitlab/fashion-mnist, or $LOGITLAB_DATA).
"""
import argparse
import gzip
import io
import json
import os
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCnn(nn.Module):
    """Two conv blocks and a linear layer: about 90% clean accuracy on Fashion-MNIST after a few epochs."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


def fashion_mnist(split, limit):
    """Images N x 1 x 28 x 28 in [0, 1] and labels, from the IDX files."""
    prefix = "train" if split == "train" else "t10k"
    for folder in [os.environ.get("LOGITLAB_DATA", ""), os.path.join(os.environ.get("LOGITLAB_DATA", ""), "fashion-mnist"),
                   "/usr/share/datasets/fashion-mnist", os.path.expanduser("~/.cache/logitlab/fashion-mnist")]:
        images = os.path.join(folder, prefix + "-images-idx3-ubyte.gz")
        if folder and os.path.isfile(images):
            with gzip.open(images) as f:
                _, n, rows, cols = struct.unpack(">IIII", f.read(16))
                n = min(n, limit)
                x = torch.frombuffer(bytearray(f.read(n * rows * cols)), dtype=torch.uint8)
            with gzip.open(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz")) as f:
                f.read(8)
                y = torch.frombuffer(bytearray(f.read(n)), dtype=torch.uint8)
            return x.view(n, 1, rows, cols).float() / 255, y.long()
    sys.exit("Fashion-MNIST not found: apt-get install dataset-fashion-mnist (or ./lab demo, which fetches it)")


def upload(model, args, epoch):
    """POSTs the scripted model; the same bytes for the same run and step are the same checkpoint (200, not 201)."""
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(model), buffer)
    data = buffer.getvalue()
    if args.save_dir:
        os.makedirs(args.save_dir, exist_ok=True)
        with open(os.path.join(args.save_dir, "epoch-%d.pt" % epoch), "wb") as f:
            f.write(data)
    query = urllib.parse.urlencode({"runId": args.run, "step": epoch, "dataset": "fashion-mnist", "eps": args.eps,
                                    "attacks": args.attacks, "limit": args.limit, "gaps": args.gaps, "seed": args.seed,
                                    "label": args.label})
    request = urllib.request.Request(args.url.rstrip("/") + "/api/checkpoints?" + query, data=data, method="POST",
                                     headers={"Content-Type": "application/octet-stream",
                                              "Authorization": "Bearer " + args.token})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            stored = json.load(response)
    except urllib.error.HTTPError as e:
        sys.exit("upload refused (%d): %s" % (e.code, e.read().decode(errors="replace")))
    except urllib.error.URLError as e:
        sys.exit("cannot reach the trainer at %s: %s" % (args.url, e.reason))
    print("epoch %d: uploaded %s (sha256 %s)" % (epoch, stored["checkpointId"], stored["sha256"][:12]), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", required=True, help="run id: letters, digits, '.', '_', '-', '~' (<you>~<name> is a name only you can take)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-limit", type=int, default=10000, help="training images (default: 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of training and of the attacks' random starts")
    parser.add_argument("--eps", default="0.1", help="ℓ∞ budgets, comma-separated")
    parser.add_argument("--attacks", default="default", help="logitlab attack spec or suite")
    parser.add_argument("--limit", type=int, default=500, help="test images attacked")
    parser.add_argument("--gaps", type=int, default=200, help="examples for gap statistics")
    parser.add_argument("--label", default="pytorch small-cnn", help="how reports name this model")
    parser.add_argument("--url", default=os.environ.get("LOGITLAB_TRAINER_URL", "http://localhost:8081"))
    parser.add_argument("--token", default=os.environ.get("LOGITLAB_TOKEN"), help="default: $LOGITLAB_TOKEN")
    parser.add_argument("--save-dir", help="also keep each epoch's TorchScript file here")
    args = parser.parse_args()
    if not args.token:
        sys.exit("no token: export LOGITLAB_TOKEN=$(./lab token --role submitter)")

    torch.manual_seed(args.seed)
    x, y = fashion_mnist("train", args.train_limit)
    model = SmallCnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            batch = order[i:i + 128]
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
        model.eval()
        upload(model, args, epoch)


if __name__ == "__main__":
    main()
