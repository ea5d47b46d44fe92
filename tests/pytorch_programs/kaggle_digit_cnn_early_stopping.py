# A typical Kaggle "Digit Recognizer" notebook: numpy arrays -> custom Dataset -> CNN with
# BatchNorm and Dropout, Adam + ReduceLROnPlateau, early stopping on validation loss with
# copy.deepcopy(model.state_dict()), a confusion matrix built with numpy.
# Kaggle's train.csv is replaced by MNIST digits read with a numpy gzip-IDX loader
# from $MNIST_DIR (the same pixels, 784 columns); 1500 images, 3 epochs.
import copy
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(42)
np.random.seed(42)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device:", device)

DATA_DIR = os.environ["MNIST_DIR"]


def read_idx(name, count):
    with gzip.open(os.path.join(DATA_DIR, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4).copy()
    dims[0] = count
    return np.frombuffer(raw, dtype=np.uint8, count=int(np.prod(dims)),
                         offset=4 + 4 * ndim).reshape(dims)


# "train = pd.read_csv('../input/digit-recognizer/train.csv')"
X = read_idx("train-images-idx3-ubyte.gz", 1500).reshape(-1, 784)
y = read_idx("train-labels-idx1-ubyte.gz", 1500).astype(np.int64)
print(X.shape, y.shape, np.bincount(y))

idx = np.random.permutation(len(X))
split = int(0.8 * len(X))
X_train, X_val = X[idx[:split]], X[idx[split:]]
y_train, y_val = y[idx[:split]], y[idx[split:]]


class DigitDataset(Dataset):
    def __init__(self, images, labels=None):
        self.images = torch.from_numpy(images.reshape(-1, 1, 28, 28)).float() / 255.
        self.labels = None if labels is None else torch.from_numpy(labels).long()

    def __len__(self):
        return len(self.images)

    def __getitem__(self, idx):
        if self.labels is None:
            return self.images[idx]
        return self.images[idx], self.labels[idx]


train_ds = DigitDataset(X_train, y_train)
val_ds = DigitDataset(X_val, y_val)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256, shuffle=False)

model = nn.Sequential(
    nn.Conv2d(1, 32, kernel_size=3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 64, kernel_size=3, padding=1),
    nn.BatchNorm2d(64),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Dropout(0.25),
    nn.Flatten(),
    nn.Linear(64 * 7 * 7, 128),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(128, 10),
).to(device)
print(model)
print("trainable params:", sum(p.numel() for p in model.parameters() if p.requires_grad))

criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-3)
scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, 'min', patience=1, factor=0.5)

EPOCHS = 3
best_loss = np.inf
best_weights = None
patience, bad_epochs = 3, 0
history = {"train_loss": [], "val_loss": [], "val_acc": []}

for epoch in range(EPOCHS):
    model.train()
    running_loss = 0.0
    for images, labels in train_loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(images)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * images.size(0)
    train_loss = running_loss / len(train_loader.dataset)

    model.eval()
    val_loss, correct, total = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in val_loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            val_loss += criterion(outputs, labels).item() * images.size(0)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    val_loss /= total
    val_acc = correct / total
    scheduler.step(val_loss)

    history["train_loss"].append(train_loss)
    history["val_loss"].append(val_loss)
    history["val_acc"].append(val_acc)
    print(f"Epoch [{epoch + 1}/{EPOCHS}] train_loss: {train_loss:.4f} "
          f"val_loss: {val_loss:.4f} val_acc: {100 * val_acc:.2f}% "
          f"lr: {optimizer.param_groups[0]['lr']:.6f}")

    if val_loss < best_loss:
        best_loss = val_loss
        best_weights = copy.deepcopy(model.state_dict())
        bad_epochs = 0
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print("Early stopping")
            break

model.load_state_dict(best_weights)
print("last lr:", scheduler.get_last_lr())

# ----- predictions, probabilities, confusion matrix -----
model.eval()
all_preds, all_labels, all_probs = [], [], []
with torch.no_grad():
    for images, labels in val_loader:
        out = model(images.to(device))
        probs = torch.softmax(out, dim=1)
        preds = probs.argmax(dim=1)
        all_probs.append(probs.cpu().numpy())
        all_preds.extend(preds.cpu().numpy())
        all_labels.extend(labels.cpu().numpy())

all_preds = np.array(all_preds)
all_labels = np.array(all_labels)
all_probs = np.concatenate(all_probs)
print(all_preds.dtype, all_probs.dtype, all_probs.shape, np.allclose(all_probs.sum(1), 1, atol=1e-5))
conf = np.zeros((10, 10), dtype=int)
for t, p in zip(all_labels, all_preds):
    conf[t, p] += 1
print(conf)
print("accuracy from confusion:", np.trace(conf) / conf.sum())
per_class = conf.diagonal() / conf.sum(axis=1)
for digit, acc in enumerate(per_class):
    print(f"digit {digit}: {acc:.3f}")

# "submission": predict on unlabeled images
test_ds = DigitDataset(read_idx("t10k-images-idx3-ubyte.gz", 200).reshape(-1, 784))
test_loader = DataLoader(test_ds, batch_size=100, shuffle=False)
predictions = []
with torch.no_grad():
    for images in test_loader:
        predictions.append(model(images.to(device)).argmax(1).cpu())
predictions = torch.cat(predictions).numpy()
print("submission:", predictions.shape, predictions[:20])
torch.save(best_weights, "best_model.pth")
