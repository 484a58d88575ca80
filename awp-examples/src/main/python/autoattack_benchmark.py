#!/usr/bin/python3
"""The reference side of dev.awp.examples.crosscheck.AutoAttackBenchmark: times each attack of
AutoAttack's standard version, run by the reference implementation (fra31/auto-attack, fetched at
run time and never committed: pass its checkout with --autoattack), on the same images as awp.

The model is rebuilt from awp's code by reference_step.py ('smallcnn' or 'preactresnet18', after
the CIFAR-10 normalization, 3x32x32 inputs) with random weights from --seed. Every image is
labelled with the model's own clean prediction and the budget eps is tiny (default 1e-4), so no
attack breaks an example: each attack spends its whole budget on every image, the same work on
both sides whatever the weights. The budgets are the standard version's, scaled by the options:
APGD-CE (--iterations, 1 restart), APGD-T and FAB-T (--targets target classes, --iterations),
Square (--queries, p_init 0.8).

Output (--output, JSON): per attack the wall seconds of run_standard_evaluation (clean pass
included, as in awp's report), the CPU seconds of this process over the same call
(time.process_time: every thread), the robust accuracy and the model's forward passes per image
(queries; a forward-backward counts once).

Run by the Java benchmark; by hand:
  /usr/bin/python3 autoattack_benchmark.py --autoattack /tmp/auto-attack --images images.f32 \
      --count 8 --output ref.json
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_step  # noqa: E402 -- awp's models in PyTorch

ATTACKS = ["apgd-ce", "apgd-t", "fab-t", "square", "fab"]


class Counting(nn.Module):
    """The model, counting the images of every forward pass."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.images = 0

    def forward(self, x):
        self.images += x.shape[0]
        return self.inner(x)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--autoattack", required=True, help="checkout of fra31/auto-attack")
    p.add_argument("--images", required=True, help="float32 little-endian, count x 3 x 32 x 32")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--model", default="preactresnet18", choices=["smallcnn", "preactresnet18"])
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epsilon", type=float, default=1e-4)
    p.add_argument("--iterations", type=int, default=100)
    p.add_argument("--targets", type=int, default=9)
    p.add_argument("--queries", type=int, default=5000)
    p.add_argument("--attacks", type=lambda s: s.split(","), default=ATTACKS[:4])
    p.add_argument("--output", required=True)
    args = p.parse_args()

    sys.path.insert(0, args.autoattack)
    from autoattack import AutoAttack  # noqa: E402 -- fetched at run time

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    model = Counting(reference_step.build(args)).eval()
    x = torch.from_numpy(
        np.fromfile(args.images, dtype="<f4").reshape(args.count, 3, 32, 32).copy())
    with torch.no_grad():
        y = model(x).argmax(1)
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(),
               "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""),
               "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", ""), "attacks": {}}
    def adversary_for(attack, iterations, targets, queries):
        adversary = AutoAttack(model, norm="Linf", eps=args.epsilon, version="custom",
                               attacks_to_run=[attack], seed=args.seed, device="cpu",
                               verbose=False)
        adversary.apgd.n_iter = iterations
        adversary.apgd.n_restarts = 1
        adversary.apgd_targeted.n_iter = iterations
        adversary.apgd_targeted.n_target_classes = targets
        adversary.apgd_targeted.n_restarts = 1
        adversary.fab.n_iter = iterations
        adversary.fab.n_target_classes = targets
        adversary.fab.n_restarts = 1
        adversary.square.n_queries = queries
        adversary.square.p_init = 0.8
        return adversary

    # untimed warm-up, as on the awp side: each attack once with a budget of 2 on the first batch
    for attack in args.attacks:
        adversary_for(attack, 2, 1, 2).run_standard_evaluation(
            x[:args.batch], y[:args.batch], bs=args.batch)
    for attack in args.attacks:
        adversary = adversary_for(attack, args.iterations, args.targets, args.queries)
        model.images = 0
        started = time.perf_counter()
        cpu_started = time.process_time()
        x_adv = adversary.run_standard_evaluation(x, y, bs=args.batch)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        queries = model.images / args.count
        with torch.no_grad():
            robust = (model(x_adv).argmax(1) == y).float().mean().item()
        results["attacks"][attack] = {"seconds": seconds, "cpu_seconds": cpu_seconds,
                                      "robust": robust, "queries_per_example": queries}
        print("reference %s: %.2f s (CPU %.2f s), robust %.3f, %.0f queries per example"
              % (attack, seconds, cpu_seconds, robust, queries), flush=True)
    with open(args.output, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
