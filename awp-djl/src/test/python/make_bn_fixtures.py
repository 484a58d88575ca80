#!/usr/bin/python3
"""BatchNorm-statistics fixtures from the official AWP code (csdongxian/AWP), for
dev.awp.djl.training.BatchNormForwardsReferenceTest.

The official scripts' BatchNorm running statistics depend on every training-mode forward they run,
not only on the ones the loss needs (see docs/awp-spec.md section 2 and BatchNormForwards). This
script runs three training steps of each procedure *with the official code itself*, fetched at run
time (never committed), on the small conv net of make_fixtures.py (conv 3->4, BatchNorm, ReLU,
global average pool, linear 4->3) in float64, and records every parameter and running statistic
after each step:

  at_awp      AT_AWP/train_cifar10.py: the body of the training loop of main() (the `for i, batch
              in enumerate(train_batches)` loop), executed statement by statement from the parsed
              official source with args for PGD-10 L-inf (eps 8/255, alpha 2/255, one restart),
              AWP gamma 0.01 from the first epoch, no mixup, no l1; attack_pgd and clamp from the
              same file; AdvWeightPerturb from AT_AWP/utils_awp.py.
  trades_awp  trades_AWP/train_trades_cifar.py: the official train() function, executed from the
              parsed source, with perturb_input from the same file and TradesAWP from
              trades_AWP/utils_awp.py (beta 6, gamma 0.005, eps 8/255, step 2/255, 10 steps), for
              one epoch of three batches with AWP on.

What is replaced, and why (nothing of the procedure):
  - `.cuda()` calls are removed from the extracted source and `device` is the CPU;
  - normalize() is the identity (our models take [0, 1] inputs; normalization is a layer);
  - attack_pgd's random start `delta.uniform_(-epsilon, epsilon)` becomes `delta.zero_()`, because
    the two languages' random generators differ; the Java side starts PGD at x (RandomStart.NONE);
  - perturb_input's start noise is drawn from a seeded generator and the resulting x_adv of every
    step is recorded; the TRADES attack runs in eval mode, so it does not touch the statistics, and
    the Java side feeds these x_adv to the step;
  - progress bars, meters and top-k accuracy are stubs (logging only);
  - the BatchNorm momentum is DJL's 1f - 0.9f (see make_fixtures.py) instead of 0.1.

SGD lr 0.1, momentum 0.9, weight decay 5e-4 for the model; the proxy optimizers as in the official
scripts (AT: SGD lr 0.01; TRADES: SGD lr = args.lr = 0.1).

Run (Debian's python3-torch; the official code from GitHub, or from a local checkout or mirror):

    /usr/bin/python3 awp-djl/src/test/python/make_bn_fixtures.py [--awp PATH]

PATH is a checkout of csdongxian/AWP or a bare git mirror of it; without it the script clones
https://github.com/csdongxian/AWP into a temporary directory. Output:
../resources/fixtures/bn_forwards.json (relative to this file).
"""

import argparse
import ast
import copy
import os
import subprocess
import sys
import tempfile
import time
import types

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import check, conv_bn_model, f32_exact, tensor, write  # noqa: E402

torch.set_default_dtype(torch.float64)

DJL_MOMENTUM = float(torch.tensor(1.0, dtype=torch.float32) - torch.tensor(0.9,
                                                                           dtype=torch.float32))
STEPS = 3
BATCH = 8


# ----------------------------------------------------------------------------------------------
# The official code, read at run time


class Official:
    """Reads files of csdongxian/AWP from a checkout, a bare mirror, or a fresh clone."""

    def __init__(self, path):
        self.tmp = None
        if path is None:
            self.tmp = tempfile.TemporaryDirectory()
            path = os.path.join(self.tmp.name, "AWP")
            subprocess.run(["git", "clone", "--depth", "1",
                            "https://github.com/csdongxian/AWP", path], check=True)
        self.path = path
        self.bare = not os.path.isdir(os.path.join(path, "AT_AWP"))

    def read(self, name):
        if self.bare:
            return subprocess.run(["git", "--git-dir", self.path, "show", "HEAD:" + name],
                                  check=True, capture_output=True, text=True).stdout
        with open(os.path.join(self.path, name)) as f:
            return f.read()

    def revision(self):
        args = ["git", "--git-dir", self.path] if self.bare else ["git", "-C", self.path]
        return subprocess.run(args + ["rev-parse", "HEAD"], check=True, capture_output=True,
                              text=True).stdout.strip()


def function_source(text, name):
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(text, node)
    sys.exit("the official source has no function " + name)


def module_namespace(text):
    """Executes a whole official module (utils_awp.py: imports and definitions only)."""
    namespace = {"__name__": "official"}
    exec(compile(text, "official", "exec"), namespace)
    return namespace


def define(source, namespace, replacements=()):
    for old, new in replacements:
        check(old in source, "the official source no longer contains %r" % old)
        source = source.replace(old, new)
    exec(compile(source, "official", "exec"), namespace)


# ----------------------------------------------------------------------------------------------
# The model, data and what is recorded


def initial_model():
    g = torch.Generator().manual_seed(4001)
    torch.manual_seed(4002)
    model = conv_bn_model(g, momentum=DJL_MOMENTUM)
    batches = []
    for _ in range(STEPS):
        x = f32_exact(torch.rand(BATCH, 3, 6, 6, generator=g))
        y = torch.randint(0, 3, (BATCH,), generator=g)
        batches.append((x, y))
    return model, batches


# state-dict name -> fixture name (as in make_fixtures.py's conv_bn_step.json)
NAMES = {"conv.weight": "conv_weight", "bn.weight": "bn_gamma", "bn.bias": "bn_beta",
         "bn.running_mean": "bn_running_mean", "bn.running_var": "bn_running_var",
         "fc.weight": "fc_weight", "fc.bias": "fc_bias"}


def state(model):
    sd = model.state_dict()
    return {fixture: tensor(sd[name]) for name, fixture in NAMES.items()}


def sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)


# ----------------------------------------------------------------------------------------------
# AT-AWP: the official training-loop body


def at_awp(official):
    text = official.read("AT_AWP/train_cifar10.py")
    ns = {"torch": torch, "nn": nn, "F": F, "Variable": Variable,
          "normalize": lambda X: X, "upper_limit": 1, "lower_limit": 0}
    define(function_source(text, "clamp"), ns)
    define(function_source(text, "attack_pgd"), ns,
           [(".cuda()", ""), ("delta.uniform_(-epsilon, epsilon)", "delta.zero_()")])
    awp_module = module_namespace(official.read("AT_AWP/utils_awp.py"))

    main = next(n for n in ast.parse(text).body
                if isinstance(n, ast.FunctionDef) and n.name == "main")
    loops = [n for n in ast.walk(main) if isinstance(n, ast.For)
             and isinstance(n.target, ast.Tuple)
             and ast.get_source_segment(text, n.iter) == "enumerate(train_batches)"]
    check(len(loops) == 1, "one training loop over train_batches in main()")
    # one iteration of the loop: its body inside `for _ in [0]:` (it may `break`)
    once = ast.For(target=ast.Name(id="_", ctx=ast.Store()),
                   iter=ast.List(elts=[ast.Constant(0)], ctx=ast.Load()),
                   body=loops[0].body, orelse=[])
    module = ast.fix_missing_locations(ast.Module(body=[once], type_ignores=[]))
    body = compile(module, "official-loop", "exec")

    model, batches = initial_model()
    model.train()
    proxy = copy.deepcopy(model)
    initial = state(model)
    opt = sgd(model)
    awp_adversary = awp_module["AdvWeightPerturb"](
        model=model, proxy=proxy, proxy_optim=torch.optim.SGD(proxy.parameters(), lr=0.01),
        gamma=0.01)
    args = types.SimpleNamespace(eval=False, mixup=False, attack="pgd", attack_iters=10,
                                 restarts=1, norm="l_inf", awp_warmup=0, l1=0)
    train_batches = [{"input": x, "target": y} for x, y in batches]
    ns.update({"args": args, "model": model, "opt": opt, "awp_adversary": awp_adversary,
               "criterion": nn.CrossEntropyLoss(), "epsilon": 8 / 255, "pgd_alpha": 2 / 255,
               "lr_schedule": lambda t: 0.1, "epoch": 0, "train_batches": train_batches,
               "train_loss": 0, "train_acc": 0, "train_robust_loss": 0, "train_robust_acc": 0,
               "train_n": 0})
    steps = []
    for i, batch in enumerate(train_batches):
        ns["i"], ns["batch"] = i, batch
        exec(body, ns)
        steps.append({"x_adv": tensor(ns["X_adv"]), "after": state(model)})
    return {
        "gamma": 0.01, "epsilon": 8 / 255, "step_size": 2 / 255, "steps": 10,
        "initial": initial,
        "batches": [{"x": tensor(x), "y": tensor(y)} for x, y in batches],
        "steps_after": steps,
    }


# ----------------------------------------------------------------------------------------------
# TRADES-AWP: the official train()


class _Stub:
    def __init__(self, *args, **kwargs):
        self.avg = 0.0
        self.val = 0.0
        self.elapsed_td = self.eta_td = ""

    def update(self, *args, **kwargs):
        pass

    def next(self):
        pass

    def finish(self):
        pass


def trades_awp(official):
    text = official.read("trades_AWP/train_trades_cifar.py")
    awp_module = module_namespace(official.read("trades_AWP/utils_awp.py"))
    noise = torch.Generator().manual_seed(4003)
    torch_shim = types.SimpleNamespace(**{k: getattr(torch, k) for k in dir(torch)
                                          if not k.startswith("__")})
    torch_shim.randn = lambda shape: torch.randn(shape, generator=noise, dtype=torch.float32)
    recorded = []
    ns = {"torch": torch_shim, "nn": nn, "F": F, "optim": optim, "Variable": Variable,
          "device": torch.device("cpu"), "time": time, "print": lambda *a, **k: None,
          "Bar": _Stub, "AverageMeter": _Stub,
          "accuracy": lambda output, target, topk: [torch.tensor(0.0) for _ in topk],
          "epsilon": 8 / 255, "step_size": 2 / 255,
          "args": types.SimpleNamespace(num_steps=10, norm="l_inf", awp_warmup=10, beta=6.0)}
    define(function_source(text, "perturb_input"), ns)
    official_perturb = ns["perturb_input"]

    def recording_perturb(**kwargs):
        x_adv = official_perturb(**kwargs)
        recorded.append(x_adv.detach().clone())
        return x_adv

    define(function_source(text, "train"), ns)
    ns["perturb_input"] = recording_perturb

    model, batches = initial_model()
    proxy = copy.deepcopy(model)
    initial = state(model)
    optimizer = sgd(model)
    awp_adversary = awp_module["TradesAWP"](
        model=model, proxy=proxy, proxy_optim=optim.SGD(proxy.parameters(), lr=0.1), gamma=0.005)

    class StepRecorder(list):
        """The train loader: records the state after each batch's step."""

        def __iter__(self):
            for index, item in enumerate(list.__iter__(self)):
                if index > 0:
                    steps.append(state(model))
                yield item

    steps = []
    loader = StepRecorder(batches)
    ns["train"](model, loader, optimizer, 10, awp_adversary)  # epoch 10 >= awp_warmup 10: AWP on
    steps.append(state(model))
    check(len(recorded) == STEPS and len(steps) == STEPS, "three TRADES-AWP steps")
    return {
        "gamma": 0.005, "beta": 6.0,
        "initial": initial,
        "batches": [{"x": tensor(x), "y": tensor(y)} for x, y in batches],
        "steps_after": [{"x_adv": tensor(a), "after": s} for a, s in zip(recorded, steps)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awp", help="a checkout or bare mirror of csdongxian/AWP")
    official = Official(parser.parse_args().awp)
    write("bn_forwards.json", {
        "description": "Parameters and BatchNorm running statistics after each of three steps of "
                       "the official AT-AWP and TRADES-AWP code (csdongxian/AWP at %s), float64, "
                       "BatchNorm momentum %r (DJL's); see make_bn_fixtures.py"
                       % (official.revision(), DJL_MOMENTUM),
        "at_awp": at_awp(official),
        "trades_awp": trades_awp(official),
    })


if __name__ == "__main__":
    main()
