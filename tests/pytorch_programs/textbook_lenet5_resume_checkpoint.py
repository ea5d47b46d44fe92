# Textbook-style LeNet-5 on 28x28 digits (the "Deep Learning with PyTorch" / Raschka
# "Machine Learning with PyTorch and Scikit-Learn" way): an nn.Module subclass with an
# _init_weights method walking self.modules(), SGD with momentum and weight decay,
# MultiStepLR, gradient clipping, per-class accuracy, a checkpoint dict saved and resumed.
# MNIST is read with a numpy gzip-IDX loader from $MNIST_DIR (torchvision's MNIST dataset
# downloads it): 1500 train / 500 test images; 3 epochs, then 1 more after resuming.
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

DATA_DIR = os.environ["MNIST_DIR"]
PATH = "lenet_checkpoint.pt"
torch.manual_seed(1)


def read_idx(name, count):
    with gzip.open(os.path.join(DATA_DIR, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4).copy()
    dims[0] = count
    return np.frombuffer(raw, dtype=np.uint8, count=int(np.prod(dims)),
                         offset=4 + 4 * ndim).reshape(dims).copy()


def mnist(train, count):
    prefix = "train" if train else "t10k"
    images = torch.tensor(read_idx(f"{prefix}-images-idx3-ubyte.gz", count), dtype=torch.float32)
    labels = torch.tensor(read_idx(f"{prefix}-labels-idx1-ubyte.gz", count), dtype=torch.long)
    images = (images / 255.0 - 0.1307) / 0.3081  # transforms.Normalize((0.1307,), (0.3081,))
    return TensorDataset(images.unsqueeze(1), labels)


train_loader = DataLoader(mnist(True, 1500), batch_size=64, shuffle=True)
test_loader = DataLoader(mnist(False, 500), batch_size=256)


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super(LeNet5, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)   # 28x28 -> 28x28
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)             # 14x14 -> 10x10
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        self._init_weights()

    def _init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight, nonlinearity='relu')
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight, a=0, mode='fan_in', nonlinearity='relu')
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), kernel_size=2)
        x = F.max_pool2d(F.relu(self.conv2(x)), kernel_size=2)
        x = torch.flatten(x, start_dim=1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


device = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')
model = LeNet5().to(device)
print(model)
num_params = sum(p.numel() for p in model.parameters())
num_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"Total parameters: {num_params:,} (trainable: {num_trainable:,})")
for name, p in model.named_parameters():
    print(f"{name:12s} {str(tuple(p.shape)):16s} {p.numel()}")
print("conv1 bias all zero:", bool((model.conv1.bias == 0).all()))
bound = np.sqrt(6 / 25)  # kaiming_uniform, relu gain sqrt(2), fan_in 25
print("conv1 weight within bound:", model.conv1.weight.abs().max().item() <= bound)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 3], gamma=0.1)


def train_one_epoch(epoch):
    model.train()
    total_loss, n = 0.0, 0
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total_loss += loss.item() * data.size(0)
        n += data.size(0)
    scheduler.step()
    print(f"Epoch {epoch}: loss {total_loss / n:.4f}, lr now {scheduler.get_last_lr()[0]:.4g}")
    return loss


def evaluate():
    model.eval()
    correct = torch.zeros(10)
    counts = torch.zeros(10)
    all_preds = []
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data.to(device))
            pred = output.argmax(dim=1, keepdim=True)
            hits = pred.eq(target.view_as(pred)).squeeze(1)
            for c in range(10):
                mask = target == c
                counts[c] += mask.sum()
                correct[c] += hits[mask].sum()
            all_preds.append(pred.squeeze(1))
    all_preds = torch.cat(all_preds)
    per_class = correct / counts
    print("per-class accuracy:", [f"{a:.2f}" for a in per_class.tolist()])
    print("predicted histogram:", torch.bincount(all_preds, minlength=10).tolist())
    acc = correct.sum() / counts.sum()
    print(f"Test accuracy: {100. * acc:.2f}%")
    return acc.item()


for epoch in range(1, 4):
    loss = train_one_epoch(epoch)
evaluate()

torch.save({
    'epoch': epoch,
    'model_state_dict': model.state_dict(),
    'optimizer_state_dict': optimizer.state_dict(),
    'scheduler_state_dict': scheduler.state_dict(),
    'loss': loss,
}, PATH)

# ----- resume from the checkpoint in a fresh model -----
model = LeNet5().to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 3], gamma=0.1)

checkpoint = torch.load(PATH)
model.load_state_dict(checkpoint['model_state_dict'])
optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
scheduler.load_state_dict(checkpoint['scheduler_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']
print(f"resumed at epoch {epoch}, loss {loss.item():.4f}, lr {optimizer.param_groups[0]['lr']:.4g}")
print("momentum buffers restored:", len(optimizer.state_dict()['state']))
evaluate()
model.train()
train_one_epoch(epoch + 1)
evaluate()
