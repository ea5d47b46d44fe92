"""Every number in the chapter "CNNs: Convolutions & Pooling", computed by this package.

    python examples/chapter.py

Each section prints what the chapter claims next to what minitorch_cnn computes: the cost of
a fully connected layer on a 224x224x3 image, the 5x5 * 3x3 worked example, the 4x4 max
pooling example, the "same padding" and stride-2 shapes, the ViT patch embedding, the
parameter count of the exercise's ``Conv2d(32, 64, 3)``, translation equivariance, and the
shapes through ``SimpleCNN`` (printed by ``summary``). Shapes come from ``summary``, which
applies the output-size formula without running data; values come from real forward passes.

Read next: ``docs/chapter.md`` (the same walkthrough as a tested document, with the chapter's
exercises and questions answered), then ``examples/visualize.py`` (what a trained CNN learns).
"""

from __future__ import annotations

import numpy as np

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import models, nn
from minitorch_cnn.summary import format_shape, summary


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _title(text: str) -> None:
    print(f"\n== {text} ==")


def fully_connected_cost() -> None:
    _title("The problem with fully connected layers")
    features = summary(nn.Flatten(), ("batch", 3, 224, 224)).output_shape[1]
    print(
        f"a 224x224x3 image flattened: (batch, 3, 224, 224) -> (batch, {features}): "
        f"{features:,} input features"
    )
    # Linear(150528, 1024) would hold features * 1024 weights; allocating them (588 MiB) to
    # count them teaches nothing more than the product
    weights = features * 1024
    print(
        f"a fully connected layer to 1024 neurons: {features:,} x 1,024 = {weights:,} weights "
        f"({weights / 1e6:.0f} million, {weights * 4 / 2**20:.0f} MiB of float32)"
    )
    conv = nn.Conv2d(3, 64, kernel_size=3, bias=False)
    print(
        f"nn.Conv2d(3, 64, kernel_size=3, bias=False): {_count(conv):,} weights "
        f"(3 x 3 x 3 x 64), whatever the image size"
    )


def worked_convolution() -> None:
    _title("The convolution operation: 5x5 input, 3x3 kernel")
    x = (
        np.arange(1, 6, dtype=np.float32) + np.arange(5, dtype=np.float32)[:, None]
    )  # x[r, s] = r + s + 1
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float32)
    out = F.conv2d(mt.tensor(x[None, None]), mt.tensor(kernel[None, None])).numpy()[0, 0]  # (3, 3)
    print("input:\n" + str(x.astype(int)))
    print("kernel:\n" + str(kernel.astype(int)))
    products = " + ".join(f"{int(a)}*{int(b)}" for a, b in zip(x[:3, :3].ravel(), kernel.ravel()))
    print(f"output[0, 0] = {products} = {int(out[0, 0])}")
    print("output (3x3):\n" + str(out.astype(int)))


def worked_pooling() -> None:
    _title("Max pooling: 4x4 input, 2x2 windows, stride 2")
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    out = F.max_pool2d(mt.tensor(x), 2).numpy()[0, 0]  # (2, 2)
    print("input:\n" + str(x[0, 0].astype(int)))
    print("output:\n" + str(out.astype(int)))


def output_sizes() -> None:
    _title("Output size: floor((H + 2P - K) / S) + 1")
    for stride, note in ((1, "same padding keeps 32"), (2, "stride 2 halves it")):
        layer = nn.Conv2d(3, 64, kernel_size=3, stride=stride, padding=1)
        result = summary(layer, ("batch", 3, 32, 32))
        print(
            f"Conv2d(3, 64, kernel_size=3, stride={stride}, padding=1): "
            f"(batch, 3, 32, 32) -> {format_shape(result.output_shape)}   "
            f"floor((32 + 2 - 3) / {stride}) + 1 = {F.conv_output_size(32, 3, stride, 1)}: {note}"
        )
    print(f"no padding: 32 -> {F.conv_output_size(32, 3)} (shrinks by K - 1 = 2)")


def patch_embedding() -> None:
    _title("Capstone: the ViT patch embedding is a strided convolution")
    patch_embed = nn.Conv2d(3, 768, kernel_size=16, stride=16)
    N, D, OH, OW = summary(patch_embed, ("batch", 3, 224, 224)).output_shape
    print(
        f"nn.Conv2d(3, 768, kernel_size=16, stride=16): (batch, 3, 224, 224) -> {format_shape((N, D, OH, OW))}"
    )
    print(f"= {OH} x {OW} = {OH * OW} patches of dimension {D}")


def exercise_parameters() -> None:
    _title("Exercise: parameters of Conv2d(32, 64, kernel_size=3), bias included")
    layer = nn.Conv2d(32, 64, kernel_size=3)
    print(
        f"weights 64 x 32 x 3 x 3 = {layer.weight.numel():,}, biases {layer.bias.numel()}, "
        f"total {_count(layer):,}"
    )


def equivariance() -> None:
    _title("Translation equivariance: shift the input, the output shifts the same way")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, 12, 12), dtype=np.float32)
    weight = mt.tensor(rng.standard_normal((4, 1, 3, 3), dtype=np.float32))
    shifted = np.zeros_like(x)
    shifted[:, :, 2:, 3:] = x[:, :, :-2, :-3]  # move down 2, right 3
    out = F.conv2d(mt.tensor(x), weight).numpy()  # (1, 4, 10, 10)
    out_shifted = F.conv2d(mt.tensor(shifted), weight).numpy()
    difference = np.abs(out_shifted[:, :, 2:, 3:] - out[:, :, :-2, :-3]).max()
    # Equal in exact arithmetic; float32 products may be summed in another order by the BLAS
    # kernel at each position, so allow a few float32 roundings of values of size ~10.
    verdict = "equal within 1e-5" if difference < 1e-5 else "NOT equal"
    print(f"max |conv(shift(x)) - shift(conv(x))| away from the border: {verdict}")


def simple_cnn_shapes() -> None:
    _title("A simple CNN: the chapter's shape comments, for every layer")
    print(summary(models.SimpleCNN(generator=np.random.default_rng(0)), ("batch", 1, 28, 28)))


def main() -> None:
    fully_connected_cost()
    worked_convolution()
    output_sizes()
    worked_pooling()
    simple_cnn_shapes()
    patch_embedding()
    exercise_parameters()
    equivariance()


if __name__ == "__main__":
    main()
