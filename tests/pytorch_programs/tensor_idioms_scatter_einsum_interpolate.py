# Autograd and tensor-manipulation idioms from tutorials and Q&A answers: "Learning PyTorch
# with Examples"-style two-layer net with manual gradients descent, then indexing, scatter,
# gather, sorting, broadcasting, einsum, pad, interpolate, topk, unique.
# Synthetic tensors only (no data set needed); deterministic values printed for comparison.
import torch
import torch.nn.functional as F

torch.manual_seed(0)

# ----- a two-layer net trained by hand -----
dtype = torch.float
device = torch.device("cpu")
N, D_in, H, D_out = 64, 100, 50, 10
x = torch.randn(N, D_in, device=device, dtype=dtype)
y = torch.randn(N, D_out, device=device, dtype=dtype)
w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)
w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
first = None
for t in range(200):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        print(t, loss.item())
    if first is None:
        first = loss.item()
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
print("loss went down:", loss.item() < first)

# ----- broadcasting -----
a = torch.arange(6, dtype=torch.float32).view(2, -1)
print(a, a.shape)
col = torch.tensor([[10.0], [20.0]])
print(a + col)
print(a * torch.tensor([1.0, 0.0, -1.0]))
row = torch.tensor([1.0, 2.0, 3.0])
print(row.unsqueeze(0).repeat(3, 1))
print(row[:, None] - row[None, :])
print(row.unsqueeze(1).expand_as(torch.empty(3, 4)))
print(a.t().contiguous().view(-1))
print(a.t().is_contiguous(), a.t().contiguous().is_contiguous())

# ----- where / masks / fancy indexing -----
v = torch.tensor([3.0, -1.0, 4.0, -1.5, 5.0, -9.0])
print(torch.where(v > 0, v, torch.zeros_like(v)))
print(torch.where(v > 0))
mask = v < 0
print(mask, mask.dtype, v[mask], mask.sum().item())
v2 = v.clone()
v2[mask] = 0
print(v2)
idx = torch.LongTensor([5, 0, 0, 2])
print(v[idx], idx.dtype)
print(a[:, [2, 0]], a[[1, 0], [0, 2]])
print(torch.nonzero(v > 0).squeeze(), (v > 0).nonzero(as_tuple=True))

# ----- scatter / gather / index_fill -----
labels = torch.tensor([2, 0, 1])
one_hot = torch.zeros(3, 4).scatter_(1, labels.unsqueeze(1), 1.0)
print(one_hot)
print(torch.zeros(3, 5).scatter(1, torch.tensor([[0, 1], [2, 3], [4, 0]]), torch.ones(3, 2) * 7))
scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
print(torch.gather(scores, 1, torch.tensor([[1], [0]])))
print(scores.gather(1, torch.tensor([[2, 1], [0, 0]])))
m = torch.arange(12.).view(3, 4)
print(m.index_fill_(1, torch.tensor([0, 2]), -1.0))
print(m.index_select(0, torch.tensor([2, 0])))

# ----- sorting -----
s = torch.tensor([3.0, 1.0, 2.0, 5.0, 4.0])
print(torch.argsort(s), torch.argsort(s, descending=True))
vals, inds = torch.sort(s, descending=True)
print(vals, inds)
top = torch.topk(s, 3)
print(top.values, top.indices)
print(torch.topk(scores, 2, dim=1))

# ----- stack / cat / views -----
p, q = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])
print(torch.stack([p, q]), torch.stack([p, q], dim=1), torch.stack((p, q)).shape)
print(torch.cat((p, q)), torch.cat([p.view(1, 2), q.view(1, 2)], 0))
r = torch.arange(8)
print(r.view(2, -1), r.view(2, -1).size(), r.reshape(-1, 2).t())
print(r.view(2, 4)[:, 1:].contiguous().view(-1))

# ----- pad / interpolate -----
img = torch.arange(4.).view(1, 1, 2, 2)
print(F.pad(img, (1, 1, 1, 1)))
print(F.pad(img, (0, 1, 2, 0), mode="constant", value=-1.0).shape)
print(F.pad(img, (1, 1, 1, 1), mode="reflect"))
print(F.pad(img, (1, 1, 0, 0), mode="replicate"))
print(F.interpolate(img, scale_factor=2, mode="nearest"))
print(F.interpolate(img, size=(3, 3), mode="bilinear", align_corners=False))
print(F.interpolate(img, size=(3, 3), mode="bilinear", align_corners=True))

# ----- unique / bincount -----
u = torch.tensor([3, 1, 2, 3, 1, 3])
print(torch.unique(u))
print(torch.unique(u, return_counts=True))
print(torch.unique(u, return_inverse=True))
print(u.unique(sorted=True), torch.bincount(u), torch.bincount(u, minlength=6))

# ----- einsum -----
A = torch.arange(6.).view(2, 3)
B = torch.arange(12.).view(3, 4)
print(torch.einsum("ij,jk->ik", A, B))
print(torch.einsum("ij->ji", A), torch.einsum("ii->i", torch.eye(3) * 2), torch.einsum("ij->", A))
print(torch.einsum("bi,bi->b", A, A), torch.einsum("i,j->ij", p, q))

# ----- gradients through the manipulations -----
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = torch.stack([w, w * 2]).gather(1, torch.tensor([[0, 2], [1, 1]])).sum()
out.backward()
print(w.grad)
w.grad.zero_()
z = torch.zeros(2, 3).scatter(1, torch.tensor([[2], [0]]), w[[2, 0]].unsqueeze(1))
(z * torch.tensor([[1.0, 1.0, 10.0], [100.0, 1.0, 1.0]])).sum().backward()
print(w.grad)
w.grad = None
torch.where(w > 1.5, w * w, -w).sum().backward()
print(w.grad)
g = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
torch.einsum("ij,ij->", g, g).backward()
print(g.grad)
g.grad = None
F.interpolate(g.view(1, 1, 2, 2), scale_factor=2, mode="nearest").sum().backward()
print(g.grad)
g.grad = None
F.interpolate(g.view(1, 1, 2, 2), size=(3, 3), mode="bilinear", align_corners=True).sum().backward()
print(g.grad)
