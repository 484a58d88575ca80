#!/usr/bin/python3
"""Reference fixtures for the awp-djl tests, computed independently with PyTorch in float64.

What it writes (into ../resources/fixtures/, relative to this file):

  losses.json
      Six cases of (clean logits, adversarial logits, labels), B = 8, C = 10 (one case C = 3),
      with logit scales up to +-30 (probabilities near 0 and near 1), a case where the true class
      is the most probable adversarial class for every row (MART's second-best branch) and a case
      where the adversarial logits equal the clean ones (KL = 0). For each case: mean and
      per-example cross-entropy of the adversarial logits; TRADES (beta = 6) components and total;
      MART (beta = 6) components and total, written exactly as the MART reference code does; the
      CW margin loss for kappa = 0 and kappa = 10; gradients of the TRADES and MART totals with
      respect to both the clean and the adversarial logits (and of the mean CE w.r.t. its logits).

  spec_example.json
      The worked example of docs/awp-spec.md section 9 (3-4-3 MLP, gamma = 0.01): v by the closed
      form and by the reference route (proxy copy, one plain SGD step on the negated loss, scaled
      weight difference, as AdvWeightPerturb in the AWP reference code), L(w), L(w+v), and one
      SGD step (lr 0.1, momentum 0.9, weight decay 5e-4) in the reference order (step at w+v,
      then restore) and in the SAM order (restore, then step). The script fails if its numbers do
      not match the ones printed in the spec to the printed precision.

  conv_bn_step.json
      One AT-AWP step on conv3x3(3->4, pad 1, no bias) -> BatchNorm2d(4) -> ReLU -> global average
      pool -> Linear(4->3), float64, with a fixed x_adv (no attack randomness): v computed on a
      proxy copy in train mode (the model's running statistics are unchanged by it), perturb,
      train-mode forward at w+v (updates running statistics once), CE backward, SGD step on all
      parameters, restore.

  sgd_rate_change.json
      torch.optim.SGD (momentum 0.9, weight decay 5e-4) in float32 on two tensors for four steps
      with given gradients, at rates 0.1, 0.1, 0.01, 0.01: the rule awp's SGD must follow across a
      change of the rate; plus DJL's native rule on the same steps, which diverges at the drop.

Conventions of the JSON files: a tensor is {"shape": [...], "dtype": "float64" | "int64",
"data": nested lists}; a scalar is a plain number. Floats are written with Python's repr (shortest
round-trip form), so float64 values are exact. All logits and inputs are rounded to values that
are exactly representable in float32, so a float32 test sees only its own rounding error.
Weight layouts are PyTorch's, which are also DJL's: conv weight OIHW, linear weight (out, in).

CW margin sign convention: cw_margin = sum_i min(max_{j != y_i} z_ij - z_iy_i, kappa), the quantity
an attack ascends (it grows as the example becomes misclassified and saturates at kappa). This is
minus the Carlini-Wagner f6 loss max(z_y - max_{j != y} z_j, -kappa), and equals the CW loss of the
TRADES/MART evaluation code, -sum_i max(z_y - max_{j != y} z_j + kappa, 0), plus B * kappa (same
gradient); the script checks that identity.

How to re-run (Debian's python3 has PyTorch 1.13; no GPU, no network needed):

    /usr/bin/python3 awp-djl/src/test/python/make_fixtures.py

Everything is seeded (torch.Generator per item), so re-running rewrites identical files with the
same PyTorch version. The Java tests only read the JSON files; they never run Python.
"""

import copy
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures")
BETA = 6.0
KAPPAS = (0.0, 10.0)


# ----------------------------------------------------------------------------------------------
# JSON helpers


def tensor(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int64", "data": t.to(torch.int64).tolist()}
    return {"shape": list(t.shape), "dtype": "float64", "data": t.to(torch.float64).tolist()}


def scalar(t):
    return float(t.detach()) if torch.is_tensor(t) else float(t)


def f32_exact(t):
    """Rounds to the nearest float32 and back, so that the value is exact in both dtypes."""
    return t.float().double()


def write(name, payload):
    path = os.path.normpath(os.path.join(OUT_DIR, name))
    with open(path, "w") as f:
        json.dump(payload, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


def check(condition, message):
    if not condition:
        sys.exit("FIXTURE CHECK FAILED: " + message)


# ----------------------------------------------------------------------------------------------
# 1. Losses


def trades_reference(clean, adv, y, beta):
    """TRADES as in the reference code (Zhang et al. 2019), with batch size B."""
    batch_size = clean.shape[0]
    loss_natural = F.cross_entropy(clean, y)
    criterion_kl = nn.KLDivLoss(reduction="sum")
    loss_robust = (1.0 / batch_size) * criterion_kl(
        F.log_softmax(adv, dim=1), F.softmax(clean, dim=1)
    )
    return loss_natural, loss_robust, loss_natural + beta * loss_robust


def mart_reference(clean, adv, y, beta):
    """MART as in the reference code (Wang et al. 2020), line for line."""
    batch_size = clean.shape[0]
    kl = nn.KLDivLoss(reduction="none")
    adv_probs = F.softmax(adv, dim=1)
    tmp1 = torch.argsort(adv_probs, dim=1)[:, -2:]
    new_y = torch.where(tmp1[:, -1] == y, tmp1[:, -2], tmp1[:, -1])
    loss_adv = F.cross_entropy(adv, y) + F.nll_loss(torch.log(1.0001 - adv_probs + 1e-12), new_y)
    nat_probs = F.softmax(clean, dim=1)
    true_probs = torch.gather(nat_probs, 1, (y.unsqueeze(1)).long()).squeeze()
    loss_robust = (1.0 / batch_size) * torch.sum(
        torch.sum(kl(torch.log(adv_probs + 1e-12), nat_probs), dim=1) * (1.0000001 - true_probs)
    )
    return new_y, loss_adv, loss_robust, loss_adv + float(beta) * loss_robust


def cw_margin(z, y, kappa):
    """sum_i min(max_{j != y} z_j - z_y, kappa): the quantity the CW attack ascends."""
    true_logit = z.gather(1, y.unsqueeze(1)).squeeze(1)
    mask = F.one_hot(y, z.shape[1]).bool()
    other = z.masked_fill(mask, float("-inf")).max(dim=1).values
    return torch.clamp(other - true_logit, max=kappa).sum()


def cw_loss_eval_code(z, y, kappa):
    """The CW loss of the TRADES/MART evaluation code (cwloss), for the identity check."""
    onehot = F.one_hot(y, z.shape[1]).to(z.dtype)
    real = (onehot * z).sum(1)
    other = ((1.0 - onehot) * z - onehot * 10000.0).max(1)[0]
    return torch.sum(-torch.clamp(real - other + kappa, min=0.0))


def grads(fn, clean, adv):
    c = clean.clone().requires_grad_(True)
    a = adv.clone().requires_grad_(True)
    loss = fn(c, a)
    gc, ga = torch.autograd.grad(loss, (c, a), allow_unused=True)
    return (torch.zeros_like(clean) if gc is None else gc), ga


def loss_case(name, description, clean, adv, y):
    clean, adv = f32_exact(clean), f32_exact(adv)
    b, c = clean.shape

    # No near-ties among the two largest adversarial logits (and the third): MART's argsort-based
    # wrong class must be the same in float32 and float64.
    top3 = torch.topk(adv, 3, dim=1).values
    check(
        bool(((top3[:, 0] - top3[:, 1]) > 1e-3).all() and ((top3[:, 1] - top3[:, 2]) > 1e-3).all()),
        name + ": adversarial logits have near-ties among the top three",
    )

    ce = F.cross_entropy(adv, y)
    ce_per_example = F.cross_entropy(adv, y, reduction="none")
    _, ce_grad = grads(lambda cl, ad: F.cross_entropy(ad, y), clean, adv)

    t_ce, t_kl, t_total = trades_reference(clean, adv, y, BETA)
    # independent form of the KL term
    logp, logq = F.log_softmax(clean, 1), F.log_softmax(adv, 1)
    kl_explicit = (logp.exp() * (logp - logq)).sum() / b
    check(abs(scalar(kl_explicit) - scalar(t_kl)) <= 1e-13 * max(1.0, abs(scalar(t_kl))),
          name + ": KL explicit form")
    t_gc, t_ga = grads(lambda cl, ad: trades_reference(cl, ad, y, BETA)[2], clean, adv)
    # gradients flow through both branches
    check(float(t_gc.abs().max()) > 0 and (float(t_ga.abs().max()) > 0 or name == "adv_equals_clean"),
          name + ": TRADES gradients")

    new_y, m_adv, m_robust, m_total = mart_reference(clean, adv, y, BETA)
    masked = adv.masked_fill(F.one_hot(y, c).bool(), float("-inf"))
    check(bool((masked.argmax(1) == new_y).all()), name + ": MART wrong class is argmax_{j!=y} q_j")
    m_gc, m_ga = grads(lambda cl, ad: mart_reference(cl, ad, y, BETA)[3], clean, adv)

    cw = []
    for kappa in KAPPAS:
        value = cw_margin(adv, y, kappa)
        check(abs(scalar(value) - (scalar(cw_loss_eval_code(adv, y, kappa)) + b * kappa)) < 1e-9,
              name + ": CW identity with the evaluation code's cwloss")
        cw.append({"kappa": kappa, "value": scalar(value)})

    return {
        "name": name,
        "description": description,
        "batch_size": b,
        "num_classes": c,
        "clean_logits": tensor(clean),
        "adv_logits": tensor(adv),
        "labels": tensor(y),
        "cross_entropy_adv": scalar(ce),
        "cross_entropy_adv_per_example": tensor(ce_per_example),
        "cross_entropy_adv_grad": tensor(ce_grad),
        "trades": {
            "beta": BETA,
            "cross_entropy_clean": scalar(t_ce),
            "kl": scalar(t_kl),
            "total": scalar(t_total),
            "grad_clean_logits": tensor(t_gc),
            "grad_adv_logits": tensor(t_ga),
        },
        "mart": {
            "beta": BETA,
            "wrong_class": tensor(new_y),
            "boosted_cross_entropy": scalar(m_adv),
            "weighted_kl": scalar(m_robust),
            "total": scalar(m_total),
            "grad_clean_logits": tensor(m_gc),
            "grad_adv_logits": tensor(m_ga),
        },
        "cw_margin": cw,
    }


def make_losses():
    cases = []

    g = torch.Generator().manual_seed(1001)
    clean = 2.0 * torch.randn(8, 10, generator=g)
    adv = clean + 1.5 * torch.randn(8, 10, generator=g)
    y = torch.randint(0, 10, (8,), generator=g)
    cases.append(loss_case("moderate", "randn logits of scale 2, adversarial = clean + 1.5 randn",
                           clean, adv, y))

    g = torch.Generator().manual_seed(1002)
    clean = torch.empty(8, 10).uniform_(-30, 30, generator=g)
    adv = torch.empty(8, 10).uniform_(-30, 30, generator=g)
    y = torch.randint(0, 10, (8,), generator=g)
    cases.append(loss_case("large_scale", "uniform logits in [-30, 30]: probabilities near 0 and 1",
                           clean, adv, y))

    g = torch.Generator().manual_seed(1003)
    y = torch.randint(0, 10, (8,), generator=g)
    wrong = (y + torch.randint(1, 10, (8,), generator=g)) % 10
    clean = torch.empty(8, 10).uniform_(-30, -20, generator=g)
    adv = torch.empty(8, 10).uniform_(-30, -20, generator=g)
    rows = torch.arange(8)
    # clean: rows 0-5 confidently right (p_y ~ 1, MART weight ~ 1e-7), rows 6-7 confidently wrong
    clean[rows[:6], y[:6]] = torch.empty(6).uniform_(25, 30, generator=g)
    clean[rows[6:], wrong[6:]] = torch.empty(2).uniform_(25, 30, generator=g)
    # adversarial: rows 0-3 confidently wrong, rows 4-7 still confidently right
    adv[rows[:4], wrong[:4]] = torch.empty(4).uniform_(25, 30, generator=g)
    adv[rows[4:], y[4:]] = torch.empty(4).uniform_(25, 30, generator=g)
    cases.append(loss_case("saturated", "one logit in [25, 30], the others in [-30, -20]: "
                           "probabilities down to 1e-26 and, in float32, exactly 1; clean p_y ~ 1 "
                           "(MART weight ~1e-7) on rows 0-5", clean, adv, y))

    g = torch.Generator().manual_seed(1004)
    y = torch.randint(0, 10, (8,), generator=g)
    clean = 3.0 * torch.randn(8, 10, generator=g)
    adv = 3.0 * torch.randn(8, 10, generator=g)
    adv[rows, y] = adv.max(dim=1).values + torch.empty(8).uniform_(0.5, 4.0, generator=g)
    cases.append(loss_case("true_class_top_adv", "the true class is the most probable adversarial "
                           "class on every row, so MART's wrong class is the second one",
                           clean, adv, y))

    g = torch.Generator().manual_seed(1005)
    clean = 4.0 * torch.randn(8, 3, generator=g)
    adv = clean + 3.0 * torch.randn(8, 3, generator=g)
    y = torch.randint(0, 3, (8,), generator=g)
    cases.append(loss_case("three_classes", "C = 3", clean, adv, y))

    g = torch.Generator().manual_seed(1006)
    clean = 5.0 * torch.randn(8, 10, generator=g)
    y = torch.randint(0, 10, (8,), generator=g)
    cases.append(loss_case("adv_equals_clean", "identical clean and adversarial logits: the KL term "
                           "is 0 and its gradient w.r.t. the adversarial logits is 0",
                           clean, clean.clone(), y))

    # The cases must exercise both clamp sides of the CW margin and both MART branches.
    all_cases = [(c["adv_logits"], c["labels"]) for c in cases]
    margins = []
    for adv_t, y_t in all_cases:
        z = torch.tensor(adv_t["data"])
        yy = torch.tensor(y_t["data"])
        other = z.masked_fill(F.one_hot(yy, z.shape[1]).bool(), float("-inf")).max(1).values
        margins.append(other - z.gather(1, yy.unsqueeze(1)).squeeze(1))
    margins = torch.cat(margins)
    check(bool((margins > 10).any() and (margins < -10).any() and ((margins.abs() < 10).any())),
          "CW margins cover both sides of kappa = 10")

    write("losses.json", {
        "description": "Adversarial-training losses on fixed logits, float64 reference values "
                       "computed with PyTorch by make_fixtures.py (see its docstring). "
                       "Losses are means over the batch except cw_margin, which is a sum.",
        "torch_version": torch.__version__,
        "cw_margin_convention": "sum_i min(max_{j != y_i} z_ij - z_iy_i, kappa): the quantity the "
                                "attack ascends; = -(CW f6 loss) summed over the batch",
        "cases": cases,
    })


# ----------------------------------------------------------------------------------------------
# 2. The worked example of the spec (section 9)

GAMMA = 0.01
PROXY_LR = 0.01
LR, MOMENTUM, WEIGHT_DECAY = 0.1, 0.9, 5e-4
EPS = 1e-20


def perturbed_names(model):
    """The reference's rule: rank >= 2 tensors whose name contains 'weight'."""
    return [k for k, w in model.state_dict().items() if w.dim() > 1 and "weight" in k]


def v_reference_route(model, loss_fn, gamma):
    """AdvWeightPerturb.calc_awp + diff_in_weights, scaled by gamma as in perturb()."""
    proxy = copy.deepcopy(model)
    proxy_opt = torch.optim.SGD(proxy.parameters(), lr=PROXY_LR)
    proxy.load_state_dict(model.state_dict())
    proxy.train()
    loss = -loss_fn(proxy)
    proxy_opt.zero_grad()
    loss.backward()
    proxy_opt.step()
    old, new = model.state_dict(), proxy.state_dict()
    v = {}
    for k in perturbed_names(model):
        diff = new[k] - old[k]
        v[k] = gamma * (old[k].norm() / (diff.norm() + EPS) * diff)
    return v, -scalar(loss)


def v_closed_form(model, loss_fn, gamma):
    """v_l = gamma ||w_l|| g_l / (||g_l|| + 1e-20), g the gradient at w (on a proxy copy)."""
    proxy = copy.deepcopy(model)
    proxy.train()
    loss = loss_fn(proxy)
    params = dict(proxy.named_parameters())
    names = perturbed_names(model)
    gs = torch.autograd.grad(loss, [params[k] for k in names])
    v = {}
    grad_norms = {}
    for k, g in zip(names, gs):
        w = model.state_dict()[k]
        v[k] = gamma * w.norm() * g / (g.norm() + EPS)
        grad_norms[k] = g.norm()
    return v, scalar(loss), grad_norms


def add_into(model, v, coeff):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in v:
                p.add_(coeff * v[name])


def awp_update(model, v, loss_fn, sam_order):
    """Perturb, train-mode loss at w+v, backward, SGD step before (reference) or after (SAM)
    restoring. Returns L(w+v)."""
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    add_into(model, v, 1.0)
    model.train()
    loss = loss_fn(model)
    opt.zero_grad()
    loss.backward()
    if sam_order:
        add_into(model, v, -1.0)
        opt.step()
    else:
        opt.step()
        add_into(model, v, -1.0)
    return scalar(loss)


SPEC = {
    "L_w": (1.0829103184, 10),
    "L_w_plus_v": (1.0849593976, 10),
    "vW1": ([[-0.001020472, -0.000134163, -0.001290833], [0.000443118, -0.001644893, 0.001672784],
             [0.002188099, -0.005844385, -0.000736119], [-0.005035472, 0.004190037, 0.000418656]], 9),
    "vW2": ([[-0.000151565, 0.004882821, 0.000505932, 0.000221996],
             [0.003395994, 0.000495369, -0.003174007, -0.000942515],
             [-0.003244429, -0.005378190, 0.002668075, 0.000720520]], 9),
    "W1_new": ([[0.201258765, -0.099792014, 0.401618505], [0.299300750, 0.502112094, -0.202021482],
                [-0.402776539, 0.107473905, 0.300932514], [0.106503245, 0.194570315, 0.099437494]],
               9),
    "W2_new": ([[0.300124883, -0.204558435, 0.099537748, 0.399768133],
                [-0.103169216, 0.199518372, 0.502893279, -0.298983701],
                [0.203024332, 0.105035063, -0.402441026, 0.199200568]], 9),
    "b2_new": ([-0.008045867, 0.087544422, -0.079498554], 9),
}


def check_printed(label, computed, printed, decimals):
    computed = torch.as_tensor(computed, dtype=torch.float64)
    printed = torch.as_tensor(printed, dtype=torch.float64)
    # printed values are rounded to `decimals` places: allow half a unit of the last place
    worst = float((computed - printed).abs().max())
    bound = 0.5 * 10.0 ** (-decimals) + 1e-15
    check(worst <= bound, "spec example %s: computed %s, spec prints %s (|diff| %.3g > %.3g)"
          % (label, computed.tolist(), printed.tolist(), worst, bound))
    print("  spec %-11s reproduced (max |diff| %.2e, printed to %d decimals)" % (label, worst,
                                                                                 decimals))


def make_spec_example():
    x = torch.tensor([[0.1, 0.2, 0.3], [0.5, -0.4, 0.2], [-0.3, 0.8, 0.1], [0.9, 0.1, -0.6]])
    y = torch.tensor([0, 2, 1, 2])
    W1 = torch.tensor([[0.2, -0.1, 0.4], [0.3, 0.5, -0.2], [-0.4, 0.1, 0.3], [0.1, 0.2, 0.1]])
    b1 = torch.tensor([0.01, -0.02, 0.03, 0.0])
    W2 = torch.tensor([[0.3, -0.2, 0.1, 0.4], [-0.1, 0.2, 0.5, -0.3], [0.2, 0.1, -0.4, 0.2]])
    b2 = torch.tensor([0.0, 0.1, -0.1])

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3))
    with torch.no_grad():
        model[0].weight.copy_(W1)
        model[0].bias.copy_(b1)
        model[2].weight.copy_(W2)
        model[2].bias.copy_(b2)
    names = {"0.weight": "W1", "0.bias": "b1", "2.weight": "W2", "2.bias": "b2"}
    loss_fn = lambda m: F.cross_entropy(m(x), y)  # noqa: E731
    check(perturbed_names(model) == ["0.weight", "2.weight"], "perturbed set of the MLP")

    v_ref, loss_w_ref = v_reference_route(model, loss_fn, GAMMA)
    v, loss_w, grad_norms = v_closed_form(model, loss_fn, GAMMA)
    route_diff = max(float((v[k] - v_ref[k]).abs().max()) for k in v)
    route_rel = max(float((v[k] - v_ref[k]).norm() / v[k].norm()) for k in v)
    check(route_rel < 1e-12, "closed form vs reference route: relative diff %.3g" % route_rel)
    check(loss_w == loss_w_ref, "L(w) of the two routes")
    for k in v:
        ratio = float(v[k].norm() / model.state_dict()[k].norm())
        check(abs(ratio - GAMMA) < 1e-15, "||v||/||w|| = gamma for " + k)
    first_order = GAMMA * sum(float(model.state_dict()[k].norm() * grad_norms[k]) for k in v)

    ref_model = copy.deepcopy(model)
    loss_wv = awp_update(ref_model, v, loss_fn, sam_order=False)
    sam_model = copy.deepcopy(model)
    loss_wv_sam = awp_update(sam_model, v, loss_fn, sam_order=True)
    check(loss_wv == loss_wv_sam, "L(w+v) is the same in both orders")
    # the same update with the reference route's v
    ref_model2 = copy.deepcopy(model)
    awp_update(ref_model2, v_ref, loss_fn, sam_order=False)
    upd_route = max(float((a - b).abs().max()) for a, b in
                    zip(ref_model.state_dict().values(), ref_model2.state_dict().values()))
    check(upd_route < 1e-15, "update with either v: max diff %.3g" % upd_route)

    ref_sd, sam_sd = ref_model.state_dict(), sam_model.state_dict()
    for k in v:  # reference - SAM = -lr * wd * v exactly (first step, no momentum history)
        d = ref_sd[k] - sam_sd[k] + LR * WEIGHT_DECAY * v[k]
        # exact in real arithmetic; float64 rounding of w + v - v etc. leaves a few ulps of w
        check(float(d.abs().max()) < 1e-15, "SAM difference is lr*wd*v for %s: off by %.3g"
              % (k, float(d.abs().max())))
        check(float((LR * WEIGHT_DECAY * v[k]).abs().max()) <= 3e-7, "lr*wd*|v| <= 3e-7")
    for k in ("0.bias", "2.bias"):
        check(torch.equal(ref_sd[k], sam_sd[k]), "biases agree in both orders")

    print("spec example: L(w) = %r, L(w+v) = %r" % (loss_w, loss_wv))
    print("  closed form vs reference route: max |dv| = %.3g, max relative = %.3g"
          % (route_diff, route_rel))
    check_printed("L(w)", loss_w, *SPEC["L_w"])
    check_printed("L(w+v)", loss_wv, *SPEC["L_w_plus_v"])
    check_printed("vW1", v["0.weight"], *SPEC["vW1"])
    check_printed("vW2", v["2.weight"], *SPEC["vW2"])
    check_printed("W1_new", ref_sd["0.weight"], *SPEC["W1_new"])
    check_printed("W2_new", ref_sd["2.weight"], *SPEC["W2_new"])
    check_printed("b2_new", ref_sd["2.bias"], *SPEC["b2_new"])

    def params(sd):
        return {names[k]: tensor(t) for k, t in sd.items()}

    write("spec_example.json", {
        "description": "docs/awp-spec.md section 9: h = relu(x W1^T + b1), z = h W2^T + b2, mean "
                       "CE, gamma = 0.01, perturbed tensors W1 and W2. float64, computed by "
                       "make_fixtures.py and checked against the spec's printed values. The "
                       "updates use the closed-form v (the reference route's v gives the same "
                       "parameters to < 1e-15).",
        "torch_version": torch.__version__,
        "gamma": GAMMA,
        "proxy_lr": PROXY_LR,
        "optimizer": {"lr": LR, "momentum": MOMENTUM, "weight_decay": WEIGHT_DECAY},
        "x": tensor(x),
        "y": tensor(y),
        "params": params(model.state_dict()),
        "loss_w": loss_w,
        "loss_w_plus_v": loss_wv,
        "first_order_increase": first_order,
        "v": {"W1": tensor(v["0.weight"]), "W2": tensor(v["2.weight"])},
        "v_reference_route": {"W1": tensor(v_ref["0.weight"]), "W2": tensor(v_ref["2.weight"])},
        "v_routes_max_abs_diff": route_diff,
        "updated_reference_order": params(ref_sd),
        "updated_sam_order": params(sam_sd),
    })


# ----------------------------------------------------------------------------------------------
# 3. One AT-AWP step on a conv net with BatchNorm


class ConvBnNet(nn.Module):
    def __init__(self, eps=1e-5, momentum=0.1):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4, eps=eps, momentum=momentum)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        return self.fc(h.mean(dim=(2, 3)))


def conv_bn_model(g, **batchnorm):
    """A ConvBnNet with seeded, float32-exact parameters and running statistics (drawn from g)."""
    model = ConvBnNet(**batchnorm)
    with torch.no_grad():
        model.conv.weight.copy_(f32_exact(0.3 * torch.randn(4, 3, 3, 3, generator=g)))
        model.bn.weight.copy_(f32_exact(1.0 + 0.2 * torch.randn(4, generator=g)))
        model.bn.bias.copy_(f32_exact(0.1 * torch.randn(4, generator=g)))
        # non-trivial running statistics, so that "unchanged" and "updated once" are visible
        model.bn.running_mean.copy_(f32_exact(0.1 * torch.randn(4, generator=g)))
        model.bn.running_var.copy_(f32_exact(torch.empty(4).uniform_(0.5, 1.5, generator=g)))
        model.fc.weight.copy_(f32_exact(0.5 * torch.randn(3, 4, generator=g)))
        model.fc.bias.copy_(f32_exact(0.1 * torch.randn(3, generator=g)))
    return model


def conv_bn_initial():
    g = torch.Generator().manual_seed(3001)
    torch.manual_seed(3002)  # nn init (only used as a starting point; values are overwritten)
    model = conv_bn_model(g)
    x = f32_exact(torch.rand(4, 3, 6, 6, generator=g))
    y = torch.randint(0, 3, (4,), generator=g)
    x_adv = f32_exact(torch.clamp(x + 0.03 * torch.sign(torch.randn(4, 3, 6, 6, generator=g)),
                                  0.0, 1.0))
    return model, x, y, x_adv


def conv_bn_step(bn_momentum):
    model, x, y, x_adv = conv_bn_initial()
    model.bn.momentum = bn_momentum
    initial = copy.deepcopy(model.state_dict())
    loss_fn = lambda m: F.cross_entropy(m(x_adv), y)  # noqa: E731
    check(perturbed_names(model) == ["conv.weight", "fc.weight"], "perturbed set of the conv net")

    v, loss_w = v_reference_route(model, loss_fn, GAMMA)
    v_cf, loss_w_cf, grad_norms = v_closed_form(model, loss_fn, GAMMA)
    route_rel = max(float((v[k] - v_cf[k]).norm() / v_cf[k].norm()) for k in v)
    check(route_rel < 1e-12, "conv net: closed form vs reference route %.3g" % route_rel)
    for k, t in model.state_dict().items():
        check(torch.equal(t, initial[k]), "computing v left %s unchanged" % k)

    loss_wv = awp_update(model, v_cf, loss_fn, sam_order=False)
    after = model.state_dict()
    check(not torch.equal(after["bn.running_mean"], initial["bn.running_mean"]),
          "running mean updated by the training forward")
    first_order = GAMMA * sum(float(initial[k].norm() * grad_norms[k]) for k in v)
    return model, x, y, x_adv, initial, v_cf, v, loss_w, loss_wv, first_order, after, route_rel


def make_conv_bn():
    (model, x, y, x_adv, initial, v, v_ref, loss_w, loss_wv, first_order, after,
     route_rel) = conv_bn_step(0.1)
    # DJL's BatchNorm takes momentum 0.9f for the running average and passes 1f - 0.9f (a float,
    # 0.10000002384185791) to PyTorch: the running statistics it produces differ from torch's 0.1
    # by ~1e-9. Everything else is independent of the BN momentum in train mode.
    djl_momentum = float(torch.tensor(1.0, dtype=torch.float32) - torch.tensor(0.9,
                                                                               dtype=torch.float32))
    djl = conv_bn_step(djl_momentum)
    for k in ("conv.weight", "bn.weight", "bn.bias", "fc.weight", "fc.bias"):
        check(torch.equal(after[k], djl[10][k]), "BN momentum does not change " + k)
    print("conv-BN step: L(w) = %r, L(w+v) = %r, first order %r, routes rel. diff %.3g"
          % (loss_w, loss_wv, loss_w + first_order, route_rel))

    def params(sd):
        return {
            "conv_weight": tensor(sd["conv.weight"]),
            "bn_gamma": tensor(sd["bn.weight"]),
            "bn_beta": tensor(sd["bn.bias"]),
            "bn_running_mean": tensor(sd["bn.running_mean"]),
            "bn_running_var": tensor(sd["bn.running_var"]),
            "fc_weight": tensor(sd["fc.weight"]),
            "fc_bias": tensor(sd["fc.bias"]),
        }

    write("conv_bn_step.json", {
        "description": "One AT-AWP step (reference order) on conv3x3(3->4, pad 1, no bias) -> "
                       "BatchNorm2d(4, eps 1e-5, momentum 0.1) -> ReLU -> global average pool -> "
                       "Linear(4->3), float64, mean CE on the fixed x_adv. v is computed on a "
                       "proxy copy in train mode (batch statistics; the model's running "
                       "statistics are unchanged), then perturb, train-mode forward at w+v "
                       "(updates the running statistics once: running = 0.9 running + 0.1 batch, "
                       "unbiased batch variance), CE backward, SGD on all parameters, restore. "
                       "Written by make_fixtures.py.",
        "torch_version": torch.__version__,
        "gamma": GAMMA,
        "proxy_lr": PROXY_LR,
        "optimizer": {"lr": LR, "momentum": MOMENTUM, "weight_decay": WEIGHT_DECAY},
        "batchnorm": {"eps": 1e-5, "torch_momentum": 0.1, "djl_momentum": 0.9},
        "layouts": "conv_weight OIHW, fc_weight (out, in): the same in PyTorch and DJL",
        "x": tensor(x),
        "y": tensor(y),
        "x_adv": tensor(x_adv),
        "initial": params(initial),
        "loss_w": loss_w,
        "loss_w_plus_v": loss_wv,
        "first_order_increase": first_order,
        "v": {"conv_weight": tensor(v["conv.weight"]), "fc_weight": tensor(v["fc.weight"])},
        "v_reference_route": {"conv_weight": tensor(v_ref["conv.weight"]),
                              "fc_weight": tensor(v_ref["fc.weight"])},
        "after": params(after),
        "after_running_stats_with_djl_momentum": {
            "note": "running statistics after the step when PyTorch is given DJL's "
                    "1f - 0.9f = %r instead of 0.1 (all other values are unchanged)"
                    % djl_momentum,
            "bn_running_mean": tensor(djl[10]["bn.running_mean"]),
            "bn_running_var": tensor(djl[10]["bn.running_var"]),
        },
    })


# ----------------------------------------------------------------------------------------------
# 4. SGD across a change of the learning rate (torch.optim.SGD, float32)

SGD_RATES = (0.1, 0.1, 0.01, 0.01)


def make_sgd_rate_change():
    """torch.optim.SGD (momentum 0.9, weight decay 5e-4, dampening 0, no Nesterov) on two float32
    tensors for four steps at the rates SGD_RATES (two at 0.1, then a x0.1 drop), with fixed
    gradients given per step (the rule is under test, not a model). Also written: the same steps
    under DJL's native rule (v <- mu v + lr (g + wd w), w <- w - v), computed here in float64, to
    show how far apart the two rules are after the drop."""
    g = torch.Generator().manual_seed(2104)
    shapes = {"conv_weight": (4, 3, 3, 3), "fc_weight": (3, 4)}
    initial = {k: f32_exact(torch.randn(*s, generator=g)) for k, s in shapes.items()}
    grads = [{k: f32_exact(0.5 * torch.randn(*s, generator=g)) for k, s in shapes.items()}
             for _ in SGD_RATES]
    params = {k: v.float().clone().requires_grad_(True) for k, v in initial.items()}
    opt = torch.optim.SGD(list(params.values()), lr=SGD_RATES[0], momentum=0.9,
                          weight_decay=5e-4)
    names = list(params)
    after_torch = []
    for step, rate in enumerate(SGD_RATES):
        opt.param_groups[0].update(lr=rate)
        for k in names:
            params[k].grad = grads[step][k].float().clone()
        opt.step()
        after_torch.append({k: tensor(params[k].double()) for k in names})
    # DJL's rule in float64, for the contrast
    w = {k: v.clone() for k, v in initial.items()}
    buf = {k: torch.zeros_like(v) for k, v in initial.items()}
    after_djl = []
    for step, rate in enumerate(SGD_RATES):
        for k in names:
            buf[k] = 0.9 * buf[k] + rate * (grads[step][k] + 5e-4 * w[k])
            w[k] = w[k] - buf[k]
        after_djl.append({k: tensor(w[k]) for k in names})
    # the update right after the drop, DJL's over PyTorch's, tensor by tensor
    ratios = {}
    for k in names:
        torch_update = torch.tensor(after_torch[2][k]["data"]) - torch.tensor(after_torch[1][k]["data"])
        djl_update = torch.tensor(after_djl[2][k]["data"]) - torch.tensor(after_djl[1][k]["data"])
        ratios[k] = float(djl_update.norm() / torch_update.norm())
    check(all(r > 2 for r in ratios.values()),
          "DJL's rule should differ clearly after the drop: %r" % ratios)
    write("sgd_rate_change.json", {
        "description": "torch.optim.SGD(momentum=0.9, weight_decay=5e-4) in float32, four steps "
                       "with the given gradients at the given rates (a x0.1 drop before the third "
                       "step); after_djl_rule is DJL's native sgdUpdate rule for contrast",
        "momentum": 0.9,
        "weight_decay": 5e-4,
        "rates": tensor(torch.tensor(SGD_RATES)),
        "initial": {k: tensor(v) for k, v in initial.items()},
        "gradients": [{k: tensor(v) for k, v in gr.items()} for gr in grads],
        "after": after_torch,
        "after_djl_rule": after_djl,
        "djl_over_torch_update_norm_after_drop": ratios,
    })


if __name__ == "__main__":
    os.makedirs(OUT_DIR, exist_ok=True)
    make_losses()
    make_spec_example()
    make_conv_bn()
    make_sgd_rate_change()
    print("all fixture checks passed")
