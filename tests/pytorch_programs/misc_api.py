# Less common but plausible API: a small residual MLP built from nn.ModuleList, nn.Identity,
# nn.LeakyReLU, custom init (kaiming_normal_ fan_out, constant_), and the tensor helpers that
# Stack Overflow answers and course notebooks reach for. Deterministic inputs are printed so
# that the output can be compared with PyTorch line by line.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)

# --- tensor helpers on fixed values -------------------------------------------------
x = torch.arange(12).reshape(3, 4).float()
w = torch.tensor([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0], [-2.0, 0.25]])
print(x)
print(x.dtype, x.shape, x.T.shape)
print(x @ w)
print(torch.cat([x, x], dim=0).shape, torch.stack([x, x]).shape, torch.stack([x, x], dim=2).shape)
print(torch.where(x > 5, x, torch.zeros_like(x)))
print(torch.clamp(x - 5, min=-2, max=3))
mask = x % 3 == 0
print(mask)
print(x.masked_fill(mask, -1.0))
print(torch.softmax(x, dim=1))
print(F.softmax(x, dim=-1).sum(dim=1))
labels = torch.tensor([0, 2, 1, 2])
print(F.one_hot(labels, num_classes=3))
print(F.one_hot(labels))
print(x.std(), x.std(dim=0), x.var(unbiased=False))
print(x.norm(), x.norm(dim=1), torch.norm(x, p=1))
print(torch.exp(torch.tensor([0.0, 1.0])), torch.log(torch.tensor([1.0, 100.0])))
print(x.long(), x.long().dtype)
print((x > 4).float().mean())
print(x.max(), x.max(dim=1), x.min(dim=0).values)
print(torch.argmax(x), torch.argmax(x, dim=0))
print(x.sum(1, keepdim=True).shape, x.mean(dim=(0, 1)))
print(x[x > 8], x[:, [0, 2]], x[1:, ::2])
print(x.unsqueeze(0).squeeze().shape, x.flatten().shape, x.view(-1, 2).shape)
print(x.numel(), x.dim(), x.size(1), len(x))
print(x.tolist())
print(torch.allclose(x, x + 1e-9), torch.equal(x, x.clone()))
print(torch.tensor(3.5).item(), torch.tensor([1, 2, 3]).sum().item(), torch.tensor([True, False]).any())
print(x.abs().sqrt()[0], torch.sigmoid(torch.tensor([0.0])), torch.tanh(torch.tensor([0.0])))
print(torch.zeros(2, 3).fill_(7), torch.full((2, 2), 0.5), torch.eye(3))
print(x.repeat(1, 2).shape, x.expand(2, 3, 4).shape, x.chunk(2, dim=1)[0].shape, x.split(1)[0].shape)
print(torch.topk(torch.tensor([3.0, 1.0, 4.0, 1.0, 5.0]), 2))
print(torch.sort(torch.tensor([3.0, 1.0, 2.0]), descending=True))
print(torch.randperm(5).shape, torch.randint(0, 10, (3,)).dtype, torch.rand(2, 2).dtype)


# --- a model with ModuleList / Identity / LeakyReLU ---------------------------------
class ResidualMLP(nn.Module):
    def __init__(self, dim=16, depth=3, num_classes=3):
        super().__init__()
        self.inp = nn.Linear(4, dim)
        self.blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.acts = nn.ModuleList([nn.LeakyReLU(0.1) for _ in range(depth)])
        self.skip = nn.Identity()
        self.head = nn.Linear(dim, num_classes)
        self._init_weights()

    def _init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.inp(x)
        for block, act in zip(self.blocks, self.acts):
            x = self.skip(x) + act(block(x))
        return self.head(x)


model = ResidualMLP()
print(model)
print(len(model.blocks), type(model.blocks[0]).__name__)
print([name for name, _ in model.named_parameters()][:4])
print(model.inp.bias)
print(sum(p.numel() for p in model.parameters()))

# Data: three Gaussian blobs in 4-d
centers = torch.tensor([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]])
y = torch.randint(0, 3, (300,))
X = centers[y] + 0.5 * torch.randn(300, 4)

optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
for epoch in range(30):
    optimizer.zero_grad(set_to_none=True)
    logits = model(X)
    loss = F.cross_entropy(logits, y, label_smoothing=0.1)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    scheduler.step()
    if epoch % 10 == 9:
        acc = (logits.argmax(1) == y).float().mean().item()
        print(f"epoch {epoch+1} loss {loss.item():.4f} acc {acc:.3f} "
              f"lr {optimizer.param_groups[0]['lr']:.4f} last_lr {scheduler.get_last_lr()}")

print(model.head.weight.grad is None, optimizer.state_dict()['param_groups'][0]['lr'])
optimizer.zero_grad(set_to_none=True)
print(model.head.weight.grad)
with torch.no_grad():
    probs = torch.softmax(model(X[:4]), dim=1)
    print(probs.shape, torch.allclose(probs.sum(1), torch.ones(4)))
    log_p = torch.log(probs + 1e-9)
    entropy = -(probs * log_p).sum(dim=1)
    print(entropy.shape, entropy.dtype)
