#!/usr/bin/python3
"""Whole-run fixtures from the official AT-AWP training loop (csdongxian/AWP), for
dev.awp.djl.training.WholeRunReferenceTest.

make_fixtures.py and make_bn_fixtures.py pin single steps, all at one learning rate. This script
pins whole runs: two epochs of four batches (eight steps) of PGD-AT and of AT-AWP (gamma 0.01),
with the official piecewise schedule, so that both learning-rate drops fall inside the run: with
E = 2 and t = epoch + (i + 1) / N, the rate is lr_max for t/E < 0.5, lr_max/10 for t/E < 0.75 and
lr_max/100 after, i.e. 0.1, 0.1, 0.1, 0.01 (the last batch of epoch 0), 0.01, 0.001, 0.001, 0.001
(from the second batch of epoch 1). Whatever depends on the rate history (SGD's momentum buffer
at a change of the rate, the schedule's evaluation point) shows here and nowhere in a single step.

What runs is the official code itself, read at run time from a checkout or mirror (never
committed): from AT_AWP/train_cifar10.py the body of main()'s training loop (the `for i, batch in
enumerate(train_batches)` loop, executed statement by statement from the parsed source, including
`lr = lr_schedule(epoch + (i + 1) / len(train_batches))` and `opt.param_groups[0].update(lr=lr)`),
the piecewise `lr_schedule` of main(), attack_pgd and clamp; from AT_AWP/utils_awp.py
AdvWeightPerturb (the proxy, the proxy step, diff_in_weights, perturb and restore). Per step:
the PGD-10 attack in training mode (eps 8/255, alpha 2/255, one restart, with the restart-selection
forward), the AWP proxy pass (AT-AWP only), perturb, the update forward at w + v,
torch.optim.SGD(lr, momentum 0.9, weight_decay 5e-4) step, restore, and the clean logging forward.

What is replaced, and why (nothing of the procedure):
  - `.cuda()` is removed; normalize() is the identity (our models take [0, 1] inputs);
  - attack_pgd's random start `delta.uniform_(-epsilon, epsilon)` becomes `delta.zero_()`: the two
    languages' generators differ, so the Java side starts PGD at x (RandomStart.NONE);
  - PGD-AT is the same script with awp_gamma 0, which the script turns into awp_warmup = infinity;
  - the official script evaluates after each epoch and leaves the model in eval mode until the
    next epoch's first attack is done; here model.train() is called before every step (awp attacks
    every batch in the attack's own mode; see BatchNormForwards);
  - the BatchNorm momentum is DJL's 1f - 0.9f (see make_fixtures.py) instead of 0.1;
  - the data: 32 generated 3x8x8 byte images, 3 classes, batch 8, in the order awp's ImageDataset
    draws for (seed, epoch) (its SplitMix64 Fisher-Yates shuffle, reproduced below); the inputs are
    float32 p / 255 as both the official Batches (`.float()`) and awp's ImageDataset give them, and
    the model (the conv net of make_fixtures.py: conv3x3 3->4 no bias, BatchNorm, ReLU, global
    average pool, linear 4->3) casts them to float64 first: the weights, the gradients and the
    optimizer are float64, the attack's delta (like the official X) is float32.

What the JSON records (awp-djl/src/test/resources/fixtures/whole_run.json): the data (bytes and
labels), the seed, the spec (epochs, batch, lr_max, momentum, weight decay, eps, alpha, steps), the
initial parameters and running statistics, and per run ("at" and "at_awp") per step: epoch,
iteration, the dataset indices of the batch, the learning rate the step used, the robust
(update) loss and the clean logging loss, and every parameter and running statistic after it.
A "sensitivity" entry per run gives the largest parameter difference from the same run re-done
the way awp computes (the attack on x + delta with the box bounds, summed loss, hyperparameters
rounded to float32 as DJL's optimizer API takes them): the size of difference an exact
implementation shows, which the Java tolerance must exceed; the script fails if it is not tiny
(a flipped sign in PGD would make it large). The smallest |gradient| relative to the batch's
largest that any PGD sign() saw is recorded too.

Run (Debian's python3-torch; the official code from a checkout or a bare git mirror of it):

    git clone https://github.com/csdongxian/AWP /tmp/AWP   # or a local mirror
    /usr/bin/python3 awp-djl/src/test/python/make_whole_run_fixtures.py --awp /tmp/AWP

Without --awp the script clones https://github.com/csdongxian/AWP into a temporary directory.
Everything is seeded, so re-running rewrites the same file with the same PyTorch version.
"""

import argparse
import ast
import copy
import math
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import check, conv_bn_model, tensor, write  # noqa: E402
from make_bn_fixtures import (  # noqa: E402
    DJL_MOMENTUM, NAMES, Official, define, function_source, module_namespace)

torch.set_default_dtype(torch.float64)

SEED = 7  # the AdversarialTraining seed: decides the batch order in awp
EPOCHS = 2
BATCH = 8
IMAGES = 32
CHANNELS, HEIGHT, WIDTH = 3, 8, 8
CLASSES = 3
LR_MAX, MOMENTUM, WEIGHT_DECAY = 0.1, 0.9, 5e-4
EPSILON, ALPHA, ATTACK_STEPS = 8 / 255, 2 / 255, 10
GAMMA = 0.01
# a parameter difference above this from the awp-style re-run means the run is not stable enough
# to compare across engines (e.g. a PGD sign flipped)
SENSITIVITY_LIMIT = 1e-9


# ----------------------------------------------------------------------------------------------
# awp's batch order: dev.awp.djl.data.SplitMix64 and ImageDataset.epochOrder

MASK = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
ORDER_STREAM = 0x6F72646572


def mix64(z):
    z &= MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, state):
        self.state = state & MASK

    @staticmethod
    def derive(seed, *keys):
        h = mix64(seed + GOLDEN_GAMMA)
        for key in keys:
            h = mix64(h ^ mix64(key + GOLDEN_GAMMA))
        return SplitMix64(h)

    def next_long(self):
        self.state = (self.state + GOLDEN_GAMMA) & MASK
        return mix64(self.state)

    def next_int(self, bound):
        while True:
            bits = self.next_long() >> 33  # Java: (int) (nextLong() >>> 33), in [0, 2^31)
            value = bits % bound
            if bits - value + (bound - 1) < (1 << 31):  # Java's int overflow test
                return value

    def shuffle(self, values):
        for i in range(len(values) - 1, 0, -1):
            j = self.next_int(i + 1)
            values[i], values[j] = values[j], values[i]


def epoch_order(seed, epoch, size):
    order = list(range(size))
    SplitMix64.derive(seed, ORDER_STREAM, epoch).shuffle(order)
    return order


# ----------------------------------------------------------------------------------------------
# The model and data


class Float64Model(nn.Module):
    """The conv net of make_fixtures.py behind a cast of its (float32) input to float64."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x.to(torch.float64))


def initial():
    g = torch.Generator().manual_seed(5001)
    torch.manual_seed(5002)  # nn init, overwritten by conv_bn_model
    model = Float64Model(conv_bn_model(g, momentum=DJL_MOMENTUM))
    pixels = torch.randint(0, 256, (IMAGES, CHANNELS, HEIGHT, WIDTH), generator=g,
                           dtype=torch.int64)
    labels = torch.randint(0, CLASSES, (IMAGES,), generator=g)
    return model, pixels, labels


def inputs(pixels):
    """float32 p / 255, as ImageDataset (toType(FLOAT32).divi(255f)) and torchvision's ToTensor."""
    return pixels.to(torch.uint8).to(torch.float32) / 255


def state(model):
    sd = model.state_dict()
    return {fixture: tensor(sd["net." + name]) for name, fixture in NAMES.items()}


def batches_of_epoch(pixels, labels, epoch):
    order = epoch_order(SEED, epoch, IMAGES)
    x = inputs(pixels)
    return [{"input": x[order[b:b + BATCH]], "target": labels[order[b:b + BATCH]],
             "indices": order[b:b + BATCH]} for b in range(0, IMAGES, BATCH)]


# ----------------------------------------------------------------------------------------------
# The official code


class SignMargins:
    """Wraps torch.sign to record how close to zero the gradients PGD takes the sign of come."""

    def __init__(self):
        self.smallest = math.inf
        self.zeros = 0
        self.calls = 0

    def __call__(self, g):
        self.calls += 1
        a = g.detach().abs().to(torch.float64).reshape(g.shape[0], -1)
        largest = a.max(dim=1, keepdim=True).values
        nonzero = a[a > 0]
        self.zeros += int((a == 0).sum())
        if nonzero.numel():
            self.smallest = min(self.smallest, float((a / largest)[a > 0].min()))
        return torch.sign(g)


def piecewise_schedule(text, args):
    """The official `def lr_schedule(t)` of main()'s `args.lr_schedule == 'piecewise'` branch."""
    main = next(n for n in ast.parse(text).body
                if isinstance(n, ast.FunctionDef) and n.name == "main")
    found = [n for n in ast.walk(main) if isinstance(n, ast.If)
             and ast.get_source_segment(text, n.test) == "args.lr_schedule == 'piecewise'"]
    check(len(found) == 1 and isinstance(found[0].body[0], ast.FunctionDef)
          and found[0].body[0].name == "lr_schedule", "the official piecewise lr_schedule")
    ns = {"args": args}
    exec(compile(ast.Module(body=[found[0].body[0]], type_ignores=[]), "official", "exec"), ns)
    return ns["lr_schedule"]


def loop_body(text):
    """One iteration of main()'s training loop, as code (see make_bn_fixtures.py)."""
    main = next(n for n in ast.parse(text).body
                if isinstance(n, ast.FunctionDef) and n.name == "main")
    loops = [n for n in ast.walk(main) if isinstance(n, ast.For)
             and isinstance(n.target, ast.Tuple)
             and ast.get_source_segment(text, n.iter) == "enumerate(train_batches)"]
    check(len(loops) == 1, "one training loop over train_batches in main()")
    once = ast.For(target=ast.Name(id="_", ctx=ast.Store()),
                   iter=ast.List(elts=[ast.Constant(0)], ctx=ast.Load()),
                   body=loops[0].body, orelse=[])
    return compile(ast.fix_missing_locations(ast.Module(body=[once], type_ignores=[])),
                   "official-loop", "exec")


def awp_style_attack_pgd(model, X, y, epsilon, alpha, attack_iters, restarts, norm, **_):
    """The sensitivity re-run's attack: PGD as awp's PgdAttacker computes it (on x + delta, summed
    per-example loss, projection onto [max(x - eps, 0), min(x + eps, 1)]); returns delta."""
    check(restarts == 1 and norm == "l_inf", "one L-inf restart")
    lower = torch.clamp(X - epsilon, min=0)
    upper = torch.clamp(X + epsilon, max=1)
    adv = X.clone()
    for _ in range(attack_iters):
        adv.requires_grad_(True)
        loss = F.cross_entropy(model(adv), y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, [adv])
        adv = torch.min(torch.max(adv.detach() + alpha * torch.sign(grad), lower), upper)
    model(adv)  # the restart-selection forward (BatchNormForwards.OFFICIAL)
    return adv - X


def run(official, gamma, awp_style=False):
    text = official.read("AT_AWP/train_cifar10.py")
    margins = SignMargins()
    torch_shim = types.SimpleNamespace(**{k: getattr(torch, k) for k in dir(torch)
                                          if not k.startswith("__")})
    torch_shim.sign = margins
    ns = {"torch": torch_shim, "nn": nn, "F": F, "Variable": Variable,
          "normalize": lambda X: X, "upper_limit": 1, "lower_limit": 0}
    define(function_source(text, "clamp"), ns)
    define(function_source(text, "attack_pgd"), ns,
           [(".cuda()", ""), ("delta.uniform_(-epsilon, epsilon)", "delta.zero_()")])
    awp_module = module_namespace(official.read("AT_AWP/utils_awp.py"))
    args = types.SimpleNamespace(eval=False, mixup=False, attack="pgd", attack_iters=ATTACK_STEPS,
                                 restarts=1, norm="l_inf", l1=0, epochs=EPOCHS, lr_max=LR_MAX,
                                 lr_schedule="piecewise", awp_gamma=gamma, awp_warmup=0)
    if args.awp_gamma <= 0.0:  # as main() does
        args.awp_warmup = np.inf
    lr_schedule = piecewise_schedule(text, args)
    momentum, weight_decay = MOMENTUM, WEIGHT_DECAY
    if awp_style:
        ns["attack_pgd"] = awp_style_attack_pgd
        official_schedule = lr_schedule
        lr_schedule = lambda t: float(np.float32(official_schedule(t)))  # noqa: E731
        momentum, weight_decay = float(np.float32(MOMENTUM)), float(np.float32(WEIGHT_DECAY))

    model, pixels, labels = initial()
    proxy = copy.deepcopy(model)
    start = state(model)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr_max, momentum=momentum,
                          weight_decay=weight_decay)
    proxy_opt = torch.optim.SGD(proxy.parameters(), lr=0.01)
    awp_adversary = awp_module["AdvWeightPerturb"](model=model, proxy=proxy,
                                                   proxy_optim=proxy_opt, gamma=args.awp_gamma)
    ns.update({"args": args, "model": model, "opt": opt, "awp_adversary": awp_adversary,
               "criterion": nn.CrossEntropyLoss(), "epsilon": EPSILON, "pgd_alpha": ALPHA,
               "lr_schedule": lr_schedule})
    body = loop_body(text)
    steps = []
    for epoch in range(EPOCHS):
        train_batches = batches_of_epoch(pixels, labels, epoch)
        ns.update({"epoch": epoch, "train_batches": train_batches, "train_loss": 0,
                   "train_acc": 0, "train_robust_loss": 0, "train_robust_acc": 0, "train_n": 0})
        for i, batch in enumerate(train_batches):
            model.train()  # see the docstring: awp attacks every batch in training mode
            ns["i"], ns["batch"] = i, batch
            exec(body, ns)
            steps.append({
                "epoch": epoch,
                "iteration": i,
                "indices": tensor(torch.tensor(batch["indices"])),
                "learning_rate": opt.param_groups[0]["lr"],
                "robust_loss": float(ns["robust_loss"]),
                "clean_loss": float(ns["loss"]),
                "after": state(model),
            })
    return start, pixels, labels, steps, margins


def max_difference(steps_a, steps_b):
    worst = 0.0
    for a, b in zip(steps_a, steps_b):
        for name, t in a["after"].items():
            d = np.abs(np.array(t["data"]) - np.array(b["after"][name]["data"])).max()
            worst = max(worst, float(d))
    return worst


def whole_run(official, gamma):
    start, pixels, labels, steps, margins = run(official, gamma)
    _, _, _, awp_steps, _ = run(official, gamma, awp_style=True)
    sensitivity = max_difference(steps, awp_steps)
    rates = [s["learning_rate"] for s in steps]
    check(rates == [0.1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 0.001],
          "the piecewise schedule's rates over the run: %r" % rates)
    check(sensitivity < SENSITIVITY_LIMIT,
          "gamma %s: the awp-style re-run differs by %.3g (a PGD sign flipped?): choose other data"
          % (gamma, sensitivity))
    print("gamma %-4s: %d steps, rates %s, awp-style re-run max |diff| %.3g, smallest relative "
          "|grad| at a PGD sign %.3g (%d exact zeros in %d calls)"
          % (gamma, len(steps), rates, sensitivity, margins.smallest, margins.zeros,
             margins.calls))
    return start, pixels, labels, {
        "gamma": gamma,
        "sensitivity": {
            "awp_style_rerun_max_abs_diff": sensitivity,
            "smallest_relative_sign_gradient": margins.smallest,
            "exact_zero_sign_gradients": margins.zeros,
        },
        "steps": steps,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awp", help="a checkout or bare mirror of csdongxian/AWP")
    official = Official(parser.parse_args().awp)
    start, pixels, labels, at = whole_run(official, 0.0)
    start2, _, _, at_awp = whole_run(official, GAMMA)
    check(start == start2, "both runs start from the same weights")
    write("whole_run.json", {
        "description": "Eight steps (two epochs of four batches) of PGD-AT and AT-AWP run by the "
                       "official AT_AWP/train_cifar10.py training loop (csdongxian/AWP at %s), "
                       "with its piecewise schedule, no random start, float64 weights, float32 "
                       "inputs, BatchNorm momentum %r (DJL's); see make_whole_run_fixtures.py"
                       % (official.revision(), DJL_MOMENTUM),
        "torch_version": torch.__version__,
        "seed": SEED,
        "epochs": EPOCHS,
        "batch_size": BATCH,
        "optimizer": {"lr_max": LR_MAX, "momentum": MOMENTUM, "weight_decay": WEIGHT_DECAY,
                      "proxy_lr": 0.01},
        "attack": {"epsilon": EPSILON, "step_size": ALPHA, "steps": ATTACK_STEPS,
                   "random_start": "none", "batchnorm": "train"},
        "layouts": "pixels (N, C, H, W) bytes; conv_weight OIHW, fc_weight (out, in)",
        "data": {"num_classes": CLASSES, "pixels": tensor(pixels), "labels": tensor(labels)},
        "initial": start,
        "at": at,
        "at_awp": at_awp,
    })


if __name__ == "__main__":
    main()
