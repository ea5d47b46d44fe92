# A beginner's feed-forward net on MNIST (in the style of yunjey/pytorch-tutorial's
# feedforward_neural_network/main.py and the many blog posts built on it): numpy-read MNIST
# (2000 images) in a TensorDataset, random_split with a seeded Generator, SGD with momentum.
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

# Device configuration
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.manual_seed(0)

# Hyper-parameters
input_size = 784
hidden_size = 128
num_classes = 10
num_epochs = 3
batch_size = 100
learning_rate = 0.01

MNIST_DIR = os.environ['MNIST_DIR']


def load_images(path, n):
    with gzip.open(path, 'rb') as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 28, 28)[:n]


def load_labels(path, n):
    with gzip.open(path, 'rb') as f:
        data = np.frombuffer(f.read(), np.uint8, offset=8)
    return data[:n]


X = load_images(os.path.join(MNIST_DIR, 'train-images-idx3-ubyte.gz'), 2000)
y = load_labels(os.path.join(MNIST_DIR, 'train-labels-idx1-ubyte.gz'), 2000)
X = torch.tensor(X, dtype=torch.float32) / 255.0
X = (X - 0.1307) / 0.3081
y = torch.tensor(y, dtype=torch.long)
print(X.shape, X.dtype, y.shape, y.dtype)

dataset = TensorDataset(X, y)
train_size = int(0.8 * len(dataset))
val_size = len(dataset) - train_size
train_dataset, val_dataset = random_split(dataset, [train_size, val_size],
                                          generator=torch.Generator().manual_seed(42))
print(len(train_dataset), len(val_dataset))

train_loader = DataLoader(dataset=train_dataset, batch_size=batch_size, shuffle=True)
val_loader = DataLoader(dataset=val_dataset, batch_size=batch_size, shuffle=False)


# Fully connected neural network with one hidden layer
class NeuralNet(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super(NeuralNet, self).__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out = self.fc1(x)
        out = self.relu(out)
        out = self.fc2(out)
        return out


model = NeuralNet(input_size, hidden_size, num_classes).to(device)
print(model)

# Loss and optimizer
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)

# Train the model
total_step = len(train_loader)
for epoch in range(num_epochs):
    model.train()
    for i, (images, labels) in enumerate(train_loader):
        # Move tensors to the configured device
        images = images.reshape(-1, 28*28).to(device)
        labels = labels.to(device)

        # Forward pass
        outputs = model(images)
        loss = criterion(outputs, labels)

        # Backward and optimize
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if (i+1) % 4 == 0:
            print('Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}'
                  .format(epoch+1, num_epochs, i+1, total_step, loss.item()))

    # Validation
    model.eval()
    val_acc = []
    with torch.no_grad():
        for images, labels in val_loader:
            images = images.view(images.size(0), -1).to(device)
            labels = labels.to(device)
            outputs = model(images)
            _, preds = torch.max(outputs, 1)
            val_acc.append(torch.sum(preds == labels).item() / len(labels))
    print(f'Epoch {epoch+1}: val accuracy {np.mean(val_acc):.4f}')

# Test the model
# In test phase, we don't need to compute gradients (for memory efficiency)
with torch.no_grad():
    correct = 0
    total = 0
    for images, labels in val_loader:
        images = images.reshape(-1, 28*28).to(device)
        labels = labels.to(device)
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

    print('Accuracy of the network on the {} validation images: {} %'.format(total, 100 * correct / total))

# Save the model checkpoint
torch.save(model.state_dict(), 'model.ckpt')
model2 = NeuralNet(input_size, hidden_size, num_classes)
model2.load_state_dict(torch.load('model.ckpt'))
model2.eval()
print(torch.equal(model2(X[:5].view(5, -1)), model(X[:5].view(5, -1))))
