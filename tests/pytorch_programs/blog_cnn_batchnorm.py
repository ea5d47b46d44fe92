# A blog-post style CNN (conv blocks with BatchNorm/ReLU(inplace)/MaxPool/Dropout, global
# average pooling, Adam with weight decay, CosineAnnealingLR, best-model checkpointing with
# copy.deepcopy, the train/val "phase" loop of the transfer-learning tutorial). Data: 3x16x16
# synthetic images whose class shifts the mean of one colour channel / image quadrant.
import copy
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.manual_seed(42)
np.random.seed(42)


def make_data(n, num_classes=4, size=16):
    x = np.random.randn(n, 3, size, size).astype(np.float32)
    y = np.random.randint(0, num_classes, size=n)
    for i, c in enumerate(y):
        h = size // 2
        r, q = divmod(int(c), 2)
        x[i, c % 3, r * h:(r + 1) * h, q * h:(q + 1) * h] += 1.5
    return torch.from_numpy(x), torch.from_numpy(y).long()


class ConvNet(nn.Module):
    def __init__(self, num_classes=4):
        super(ConvNet, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.Conv2d(16, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Dropout(0.25),

            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Dropout(0.25),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32, 64),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
            nn.Linear(64, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = self.classifier(x)
        return x


x_train, y_train = make_data(256)
x_val, y_val = make_data(64)
dataloaders = {
    'train': DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True),
    'val': DataLoader(TensorDataset(x_val, y_val), batch_size=32, shuffle=False),
}
dataset_sizes = {'train': len(x_train), 'val': len(x_val)}

model = ConvNet(num_classes=4).to(device)
print(model)
total_params = sum(p.numel() for p in model.parameters())
trainable_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"Total params: {total_params:,} | Trainable: {trainable_params:,}")

criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
num_epochs = 4
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_epochs)


def train_model(model, criterion, optimizer, scheduler, num_epochs=25):
    since = time.time()

    best_model_wts = copy.deepcopy(model.state_dict())
    best_acc = 0.0

    for epoch in range(num_epochs):
        print('Epoch {}/{}'.format(epoch, num_epochs - 1))
        print('-' * 10)

        # Each epoch has a training and validation phase
        for phase in ['train', 'val']:
            if phase == 'train':
                model.train()  # Set model to training mode
            else:
                model.eval()   # Set model to evaluate mode

            running_loss = 0.0
            running_corrects = 0

            # Iterate over data.
            for inputs, labels in dataloaders[phase]:
                inputs = inputs.to(device)
                labels = labels.to(device)

                # zero the parameter gradients
                optimizer.zero_grad()

                # forward
                # track history if only in train
                with torch.set_grad_enabled(phase == 'train'):
                    outputs = model(inputs)
                    preds = torch.argmax(outputs, dim=1)
                    loss = criterion(outputs, labels)

                    # backward + optimize only if in training phase
                    if phase == 'train':
                        loss.backward()
                        optimizer.step()

                # statistics
                running_loss += loss.item() * inputs.size(0)
                running_corrects += torch.sum(preds == labels.data)
            if phase == 'train':
                scheduler.step()

            epoch_loss = running_loss / dataset_sizes[phase]
            epoch_acc = running_corrects.double() / dataset_sizes[phase]

            print('{} Loss: {:.4f} Acc: {:.4f} LR: {:.6f}'.format(
                phase, epoch_loss, epoch_acc, optimizer.param_groups[0]['lr']))

            # deep copy the model
            if phase == 'val' and epoch_acc > best_acc:
                best_acc = epoch_acc
                best_model_wts = copy.deepcopy(model.state_dict())

        print()

    time_elapsed = time.time() - since
    print('Training complete in {:.0f}m {:.0f}s'.format(
        time_elapsed // 60, time_elapsed % 60))
    print('Best val Acc: {:4f}'.format(best_acc))

    # load best model weights
    model.load_state_dict(best_model_wts)
    return model


model = train_model(model, criterion, optimizer, scheduler, num_epochs=num_epochs)

# inference on a single image
model.eval()
with torch.no_grad():
    img = x_val[0].unsqueeze(0).to(device)
    out = model(img)
    probs = F.softmax(out, dim=1)
    conf, pred = torch.max(probs, 1)
    print(f"pred={pred.item()} conf={conf.item():.3f} true={y_val[0].item()}")

bn = model.features[1]
print(bn.running_mean.shape, bn.running_var.shape, bn.num_batches_tracked)
print(list(model.state_dict().keys())[:8])
torch.save(model.state_dict(), "best_convnet.pth")
