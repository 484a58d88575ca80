"""The reference side of ForwardTiming: the time of one inference forward pass of awp's model in
PyTorch (eval mode, no gradient), the work Square does once per query.

    python3 forward_timing.py --model preactresnet18 --batch 64 --passes 10 --threads 1

Prints one JSON line: {"torch": ..., "ms": [per-pass times of the timed passes]}.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_step  # noqa: E402 -- awp's models in PyTorch


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", default="preactresnet18", choices=["preactresnet18", "smallcnn"])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--passes", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    args.width, args.hidden, args.classes = 16, 128, 10
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    model = reference_step.build(args).eval()
    x = torch.rand(args.batch, 3, 32, 32)
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.passes):
            start = time.perf_counter()
            model(x.clone()).numpy()
            if i >= args.warmup:
                times.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"torch": torch.__version__, "ms": times}))


if __name__ == "__main__":
    main()
