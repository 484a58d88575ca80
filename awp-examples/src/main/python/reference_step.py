#!/usr/bin/python3
"""Times AT and AT-AWP training steps done the way the AWP reference code does them, for
dev.awp.examples.benchmark.AwpBenchmark (which runs this script and compares it with our steps).

Written from docs/awp-spec.md section 2 and the reference code (csdongxian/AWP, AT_AWP):

  attack   attack_pgd of the reference: model in train mode, delta ~ U(-eps, eps) clamped to the
           image box, 10 steps of loss.backward() (which also computes and accumulates the weight
           gradients), delta += alpha * sign(grad), clip to the eps-box and the image box, then one
           more forward for the per-example loss that picks the best restart (done even with one
           restart).
  calc_awp proxy.load_state_dict(model.state_dict()); proxy.train(); loss = -CE(proxy(x_adv), y);
           proxy_opt.zero_grad(); loss.backward(); proxy_opt.step() (plain SGD, lr 0.01); for
           every state-dict entry of rank > 1 whose name contains 'weight':
           diff = ||w|| / (||w_proxy - w|| + 1e-20) * (w_proxy - w).
  perturb  w += gamma * diff (under no_grad)
  update   model(x_adv), CE, opt.zero_grad(), backward, opt.step() (SGD lr 0.01, momentum 0.9,
           weight decay 5e-4)
  restore  w -= gamma * diff

A plain AT step is the same without calc_awp, perturb and restore. AT and AT-AWP steps are
interleaved on the same model and batch, so that both see the same machine state.

Models (rebuilt from our Java code, dev.awp.djl.model): 'smallcnn' (SmallCnn with width w and 128
hidden units) and 'preactresnet18' (PreActResNet18), both after the CIFAR-10 normalization layer,
10 classes, 32x32 RGB inputs.

Output: one JSON file (--output), times in milliseconds per step:
  at, at_awp                  samples of whole steps
  phases_at, phases_at_awp    per-phase samples of the same steps
  fwd_bwd                     one training forward + backward (zero_grad, forward, CE, backward)
  attack_input_only           the same PGD-10 with torch.autograd.grad on delta only (no weight
                              gradients, no extra forward): the work our attack does
  memory                      peak resident memory (VmHWM, reset through /proc/self/clear_refs)
                              over AT steps, then over AT-AWP steps with the proxy created on the
                              first of them; and the bytes of the proxy's parameters, buffers and
                              gradients
Run with Debian's PyTorch: /usr/bin/python3 reference_step.py --model smallcnn --output r.json
"""

import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS_NORM = 1e-20
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2471, 0.2435, 0.2616)


# ----------------------------------------------------------------------------------------------
# Models, as in dev.awp.djl.model


class Normalize(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(CIFAR10_STD).view(1, 3, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def conv(cin, cout, kernel, stride):
    return nn.Conv2d(cin, cout, kernel, stride=stride, padding=(kernel - 1) // 2, bias=False)


def small_cnn_stage(cin, cout):
    return [
        conv(cin, cout, 3, 1),
        nn.BatchNorm2d(cout),
        nn.ReLU(),
        conv(cout, cout, 3, 1),
        nn.BatchNorm2d(cout),
        nn.ReLU(),
        nn.MaxPool2d(2),
    ]


def small_cnn(width, hidden, classes):
    """SmallCnn: two VGG stages (w, 2w), conv 4w, global average pooling, two linear layers."""
    return nn.Sequential(
        Normalize(),
        *small_cnn_stage(3, width),
        *small_cnn_stage(width, 2 * width),
        conv(2 * width, 4 * width, 3, 1),
        nn.BatchNorm2d(4 * width),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4 * width, hidden),
        nn.ReLU(),
        nn.Linear(hidden, classes),
    )


class PreActBlock(nn.Module):
    """a = relu(bn1(x)); out = conv2(relu(bn2(conv1(a)))) + (conv1x1(a) or x)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = conv(cin, cout, 3, stride)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = conv(cout, cout, 3, 1)
        self.shortcut = conv(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        a = F.relu(self.bn1(x))
        residual = self.shortcut(a) if self.shortcut is not None else x
        out = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return out + residual


class PreActResNet18(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.normalize = Normalize()
        self.stem = conv(3, 64, 3, 1)
        blocks, cin = [], 64
        for width, stride in zip((64, 128, 256, 512), (1, 2, 2, 2)):
            for b in range(2):
                blocks.append(PreActBlock(cin, width, stride if b == 0 else 1))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(512)
        self.linear = nn.Linear(512, classes)

    def forward(self, x):
        out = self.blocks(self.stem(self.normalize(x)))
        out = F.avg_pool2d(F.relu(self.bn(out)), 4)
        return self.linear(out.view(out.size(0), -1))


def build(args):
    if args.model == "smallcnn":
        return small_cnn(args.width, args.hidden, args.classes)
    if args.model == "preactresnet18":
        return PreActResNet18(args.classes)
    raise SystemExit("unknown model " + args.model)


# ----------------------------------------------------------------------------------------------
# The reference procedure


def attack_pgd(model, x, y, eps, alpha, iters):
    """attack_pgd of the reference (one restart, L-inf, no early stop)."""
    max_loss = torch.zeros(y.shape[0])
    max_delta = torch.zeros_like(x)
    delta = torch.zeros_like(x).uniform_(-eps, eps)
    delta = torch.max(torch.min(delta, 1 - x), 0 - x)
    delta.requires_grad = True
    for _ in range(iters):
        output = model(x + delta)
        loss = F.cross_entropy(output, y)
        loss.backward()
        grad = delta.grad.detach()
        d = torch.clamp(delta + alpha * torch.sign(grad), min=-eps, max=eps)
        d = torch.max(torch.min(d, 1 - x), 0 - x)
        delta.data = d
        delta.grad.zero_()
    all_loss = F.cross_entropy(model(x + delta), y, reduction="none")
    better = all_loss >= max_loss
    max_delta[better] = delta.detach()[better]
    return torch.clamp(x + max_delta, 0, 1)


def attack_input_only(model, x, y, eps, alpha, iters):
    """The same PGD with gradients with respect to the input only: our attack's work."""
    delta = torch.zeros_like(x).uniform_(-eps, eps)
    adv = torch.clamp(x + delta, 0, 1)
    for _ in range(iters):
        adv.requires_grad_(True)
        loss = F.cross_entropy(model(adv), y)
        (grad,) = torch.autograd.grad(loss, [adv])
        adv = adv.detach() + alpha * torch.sign(grad)
        adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0, 1)
    return adv.detach()


def diff_in_weights(model, proxy):
    diff = {}
    for (name, old), (_, new) in zip(model.state_dict().items(), proxy.state_dict().items()):
        if old.dim() <= 1:
            continue
        if "weight" in name:
            d = new - old
            diff[name] = old.norm() / (d.norm() + EPS_NORM) * d
    return diff


def add_into_weights(model, diff, coeff):
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name in diff:
                param.add_(coeff * diff[name])


class AdvWeightPerturb:
    def __init__(self, model, proxy, proxy_optim, gamma):
        self.model, self.proxy, self.proxy_optim, self.gamma = model, proxy, proxy_optim, gamma

    def calc_awp(self, inputs_adv, targets):
        self.proxy.load_state_dict(self.model.state_dict())
        self.proxy.train()
        loss = -F.cross_entropy(self.proxy(inputs_adv), targets)
        self.proxy_optim.zero_grad()
        loss.backward()
        self.proxy_optim.step()
        return diff_in_weights(self.model, self.proxy)

    def perturb(self, diff):
        add_into_weights(self.model, diff, 1.0 * self.gamma)

    def restore(self, diff):
        add_into_weights(self.model, diff, -1.0 * self.gamma)


# ----------------------------------------------------------------------------------------------
# Timing


class Clock:
    def __init__(self):
        self.phases = {}
        self.last = time.perf_counter()

    def lap(self, name):
        now = time.perf_counter()
        self.phases[name] = (now - self.last) * 1e3
        self.last = now


def step(model, opt, awp, x, y, args):
    """One training step; returns its phases in milliseconds."""
    clock = Clock()
    model.train()
    x_adv = attack_pgd(model, x, y, args.epsilon, args.alpha, args.attack_steps).detach()
    clock.lap("attack")
    diff = None
    if awp is not None:
        diff = awp.calc_awp(x_adv, y)
        clock.lap("awp_v")
        awp.perturb(diff)
        clock.lap("perturb")
    opt.zero_grad()
    loss = F.cross_entropy(model(x_adv), y)
    loss.backward()
    clock.lap("update_fwd_bwd")
    opt.step()
    clock.lap("step")
    if awp is not None:
        awp.restore(diff)
        clock.lap("restore")
    float(loss)
    return clock.phases


def fwd_bwd(model, opt, x, y):
    start = time.perf_counter()
    model.train()
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return (time.perf_counter() - start) * 1e3


def status():
    values = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, rest = line.split(":")
                    values[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return values


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def tensor_bytes(tensors):
    return sum(t.numel() * t.element_size() for t in tensors if t is not None)


def make_opt(model):
    return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)


def make_awp(args, model):
    proxy = build(args)
    proxy_opt = torch.optim.SGD(proxy.parameters(), lr=0.01)
    return AdvWeightPerturb(model, proxy, proxy_opt, args.gamma)


def measure_memory(args, x, y):
    """Peak RSS over AT steps, then over AT-AWP steps with the proxy created at the first."""
    torch.manual_seed(args.seed)
    model = build(args)
    opt = make_opt(model)
    for _ in range(2):
        step(model, opt, None, x, y, args)
    can_reset = reset_peak()
    for _ in range(args.memory_steps):
        step(model, opt, None, x, y, args)
    at_peak = status().get("VmHWM", 0)
    awp = make_awp(args, model)
    reset_peak()
    for _ in range(args.memory_steps):
        step(model, opt, awp, x, y, args)
    awp_peak = status().get("VmHWM", 0)
    proxy = awp.proxy
    proxy_bytes = tensor_bytes(list(proxy.parameters()) + list(proxy.buffers()))
    proxy_grad_bytes = tensor_bytes([p.grad for p in proxy.parameters()])
    return {
        "peak_reset_supported": can_reset,
        "at_peak_rss_bytes": at_peak,
        "at_awp_peak_rss_bytes": awp_peak,
        "proxy_state_bytes": proxy_bytes,
        "proxy_grad_bytes": proxy_grad_bytes,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", default="smallcnn", choices=["smallcnn", "preactresnet18"])
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--interop-threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--warmup", type=int, default=2, help="untimed steps of each kind first")
    p.add_argument("--reps", type=int, default=5, help="timed steps of each kind")
    p.add_argument("--attack-steps", type=int, default=10)
    p.add_argument("--epsilon", type=float, default=8 / 255)
    p.add_argument("--alpha", type=float, default=2 / 255)
    p.add_argument("--gamma", type=float, default=0.01)
    p.add_argument("--memory-steps", type=int, default=2, help="0 skips the memory measurement")
    p.add_argument("--output", required=True)
    args = p.parse_args()

    torch.set_num_interop_threads(args.interop_threads)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x = torch.rand(args.batch, 3, 32, 32)
    y = torch.arange(args.batch) % args.classes

    memory = measure_memory(args, x, y) if args.memory_steps > 0 else None

    torch.manual_seed(args.seed)
    model = build(args)
    opt = make_opt(model)
    awp = make_awp(args, model)
    for _ in range(args.warmup):
        step(model, opt, None, x, y, args)
        step(model, opt, awp, x, y, args)
        fwd_bwd(model, opt, x, y)
        attack_input_only(model, x, y, args.epsilon, args.alpha, args.attack_steps)

    at, at_awp, phases_at, phases_at_awp, fb, attack_only = [], [], [], [], [], []
    for _ in range(args.reps):
        for kind in (0, 1):
            phases = step(model, opt, awp if kind else None, x, y, args)
            (phases_at_awp if kind else phases_at).append(phases)
            (at_awp if kind else at).append(sum(phases.values()))
        fb.append(fwd_bwd(model, opt, x, y))
        start = time.perf_counter()
        attack_input_only(model, x, y, args.epsilon, args.alpha, args.attack_steps)
        attack_only.append((time.perf_counter() - start) * 1e3)
    opt.zero_grad()

    params = list(model.parameters())
    result = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "model": args.model,
        "width": args.width,
        "batch": args.batch,
        "seed": args.seed,
        "parameters": sum(t.numel() for t in params),
        "parameter_bytes": tensor_bytes(params),
        "perturbed_tensors": len(diff_in_weights(model, awp.proxy)),
        "at": at,
        "at_awp": at_awp,
        "phases_at": phases_at,
        "phases_at_awp": phases_at_awp,
        "fwd_bwd": fb,
        "attack_input_only": attack_only,
        "memory": memory,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
