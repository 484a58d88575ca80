"""PyTorch probe of robust overfitting on the embedded Fashion-MNIST subset (not a reference).

Trains the lab's flat CNN (conv-relu-pool twice, 256 hidden units; --model cnn, width --hidden) or
an MLP with PGD-AT (optionally a one-step AWP with --gamma), evaluating PGD-20 robust accuracy on
training and test images every --every epochs. Used on 2026-11-30 to compare how fast the same
network fits in PyTorch and in awp; run with Debian's python3-torch:

    /usr/bin/python3 robust_overfitting_probe.py --model cnn --hidden 16 --train 500 --eps 0.1 \
        --epochs 40 --every 4

Differences from the lab: PyTorch's default initialization (biases too), a per-epoch learning
rate, a random training subset of the 10,000 embedded images, the first --test test images.
"""
import gzip, struct, sys, time, argparse, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
p = argparse.ArgumentParser()
p.add_argument('--model', default='mlp'); p.add_argument('--hidden', type=int, default=512)
p.add_argument('--train', type=int, default=500); p.add_argument('--test', type=int, default=1000)
p.add_argument('--eps', type=float, default=0.2); p.add_argument('--epochs', type=int, default=60)
p.add_argument('--lr', type=float, default=0.05); p.add_argument('--decay', type=float, default=0.5)
p.add_argument('--steps', type=int, default=10); p.add_argument('--every', type=int, default=5)
p.add_argument('--batch', type=int, default=32); p.add_argument('--seed', type=int, default=0)
p.add_argument('--gamma', type=float, default=0.0)
a = p.parse_args()
import os
D=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','resources','dev','awp','examples','fashion-mnist-subset','')
def idx(f):
    b=gzip.open(D+f).read(); n=struct.unpack('>I',b[4:8])[0]
    if b[3]==3: return np.frombuffer(b[16:],np.uint8).reshape(n,1,28,28).astype(np.float32)/255
    return np.frombuffer(b[8:],np.uint8).astype(np.int64)
Xtr,Ytr,Xte,Yte=[torch.tensor(idx(f)) for f in ['train-images-idx3-ubyte.gz','train-labels-idx1-ubyte.gz','t10k-images-idx3-ubyte.gz','t10k-labels-idx1-ubyte.gz']]
g=torch.Generator().manual_seed(a.seed); perm=torch.randperm(len(Xtr),generator=g)[:a.train]; Xtr,Ytr=Xtr[perm],Ytr[perm]
Xte,Yte=Xte[:a.test],Yte[:a.test]
torch.manual_seed(a.seed)
if a.model=='mlp':
    net=nn.Sequential(nn.Flatten(),nn.Linear(784,a.hidden),nn.ReLU(),nn.Linear(a.hidden,a.hidden),nn.ReLU(),nn.Linear(a.hidden,10))
else:
    w=a.hidden
    net=nn.Sequential(nn.Conv2d(1,w,3,padding=1),nn.ReLU(),nn.MaxPool2d(2),nn.Conv2d(w,2*w,3,padding=1),nn.ReLU(),nn.MaxPool2d(2),nn.Flatten(),nn.Linear(2*w*49,256),nn.ReLU(),nn.Linear(256,10))
def pgd(x,y,steps,eps,alpha,train_mode=False):
    was=net.training; net.eval()
    d=(torch.rand_like(x)*2-1)*eps; d=(x+d).clamp(0,1)-x
    for _ in range(steps):
        d.requires_grad_(True); l=F.cross_entropy(net(x+d),y); gr,=torch.autograd.grad(l,d)
        d=(d+alpha*gr.sign()).clamp(-eps,eps); d=((x+d).clamp(0,1)-x).detach()
    net.train(was); return (x+d).detach()
def acc(X,Y,adv):
    c=0
    for i in range(0,len(X),500):
        x,y=X[i:i+500],Y[i:i+500]
        if adv: x=pgd(x,y,20,a.eps,a.eps/8)
        with torch.no_grad(): c+=(net.eval()(x).argmax(1)==y).sum().item()
    net.train(); return c/len(X)
opt=torch.optim.SGD(net.parameters(),lr=a.lr,momentum=0.9,weight_decay=5e-4)
t0=time.time(); best=0; hist=[]
for ep in range(a.epochs):
    lr=a.lr*(1 if ep<a.decay*a.epochs else 0.1 if ep<(a.decay+ (1-a.decay)/2)*a.epochs else 0.01)
    for gparam in opt.param_groups: gparam['lr']=lr
    net.train(); pr=torch.randperm(a.train,generator=g); tl=0
    for i in range(0,a.train,a.batch):
        idb=pr[i:i+a.batch]; x,y=Xtr[idb],Ytr[idb]
        xa=pgd(x,y,a.steps,a.eps,a.eps/4)
        if a.gamma>0:
            ws=[p_ for p_ in net.parameters() if p_.dim()>1]
            saved=[p_.detach().clone() for p_ in ws]
            l=F.cross_entropy(net(xa),y); gr=torch.autograd.grad(l,ws)
            with torch.no_grad():
                for p_,g_ in zip(ws,gr): p_.add_(a.gamma*p_.norm()/(g_.norm()+1e-20)*g_)
        l=F.cross_entropy(net(xa),y); opt.zero_grad(); l.backward()
        if a.gamma>0:
            with torch.no_grad():
                for p_,s in zip(ws,saved): p_.copy_(s)
        opt.step(); tl+=l.item()*len(y)
    if (ep+1)%a.every==0 or ep==a.epochs-1:
        tr=acc(Xtr[:min(a.train,1000)],Ytr[:min(a.train,1000)],True); te=acc(Xte,Yte,True); cl=acc(Xte,Yte,False)
        best=max(best,te); hist.append(te)
        print(f"ep {ep+1} lr {lr:.4f} loss {tl/a.train:.3f} trainRob {tr:.3f} testRob {te:.3f} clean {cl:.3f} best {best:.3f} t {time.time()-t0:.0f}s",flush=True)
print(f"RESULT best {best:.3f} last {hist[-1]:.3f} drop {best-hist[-1]:.3f} time {time.time()-t0:.0f}s")
