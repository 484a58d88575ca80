#!/usr/bin/python3
"""TorchScript models for awp's TorchScript support (dev.awp.djl.torchscript), written by PyTorch.

Two uses:
  fixtures  the small files the awp-djl test suite keeps (the tests stay Python-free):
              small_res_cnn.pt        a CNN with BatchNorm and a residual block, 3x8x8 inputs,
                                      4 classes, BatchNorm running statistics moved away from 0/1
              small_res_cnn_golden.txt  an input batch and the eval-mode logits PyTorch computes
                                      for it (float32 values written with repr, exact)
              no_parameters.pt        a script with no parameters (only a flatten)
              probabilities.pt        a script whose output is softmax probabilities, not logits
              tuple_output.pt         a script that returns (logits, features)
              res_cnn_32.pt           the same CNN for 3x32x32 inputs and 10 classes (width 4), the
                                      shape of awp's ImageDataset, for trainer tests
  model     the same CNN at any size, imported by torchscript_crosscheck.py

Run with Debian's PyTorch (1.13): /usr/bin/python3 torchscript_models.py fixtures DIR
The committed fixtures live in awp-djl/src/test/resources/dev/awp/djl/torchscript/.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class Residual(nn.Module):
    """conv-bn-relu-conv-bn plus the identity, then relu."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)


class SmallResCnn(nn.Module):
    """stem conv-bn-relu, one residual block, 2x2 max pool, linear classifier (logits)."""

    def __init__(self, channels=8, size=8, classes=4, in_channels=3):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.block = Residual(channels)
        self.fc = nn.Linear(channels * (size // 2) * (size // 2), classes)

    def forward(self, x):
        out = F.relu(self.bn(self.conv(x)))
        out = self.block(out)
        out = F.max_pool2d(out, 2)
        return self.fc(torch.flatten(out, 1))


class NoParameters(nn.Module):
    def forward(self, x):
        return torch.flatten(x, 1)


class LogitsAndFeatures(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 8 * 8, 4)

    def forward(self, x):
        features = torch.flatten(x, 1)
        return self.fc(features), features


class Probabilities(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 8 * 8, 4)

    def forward(self, x):
        return F.softmax(self.fc(torch.flatten(x, 1)), dim=1)


def warm_statistics(model, shape, batches=5, seed=1):
    """Training-mode forwards on shifted random data, so running statistics are not 0/1."""
    generator = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.rand(shape, generator=generator) * 1.5 - 0.2)
    model.eval()


def fixtures(directory):
    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(0)
    model = SmallResCnn()
    warm_statistics(model, (16, 3, 8, 8))
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(directory, "small_res_cnn.pt"))
    x = torch.rand((2, 3, 8, 8), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        logits = scripted(x)
    with open(os.path.join(directory, "small_res_cnn_golden.txt"), "w") as out:
        out.write("# input (2,3,8,8) then eval-mode logits (2,4), float32, by torchscript_models.py\n")
        out.write(" ".join(repr(v) for v in x.flatten().tolist()) + "\n")
        out.write(" ".join(repr(v) for v in logits.flatten().tolist()) + "\n")
    torch.jit.script(NoParameters()).save(os.path.join(directory, "no_parameters.pt"))
    torch.jit.script(Probabilities()).save(os.path.join(directory, "probabilities.pt"))
    torch.jit.script(LogitsAndFeatures()).save(os.path.join(directory, "tuple_output.pt"))
    torch.manual_seed(3)
    wide = SmallResCnn(channels=4, size=32, classes=10)
    warm_statistics(wide, (16, 3, 32, 32))
    torch.jit.script(wide).save(os.path.join(directory, "res_cnn_32.pt"))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "fixtures":
        sys.exit("usage: torchscript_models.py fixtures DIR")
    fixtures(sys.argv[2])
