# Independent PyTorch check of the AWP stall on a small network (see RobustOverfittingLab and QuickStart).
# Data: dump SyntheticShapes in CIFAR-10 binary format to /tmp/shapes/{train,test}.bin first:
#   ./mvnw -q verify -Prun -pl awp-examples -am -DskipTests -Dinvoker.skip \
#     -Dexample.main=dev.awp.examples.ExportSyntheticShapes -Dexample.args="--output /tmp/shapes"
# Run with Debian's python3-torch: /usr/bin/python3 <this script>
# AT vs AT-AWP check. reuses model/data/augmentation/attack/evaluation from bn_mode_check.py unchanged.
import sys, time, math, copy
import numpy as np
import torch, torch.nn.functional as F
from bn_mode_check import load, SmallCnn, pgd, augment, evaluate, finish

torch.set_num_threads(1)

CFG = {  # name: (gamma, awp_warmup_epochs)   gamma=None -> plain PGD-AT
    'E': (None, 0),
    'F': (0.01, 0),
    'G': (0.01, 3),
    'H': (0.005, 0),
}
EPS_DIV = 1e-20

def awp_keys(model):
    return [n for n, p in model.named_parameters() if 'weight' in n and p.dim() > 1]

def calc_awp(model, proxy, keys, gamma, xa, y):
    # Wu et al. 2020 AT_AWP/utils_awp.py: TradesAWP/AdvWeightPerturb.calc_awp + diff_in_weights
    proxy.load_state_dict(model.state_dict())
    proxy.train()
    loss = -F.cross_entropy(proxy(xa), y)
    for p in proxy.parameters():
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in proxy.parameters():          # plain SGD, lr 0.01, no momentum, no wd
            if p.grad is not None:
                p.add_(p.grad, alpha=-0.01)
    mp, pp = dict(model.named_parameters()), dict(proxy.named_parameters())
    v = {}
    with torch.no_grad():
        for k in keys:
            d = pp[k] - mp[k]
            v[k] = gamma * mp[k].norm() * d / (d.norm() + EPS_DIV)
    return v

def add_v(model, v, coeff):
    mp = dict(model.named_parameters())
    with torch.no_grad():
        for k, t in v.items():
            mp[k].add_(coeff * t)

def run(cfg):
    gamma, warmup = CFG[cfg]
    epochs, bs = 8, 32
    eps, alpha, steps = 8 / 255, 2 / 255, 10
    torch.manual_seed(0); np.random.seed(0)
    xtr, ytr = load('/tmp/shapes/train.bin', 2000)
    xte, yte = load('/tmp/shapes/test.bin', 500)
    model = SmallCnn()
    proxy = copy.deepcopy(model) if gamma is not None else None   # deepcopy: consumes no RNG
    keys = awp_keys(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    print(f"config {cfg}: {'plain PGD-AT' if gamma is None else f'AT-AWP gamma={gamma}, warmup={warmup} epochs'}; "
          f"attack in eval mode, bs {bs}, epochs {epochs}, lr 0.05 (ep 0-6) / 0.005 (ep 7), seed 0, "
          f"ntrain={len(ytr)}, ntest={len(yte)}", flush=True)
    if gamma is not None:
        print(f"  AWP-perturbed params: {keys}", flush=True)
    t0 = time.time()
    for ep in range(epochs):
        lr = 0.05 if ep < 7 else 0.005
        for g in opt.param_groups:
            g['lr'] = lr
        use_awp = gamma is not None and ep >= warmup
        perm = torch.randperm(xtr.shape[0])
        tot_loss = 0.0; correct = 0; n = 0; vrel = []
        te = time.time()
        for s in range(0, xtr.shape[0], bs):
            idx = perm[s:s + bs]
            xb, yb = augment(xtr[idx]), ytr[idx]
            model.eval()
            xa = pgd(model, xb, yb, eps, alpha, steps)          # 1. attack on unperturbed w
            if use_awp:
                v = calc_awp(model, proxy, keys, gamma, xa, yb)  # 2.
                add_v(model, v, 1.0)                             # 3. w += v
            model.train()
            out = model(xa)
            loss = F.cross_entropy(out, yb)                      # 4.
            opt.zero_grad()
            loss.backward()
            opt.step()
            if use_awp:
                add_v(model, v, -1.0)                            # 5. w -= v
            tot_loss += loss.item() * yb.shape[0]
            correct += (out.argmax(1) == yb).sum().item()
            n += yb.shape[0]
        print(f"  [{cfg}] epoch {ep} (lr {lr}, AWP {'on' if use_awp else 'off'}): train adv loss {tot_loss / n:.4f}  "
              f"train adv acc {correct / n:.4f}  ({time.time() - te:.1f}s)", flush=True)
    finish(cfg, model, xte, yte, eps, alpha, steps, t0)

if __name__ == '__main__':
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, ln(10)={math.log(10):.4f}", flush=True)
    print("note: AWP-run train loss/acc are measured on x_adv at the perturbed weights w+v (the loss that is backpropagated)", flush=True)
    for cfg in (sys.argv[1:] or ['E', 'F', 'G', 'H']):
        run(cfg)
