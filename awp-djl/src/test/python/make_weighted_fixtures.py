#!/usr/bin/python3
"""Reference fixtures for the weighted losses (per-source loss weights), computed with PyTorch in float64.

What it writes (into ../resources/fixtures/weighted_losses.json, relative to this file): for every
case of losses.json (same clean logits, adversarial logits and labels, which it reads from that
file), two weight vectors -- the first half of the batch weight 1 and the second half 0.25 (a
labelled half and a down-weighted extra half, as a mixed batch is laid out), and seeded random
weights in [0.1, 2] -- and for each the weighted mean sum_i w_i l_i / sum_i w_i of the per-example
losses of PGD-AT (cross-entropy of the adversarial logits), TRADES (beta = 6) and MART (beta = 6),
the per-example losses written from the reference codes' formulas with reduction='none', plus the
gradients of the weighted TRADES and MART with respect to both logits arguments.

The script checks that with every weight 1 the weighted means equal the reference codes' plain
means (losses.json's trades/mart totals, recomputed here) to 1e-12: the per-example split is the
same objective.

How to re-run (Debian's python3 has PyTorch 1.13):

    /usr/bin/python3 awp-djl/src/test/python/make_weighted_fixtures.py

The Java tests only read the JSON file; they never run Python.
"""

import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "resources", "fixtures")
BETA = 6.0


def tensor(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": "float64", "data": t.to(torch.float64).tolist()}


def load(node, dtype):
    return torch.tensor(node["data"], dtype=dtype)


def check(condition, message):
    if not condition:
        sys.exit("FIXTURE CHECK FAILED: " + message)


def ce_per_example(adv, y):
    return F.cross_entropy(adv, y, reduction="none")


def trades_per_example(clean, adv, y, beta):
    natural = F.cross_entropy(clean, y, reduction="none")
    kl = nn.KLDivLoss(reduction="none")(F.log_softmax(adv, dim=1), F.softmax(clean, dim=1))
    return natural + beta * kl.sum(dim=1)


def mart_per_example(clean, adv, y, beta):
    adv_probs = F.softmax(adv, dim=1)
    tmp1 = torch.argsort(adv_probs, dim=1)[:, -2:]
    new_y = torch.where(tmp1[:, -1] == y, tmp1[:, -2], tmp1[:, -1])
    boosted = F.cross_entropy(adv, y, reduction="none") + F.nll_loss(
        torch.log(1.0001 - adv_probs + 1e-12), new_y, reduction="none"
    )
    nat_probs = F.softmax(clean, dim=1)
    true_probs = torch.gather(nat_probs, 1, (y.unsqueeze(1)).long()).squeeze(1)
    kl = nn.KLDivLoss(reduction="none")(torch.log(adv_probs + 1e-12), nat_probs).sum(dim=1)
    return boosted + beta * kl * (1.0000001 - true_probs)


def weighted(values, w):
    return (w * values).sum() / w.sum()


def trades_mean_reference(clean, adv, y, beta):
    b = clean.shape[0]
    natural = F.cross_entropy(clean, y)
    robust = nn.KLDivLoss(reduction="sum")(F.log_softmax(adv, dim=1), F.softmax(clean, dim=1)) / b
    return natural + beta * robust


def grads(fn, clean, adv):
    c = clean.clone().requires_grad_(True)
    a = adv.clone().requires_grad_(True)
    value = fn(c, a)
    gc, ga = torch.autograd.grad(value, [c, a])
    return gc, ga


def main():
    with open(os.path.join(OUT_DIR, "losses.json")) as f:
        source = json.load(f)
    g = torch.Generator().manual_seed(2501)
    cases = []
    for case in source["cases"]:
        clean = load(case["clean_logits"], torch.float64)
        adv = load(case["adv_logits"], torch.float64)
        y = load(case["labels"], torch.int64)
        b = clean.shape[0]
        ones = torch.ones(b, dtype=torch.float64)
        check(
            abs(weighted(trades_per_example(clean, adv, y, BETA), ones)
                - trades_mean_reference(clean, adv, y, BETA)) < 1e-12,
            "weighted TRADES with weights 1 differs from the reference mean in " + case["name"],
        )
        check(
            abs(weighted(mart_per_example(clean, adv, y, BETA), ones) - case["mart"]["total"]) < 1e-9,
            "weighted MART with weights 1 differs from losses.json in " + case["name"],
        )
        halves = torch.ones(b, dtype=torch.float64)
        halves[b // 2:] = 0.25
        random = (0.1 + 1.9 * torch.rand(b, generator=g, dtype=torch.float64)).float().double()
        entries = []
        for name, w in (("halves", halves), ("random", random)):
            tg = grads(lambda c, a: weighted(trades_per_example(c, a, y, BETA), w), clean, adv)
            mg = grads(lambda c, a: weighted(mart_per_example(c, a, y, BETA), w), clean, adv)
            entries.append({
                "name": name,
                "weights": tensor(w),
                "cross_entropy": float(weighted(ce_per_example(adv, y), w)),
                "trades": float(weighted(trades_per_example(clean, adv, y, BETA), w)),
                "trades_per_example": tensor(trades_per_example(clean, adv, y, BETA)),
                "trades_grad_clean": tensor(tg[0]),
                "trades_grad_adv": tensor(tg[1]),
                "mart": float(weighted(mart_per_example(clean, adv, y, BETA), w)),
                "mart_per_example": tensor(mart_per_example(clean, adv, y, BETA)),
                "mart_grad_clean": tensor(mg[0]),
                "mart_grad_adv": tensor(mg[1]),
            })
        cases.append({"name": case["name"], "weightings": entries})
    path = os.path.normpath(os.path.join(OUT_DIR, "weighted_losses.json"))
    with open(path, "w") as f:
        json.dump({
            "description": "weighted means sum_i w_i l_i / sum_i w_i of PGD-AT, TRADES and MART"
                           " (beta 6) per-example losses on the cases of losses.json",
            "torch_version": torch.__version__,
            "beta": BETA,
            "cases": cases,
        }, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
