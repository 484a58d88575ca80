#!/usr/bin/env python3
"""Cross-checks awp's AutoAttack (APGD-CE, APGD-T, FAB-T, Square) and untargeted FAB against the
reference implementation, fra31/auto-attack, on the same model and the same examples, in L-inf or
L2.

The reference is fetched at run time and never committed: pass its checkout with --autoattack
(for example `git clone https://github.com/fra31/auto-attack /tmp/auto-attack`). Needs PyTorch
(Debian's python3-torch 1.13 works) and the Fashion-MNIST IDX files of Debian's
dataset-fashion-mnist in /usr/share/datasets/fashion-mnist.

Steps (from the repository root; DIR is a scratch directory):
  1. python3 autoattack_cross_check.py train --dir DIR
       trains a small CNN (awp's SmallCnn architecture, --width 16, --hidden 128, BatchNorm)
       with PGD-AT at L-inf eps 0.1 on Fashion-MNIST, exports its weights in DJL's parameter
       order (params.json + weights.bin, float32 little-endian), the first --examples test images
       as IDX files and the model's clean logits on them (logits.bin).
     (optionally: prefix --dir DIR --out DIR2 --examples N, the same model on the first N)
  2. java ... dev.awp.examples.crosscheck.AutoAttackCrossCheck --dir DIR
       (awp-examples) loads the weights into SmallCnn, checks the clean predictions, and runs
       awp's standard AutoAttack cascade, each attack alone and untargeted FAB; writes
       awp-*.json.
  3. python3 autoattack_cross_check.py reference --dir DIR --autoattack /tmp/auto-attack
       runs the reference: the standard cascade (version='standard') and each attack alone
       (version='custom', the standard settings), Square with several seeds (--square-queries,
       default 5000, for Square alone), and untargeted FAB with the 'plus' version's 5 restarts;
       writes ref-results.json.
  4. python3 autoattack_cross_check.py compare --dir DIR > report.md
       per attack: robust accuracy of both, per-example flag agreement, and the spread of the
       reference's Square across seeds; times side by side.

Threat model: --norm linf|l2 and --epsilon on both halves (defaults: linf, 0.1; for l2 the
default is 1.5). The L-inf files keep their names (awp-standard.json, ref-results.json); the L2
files carry the norm (awp-l2-standard.json, ref-results-l2.json), so both live in one directory.
The reference subcommand adds its runs to an existing results file instead of replacing it.
--seed N (both halves) seeds the cascade and the attacks other than Square; compare --seed-dirs
D1,D2,... reads the runs of other seeds (copies of the directory) and reports the spread.

Threads: both sides use --threads (default 1) intra-op threads, so that times compare.
"""
import argparse
import gzip
import json
import os
import re
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist"
EPS = 0.1
L2_EPS = 1.5
ATTACKS = ["apgd-ce", "apgd-t", "fab-t", "square", "fab"]
NAMES = {"apgd-ce": "APGD-CE", "apgd-t": "APGD-T", "fab-t": "FAB-T", "square": "Square",
         "fab": "FAB (untargeted)"}
# untargeted FAB as the reference's 'plus' version (and its constructor's default) runs it:
# 5 restarts (the first from the clean input), 100 iterations each
FAB_RESTARTS = 5


def threat(args):
    """(reference norm name, epsilon, file tag) of --norm and --epsilon."""
    if args.norm == "linf":
        return "Linf", args.epsilon if args.epsilon is not None else EPS, ""
    return "L2", args.epsilon if args.epsilon is not None else L2_EPS, "-l2"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def write_idx(path, array):
    with open(path, "wb") as f:
        if array.ndim == 4:
            f.write(struct.pack(">IIII", 0x803, array.shape[0], array.shape[2], array.shape[3]))
        else:
            f.write(struct.pack(">II", 0x801, array.shape[0]))
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


class SmallCnn(nn.Module):
    """awp's SmallCnn (dev.awp.djl.model.SmallCnn) in PyTorch, layer for layer."""

    def __init__(self, classes=10, width=16, hidden=128, channels=1):
        super().__init__()

        def stage(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                    nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1, bias=False),
                    nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]

        self.net = nn.Sequential(
            *stage(channels, width), *stage(width, 2 * width),
            nn.Conv2d(2 * width, 4 * width, 3, padding=1, bias=False), nn.BatchNorm2d(4 * width),
            nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * width, hidden),
            nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.net(x)


def pgd(model, x, y, eps, alpha, steps):
    delta = torch.empty_like(x).uniform_(-eps, eps)
    delta = (x + delta).clamp(0, 1) - x
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y)
        grad, = torch.autograd.grad(loss, delta)
        delta = (delta.detach() + alpha * grad.sign()).clamp(-eps, eps)
        delta = (x + delta).clamp(0, 1) - x
    return (x + delta).detach()


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.train_threads)
    os.makedirs(args.dir, exist_ok=True)
    images = read_idx(os.path.join(FASHION, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(FASHION, "train-labels-idx1-ubyte.gz"))
    x_all = torch.from_numpy(images[: args.train_size].astype(np.float32)) / 255
    y_all = torch.from_numpy(labels[: args.train_size].astype(np.int64))
    model = SmallCnn(width=args.width, hidden=args.hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    batches = (args.train_size + args.batch - 1) // args.batch
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * batches)
    started = time.time()
    for epoch in range(args.epochs):
        order = torch.randperm(args.train_size)
        total, correct, loss_sum = 0, 0, 0.0
        for b in range(batches):
            idx = order[b * args.batch:(b + 1) * args.batch]
            x, y = x_all[idx], y_all[idx]
            model.eval()
            x_adv = pgd(model, x, y, EPS, EPS / 4, args.pgd_steps)
            model.train()
            out = model(x_adv)
            loss = F.cross_entropy(out, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
        print("epoch %d: adversarial loss %.3f, accuracy %.3f (%.0f s)"
              % (epoch + 1, loss_sum / total, correct / total, time.time() - started), flush=True)
    model.eval()
    test_images = read_idx(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz"))[: args.examples]
    test_labels = read_idx(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz"))[: args.examples]
    write_idx(os.path.join(args.dir, "examples-images-idx3-ubyte"), test_images)
    write_idx(os.path.join(args.dir, "examples-labels-idx1-ubyte"), test_labels)
    # DJL's order: per conv a weight; per BatchNorm gamma, beta, running mean, running variance;
    # per linear layer weight, bias -- the order of PyTorch's state_dict without the counters
    params, blobs = [], []
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        params.append({"name": name, "shape": list(tensor.shape)})
        blobs.append(tensor.detach().numpy().astype("<f4").tobytes())
    with open(os.path.join(args.dir, "weights.bin"), "wb") as f:
        f.write(b"".join(blobs))
    x = torch.from_numpy(test_images.astype(np.float32)) / 255
    with torch.no_grad():
        logits = model(x)
    with open(os.path.join(args.dir, "logits.bin"), "wb") as f:
        f.write(logits.numpy().astype("<f4").tobytes())
    torch.save(model.state_dict(), os.path.join(args.dir, "model.pt"))
    clean = (logits.argmax(1) == torch.from_numpy(test_labels.astype(np.int64))).float().mean()
    meta = {"params": params, "width": args.width, "hidden": args.hidden, "eps": EPS, "examples": args.examples, "epochs": args.epochs,
            "trainSize": args.train_size, "pgdSteps": args.pgd_steps, "seed": args.seed,
            "cleanAccuracy": clean.item(), "trainSeconds": time.time() - started,
            "torch": torch.__version__}
    with open(os.path.join(args.dir, "params.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("clean accuracy on %d test examples: %.3f" % (args.examples, clean))


def prefix(args):
    """A directory with the same model and the first --examples examples of --dir."""
    import shutil
    os.makedirs(args.out, exist_ok=True)
    for name in ("weights.bin", "model.pt"):
        shutil.copyfile(os.path.join(args.dir, name), os.path.join(args.out, name))
    with open(os.path.join(args.dir, "params.json")) as f:
        meta = json.load(f)
    n = args.examples
    images = read_raw_idx(os.path.join(args.dir, "examples-images-idx3-ubyte"))[:n]
    labels = read_raw_idx(os.path.join(args.dir, "examples-labels-idx1-ubyte"))[:n]
    write_idx(os.path.join(args.out, "examples-images-idx3-ubyte"), images)
    write_idx(os.path.join(args.out, "examples-labels-idx1-ubyte"), labels)
    with open(os.path.join(args.dir, "logits.bin"), "rb") as f:
        logits = f.read()[: n * 10 * 4]
    with open(os.path.join(args.out, "logits.bin"), "wb") as f:
        f.write(logits)
    meta["examples"] = n
    predicted = np.frombuffer(logits, dtype="<f4").reshape(n, 10).argmax(1)
    meta["cleanAccuracy"] = float((predicted == labels).mean())
    with open(os.path.join(args.out, "params.json"), "w") as f:
        json.dump(meta, f, indent=1)


def load(args):
    with open(os.path.join(args.dir, "params.json")) as f:
        meta = json.load(f)
    model = SmallCnn(width=meta["width"], hidden=meta["hidden"])
    model.load_state_dict(torch.load(os.path.join(args.dir, "model.pt")))
    model.eval()
    images = read_raw_idx(os.path.join(args.dir, "examples-images-idx3-ubyte"))
    labels = read_raw_idx(os.path.join(args.dir, "examples-labels-idx1-ubyte"))
    x = torch.from_numpy(images.astype(np.float32)) / 255
    y = torch.from_numpy(labels.astype(np.int64))
    return model, x, y


def read_raw_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def reference(args):
    sys.path.insert(0, args.autoattack)
    from autoattack import AutoAttack  # noqa: E402 -- fetched at run time
    torch.set_num_threads(args.threads)
    model, x, y = load(args)
    norm, eps, tag = threat(args)
    path = os.path.join(args.dir, "ref-results%s.json" % tag)
    results = {}
    if os.path.exists(path):
        # add to the runs of earlier invocations (same threat model only)
        with open(path) as f:
            results = json.load(f)
        if results.get("norm", "Linf") != norm or results.get("eps", EPS) != eps:
            sys.exit("%s holds %s eps %s, not %s eps %s" % (
                path, results.get("norm", "Linf"), results.get("eps", EPS), norm, eps))

    def adversary(version, attacks=None, seed=0, log=None):
        a = AutoAttack(model, norm=norm, eps=eps, version=version,
                       attacks_to_run=attacks or [], seed=seed, log_path=log, device="cpu")
        if version == "custom":
            # the standard version's settings (AutoAttack.set_version('standard'))
            a.apgd.n_restarts = 1
            a.apgd_targeted.n_target_classes = 9
            a.apgd_targeted.n_restarts = 1
            a.fab.n_restarts = 1
            a.fab.n_target_classes = 9
            a.square.n_queries = args.square_queries
            if attacks == ["fab"]:
                a.fab.n_restarts = FAB_RESTARTS
        return a

    log = os.path.join(args.dir, "ref-standard%s.log" % tag)
    if os.path.exists(log):
        os.remove(log)
    if "standard" in args.runs:
        started = time.time()
        _, y_adv = adversary("standard", seed=args.seed, log=log).run_standard_evaluation(
            x, y, bs=args.batch, return_labels=True)
        seconds = time.time() - started
        after = {}
        with open(log) as f:
            for line in f:
                m = re.search(r"robust accuracy after (\S+): ([0-9.]+)%", line)
                if m:
                    after[m.group(1).upper()] = (float(m.group(2)) / 100,
                                                 float(re.search(r"total time ([0-9.]+)",
                                                                 line).group(1)))
        results["standard"] = {"flags": (y_adv == y).tolist(), "seconds": seconds,
                               "cumulative": {k: v[0] for k, v in after.items()},
                               "totalSecondsAfter": {k: v[1] for k, v in after.items()}}
        print("reference standard: %.4f (%.0f s) %s"
              % ((y_adv == y).float().mean(), seconds, after), flush=True)
    for attack in [a for a in ATTACKS if a in args.runs]:
        seeds = args.square_seeds if attack == "square" else [args.seed]
        for seed in seeds:
            started = time.time()
            _, y_adv = adversary("custom", [attack], seed=seed).run_standard_evaluation(
                x, y, bs=args.batch, return_labels=True)
            key = attack if attack != "square" else "square-s%d" % seed
            results[key] = {"flags": (y_adv == y).tolist(), "seconds": time.time() - started}
            print("reference %s: %.4f (%.0f s)" % (key, (y_adv == y).float().mean(),
                                                   time.time() - started), flush=True)
    results["threads"] = args.threads
    results["torch"] = torch.__version__
    results["norm"] = norm
    results["eps"] = eps
    results["squareQueries"] = args.square_queries
    results["fabRestarts"] = FAB_RESTARTS
    with open(path, "w") as f:
        json.dump(results, f)


def awp_flags(path, norm, eps):
    with open(path) as f:
        report = json.load(f)
    model = report["threatModel"]
    if model["norm"] != norm.upper() or abs(model["epsilon"] - eps) > 1e-12:
        sys.exit("%s ran %s eps %s, not %s eps %s"
                 % (path, model["norm"], model["epsilon"], norm, eps))
    return [code == -1 for code in report["brokenBy"]], report


def standard_rows(ref, n, norm, eps, tag, directory):
    """The standard cascade's row of the per-attack table and its cumulative table."""
    out = []
    flags, report = awp_flags(os.path.join(directory, "awp%s-standard.json" % tag), norm, eps)
    rflags = ref["standard"]["flags"]
    agree = sum(a == b for a, b in zip(flags, rflags)) / n
    out.append("| **standard cascade** | %.1f %% | %.1f %% | %+.1f points | %.1f %% | %.0f s "
               "| %.0f s | %.2f |"
               % (100 * sum(rflags) / n, 100 * sum(flags) / n,
                  100 * (sum(flags) - sum(rflags)) / n, 100 * agree, ref["standard"]["seconds"],
                  report["elapsedSeconds"], report["elapsedSeconds"] / ref["standard"]["seconds"]))
    out.append("")
    out.append("Cumulative robust accuracy after each attack of the standard cascade:")
    out.append("")
    out.append("| after | reference | awp | time reference | time awp | awp / reference "
               "| awp queries per attacked example |")
    out.append("|---|---|---|---|---|---|---|")
    previous = 0.0
    for result in report["attacks"]:
        name = result["name"]
        ref_after = ref["standard"]["cumulative"].get(name.upper())
        total = ref["standard"].get("totalSecondsAfter", {}).get(name.upper())
        ref_time = total - previous if total is not None else None
        previous = total if total is not None else previous
        out.append("| %s | %s | %.1f %% | %s | %.0f s | %s | %.0f |"
                   % (name, "%.1f %%" % (100 * ref_after) if ref_after is not None else "-",
                      100 * result["cumulative"]["accuracy"],
                      "%.0f s" % ref_time if ref_time is not None else "-",
                      result["elapsedSeconds"],
                      "%.2f" % (result["elapsedSeconds"] / ref_time) if ref_time else "-",
                      result["queries"] / result["attacked"] if result["attacked"] else 0))
    out.append("")
    return out


def seed_rows(directory, seed_dirs, n, norm, eps, tag):
    """APGD-CE, APGD-T and the standard cascade over several seeds: the runs of --dir and of each
    of seed_dirs (the same model and examples, run with other --seed values), robust accuracy by
    seed on both sides and how well the flags agree between two seeds of the reference, and
    between awp and the reference."""
    out = ["Seeds (APGD and Square draw at random): robust accuracy by seed, and the share of "
           "examples whose flags agree between two runs (all pairs of seeds):", "",
           "| attack | reference by seed | awp by seed | reference vs reference | awp vs reference "
           "|", "|---|---|---|---|---|"]
    for attack in ("apgd-ce", "apgd-t", "standard"):
        ref, awp = [], []
        for d in [directory] + seed_dirs:
            path = os.path.join(d, "ref-results%s.json" % tag)
            if os.path.exists(path):
                with open(path) as f:
                    results = json.load(f)
                if attack in results:
                    ref.append(results[attack]["flags"])
            path = os.path.join(d, "awp%s-%s.json" % (tag, attack))
            if os.path.exists(path):
                awp.append(awp_flags(path, norm, eps)[0])
        if not ref or not awp:
            continue

        def accuracies(runs):
            values = [100 * sum(f) / n for f in runs]
            return "%s (mean %.1f, spread %.1f)" % (", ".join("%.1f %%" % v for v in values),
                                                    sum(values) / len(values),
                                                    max(values) - min(values))

        def agreement(pairs):
            values = [100 * sum(x == y for x, y in zip(a, b)) / n for a, b in pairs]
            return "%.1f–%.1f %% (mean %.1f %%)" % (min(values), max(values),
                                                   sum(values) / len(values))

        same = [(a, b) for i, a in enumerate(ref) for b in ref[i + 1:]]
        out.append("| %s | %s | %s | %s | %s |"
                   % (NAMES.get(attack, "standard cascade"), accuracies(ref), accuracies(awp),
                      agreement(same) if same else "-",
                      agreement([(a, b) for a in ref for b in awp])))
    out.append("")
    return out


def compare(args):
    norm, eps, tag = threat(args)
    with open(os.path.join(args.dir, "ref-results%s.json" % tag)) as f:
        ref = json.load(f)
    if ref.get("norm", "Linf") != norm or abs(ref.get("eps", EPS) - eps) > 1e-12:
        sys.exit("the reference ran %s eps %s, not %s eps %s"
                 % (ref.get("norm", "Linf"), ref.get("eps", EPS), norm, eps))
    with open(os.path.join(args.dir, "params.json")) as f:
        meta = json.load(f)
    with open(os.path.join(args.dir, "awp-clean.json")) as f:
        clean = json.load(f)
    n = meta["examples"]
    out = []
    out.append("| attack (alone, on all clean-correct examples) | reference | awp | difference "
               "| flags agreeing | time reference | time awp | awp / reference |")
    out.append("|---|---|---|---|---|---|---|---|")
    rows = []
    for attack in ATTACKS:
        key = attack if attack != "square" else "square-s0"
        awp_path = os.path.join(args.dir, "awp%s-%s.json" % (tag, key))
        if key not in ref or not os.path.exists(awp_path):
            continue
        flags, report = awp_flags(awp_path, norm, eps)
        rflags = ref[key]["flags"]
        agree = sum(a == b for a, b in zip(flags, rflags)) / n
        acc_awp = sum(flags) / n
        acc_ref = sum(rflags) / n
        rows.append((NAMES[attack], acc_ref, acc_awp, agree))
        t_ref = ref[key]["seconds"]
        t_awp = report["elapsedSeconds"]
        out.append("| %s | %.1f %% | %.1f %% | %+.1f points | %.1f %% | %.0f s | %.0f s | %.2f |"
                   % (NAMES[attack], 100 * acc_ref, 100 * acc_awp, 100 * (acc_awp - acc_ref),
                      100 * agree, t_ref, t_awp, t_awp / t_ref))
    if "standard" in ref:
        out.extend(standard_rows(ref, n, norm, eps, tag, args.dir))
    else:
        out.append("")
    disagreements = []
    for key in [a if a != "square" else "square-s0" for a in ATTACKS] + ["standard"]:
        awp_path = os.path.join(args.dir, "awp%s-%s.json" % (tag, key))
        if key in ref and os.path.exists(awp_path):
            flags = awp_flags(awp_path, norm, eps)[0]
            differ = [i for i, (a, b) in enumerate(zip(flags, ref[key]["flags"])) if a != b]
            if differ:
                disagreements.append("%s: %s" % (key, ", ".join(
                    "#%d (%s)" % (i, "robust for awp" if flags[i] else "robust for the reference")
                    for i in differ)))
    if disagreements:
        out.append("Examples whose flags differ: " + "; ".join(disagreements) + ".")
        out.append("")
    square = [sum(ref[key]["flags"]) / n
              for key in sorted(k for k in ref if k.startswith("square-s"))]
    if square:
        awp_square = []
        for seed in args.square_seeds:
            path = os.path.join(args.dir, "awp%s-square-s%d.json" % (tag, seed))
            if os.path.exists(path):
                awp_square.append(sum(awp_flags(path, norm, eps)[0]) / n)
        out.append("Square alone (%d queries), robust accuracy by seed: reference %s (mean %.2f %%, "
                   "spread %.1f points); awp %s (mean %.2f %%, spread %.1f points)."
                   % (ref.get("squareQueries", 5000),
                      ", ".join("%.1f %%" % (100 * a) for a in square),
                      100 * sum(square) / len(square), 100 * (max(square) - min(square)),
                      ", ".join("%.1f %%" % (100 * a) for a in awp_square),
                      100 * sum(awp_square) / len(awp_square) if awp_square else 0,
                      100 * (max(awp_square) - min(awp_square)) if awp_square else 0))
        out.append("")
    if args.seed_dirs:
        out.extend(seed_rows(args.dir, args.seed_dirs, n, norm, eps, tag))
    out.append("Model: %d examples, clean accuracy %.1f %% (PyTorch) / %.1f %% (awp), clean "
               "predictions identical on %d of %d, largest logit difference %.2g."
               % (n, 100 * meta["cleanAccuracy"], 100 * clean["cleanAccuracy"],
                  clean["identicalPredictions"], n, clean["maxLogitDifference"]))
    print("\n".join(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train")
    p.add_argument("--dir", required=True)
    p.add_argument("--examples", type=int, default=1000)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--train-size", type=int, default=20000)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--pgd-steps", type=int, default=7)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train-threads", type=int, default=2)
    p = sub.add_parser("prefix")
    p.add_argument("--dir", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--examples", type=int, required=True)
    p = sub.add_parser("reference")
    p.add_argument("--dir", required=True)
    p.add_argument("--autoattack", required=True, help="checkout of fra31/auto-attack")
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=lambda s: s.split(","),
                   default=["standard"] + ATTACKS)
    p.add_argument("--square-seeds", type=lambda s: [int(v) for v in s.split(",")],
                   default=[0, 1, 2])
    p.add_argument("--square-queries", type=int, default=5000)
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the standard cascade and of every attack but Square")
    p = sub.add_parser("compare")
    p.add_argument("--dir", required=True)
    p.add_argument("--seed-dirs", type=lambda s: s.split(","), default=[],
                   help="directories with APGD runs of other seeds (same model and examples)")
    p.add_argument("--square-seeds", type=lambda s: [int(v) for v in s.split(",")],
                   default=[0, 1, 2])
    for name in ("reference", "compare"):
        p = sub.choices[name]
        p.add_argument("--norm", choices=["linf", "l2"], default="linf")
        p.add_argument("--epsilon", type=float, default=None,
                       help="default %s for linf, %s for l2" % (EPS, L2_EPS))
    args = parser.parse_args()
    {"train": train, "prefix": prefix, "reference": reference, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
