# Independent PyTorch check: PGD-AT of SmallCnn on SyntheticShapes with the attack in train vs eval BatchNorm mode.
# Data: dump SyntheticShapes in CIFAR-10 binary format to /tmp/shapes/{train,test}.bin first:
#   ./mvnw -q verify -Prun -pl awp-examples -am -DskipTests -Dinvoker.skip \
#     -Dexample.main=dev.awp.examples.ExportSyntheticShapes -Dexample.args="--output /tmp/shapes"
# Run with Debian's python3-torch: /usr/bin/python3 <this script>
import sys, time, math
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

torch.set_num_threads(1)

def load(path, n=None):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    if n is not None:
        raw = raw[:n]
    y = torch.from_numpy(raw[:, 0].astype(np.int64))
    x = torch.from_numpy(raw[:, 1:].astype(np.float32) / 255.0).view(-1, 3, 32, 32)
    return x, y

class SmallCnn(nn.Module):
    def __init__(self, w=16, hidden=128, nc=10):
        super().__init__()
        def cbr(i, o):
            return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o, eps=1e-5, momentum=0.1), nn.ReLU()]
        self.features = nn.Sequential(
            *cbr(3, w), *cbr(w, w), nn.MaxPool2d(2),
            *cbr(w, 2 * w), *cbr(2 * w, 2 * w), nn.MaxPool2d(2),
            *cbr(2 * w, 4 * w), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc1 = nn.Linear(4 * w, hidden)
        self.fc2 = nn.Linear(hidden, nc)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='relu')  # std sqrt(2/fan_in)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight); nn.init.zeros_(m.bias)
    def forward(self, x):
        return self.fc2(F.relu(self.fc1(self.features(x))))

def pgd(model, x, y, eps, alpha, steps):
    delta = torch.empty_like(x).uniform_(-eps, eps)
    delta = (torch.clamp(x + delta, 0, 1) - x).detach()
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y)  # mean CE
        g, = torch.autograd.grad(loss, delta)
        delta = delta.detach() + alpha * g.sign()
        delta = torch.clamp(delta, -eps, eps)
        delta = (torch.clamp(x + delta, 0, 1) - x).detach()
    return (x + delta).detach()

def augment(x):
    n = x.shape[0]
    xp = F.pad(x, (4, 4, 4, 4), mode='reflect')
    out = torch.empty_like(x)
    ij = torch.randint(0, 9, (n, 2))
    flip = torch.rand(n) < 0.5
    for k in range(n):
        i, j = int(ij[k, 0]), int(ij[k, 1])
        c = xp[k, :, i:i + 32, j:j + 32]
        out[k] = torch.flip(c, dims=[2]) if flip[k] else c
    return out

def evaluate(model, x, y, eps, alpha, steps, bs=100):
    model.eval()
    clean = adv = 0
    for s in range(0, x.shape[0], bs):
        xb, yb = x[s:s + bs], y[s:s + bs]
        with torch.no_grad():
            clean += (model(xb).argmax(1) == yb).sum().item()
        xa = pgd(model, xb, yb, eps, alpha, steps)
        with torch.no_grad():
            adv += (model(xa).argmax(1) == yb).sum().item()
    return clean / x.shape[0], adv / x.shape[0]

def run(cfg):
    attack_mode = {'A': 'train', 'B': 'eval', 'C': 'train', 'D': 'eval'}[cfg]
    epochs = {'A': 4, 'B': 4, 'C': 8, 'D': 8}[cfg]
    torch.manual_seed(0); np.random.seed(0)
    xtr, ytr = load('/tmp/shapes/train.bin', 2000)
    xte, yte = load('/tmp/shapes/test.bin')
    model = SmallCnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    eps, alpha, steps, bs = 8 / 255, 2 / 255, 10, 64
    print(f"config {cfg}: attack BN mode={attack_mode}, epochs={epochs}, seed 0, "
          f"ntrain={len(ytr)} (label counts {torch.bincount(ytr).tolist()}), ntest={len(yte)}", flush=True)
    t0 = time.time()
    for ep in range(1, epochs + 1):
        perm = torch.randperm(xtr.shape[0])
        tot_loss = 0.0; correct = 0; n = 0
        te = time.time()
        for s in range(0, xtr.shape[0], bs):
            idx = perm[s:s + bs]
            xb, yb = augment(xtr[idx]), ytr[idx]
            if attack_mode == 'train':
                model.train()
            else:
                model.eval()
            xa = pgd(model, xb, yb, eps, alpha, steps)
            model.train()
            out = model(xa)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tot_loss += loss.item() * yb.shape[0]
            correct += (out.argmax(1) == yb).sum().item()
            n += yb.shape[0]
        print(f"  [{cfg}] epoch {ep}: train adv loss {tot_loss / n:.4f}  train adv acc {correct / n:.4f}  "
              f"({time.time() - te:.1f}s)", flush=True)
    finish(cfg, model, xte, yte, eps, alpha, steps, t0)

def finish(cfg, model, xte, yte, eps, alpha, steps, t0):
    """Prints a run's test accuracies (clean, PGD-10) and its wall time; shared with awp_stall_check.py."""
    clean, adv = evaluate(model, xte, yte, eps, alpha, steps)
    wall = time.time() - t0
    print(f"  [{cfg}] test clean acc {clean:.4f}  test PGD-10 acc {adv:.4f}  (eval mode, eps 8/255, step 2/255, random start)", flush=True)
    print(f"  [{cfg}] wall time {wall:.1f}s", flush=True)

if __name__ == '__main__':
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, ln(10)={math.log(10):.4f}", flush=True)
    for cfg in (sys.argv[1:] or ['A', 'B', 'C', 'D']):
        run(cfg)
