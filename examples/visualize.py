"""What a CNN learns: its first layer's filters and one digit's feature maps, as PNG pictures.

    python examples/visualize.py                          # train SimpleCNN 300 steps, then draw
    python -m minitorch_cnn.train --checkpoint run.npz    # or train fully first ...
    python examples/visualize.py --checkpoint run.npz     # ... and draw that model

Writes into ``--out`` (default ``runs/visualize/``):

- ``filters.png``: the first Conv2d's filters, one tile each. Gray is 0, white the filter's
  largest positive weight, black its most negative (each tile scaled on its own). After
  training, many look like edge and stroke detectors: a bright side next to a dark side.
- ``input.png``: the test digit that is fed through the network.
- ``stage<k>_<layer>.png``: the digit's feature maps after each conv and pooling layer, one
  tile per channel, each scaled on its own (gray is 0 for conv outputs, which can be negative;
  black is 0 after pooling, which follows a ReLU). Each map lights up where its filter's
  pattern occurs, in the same place as in the digit: convolution is translation equivariant.
  Pooling halves the maps and keeps the strongest responses.

The stages come from ``summary`` (the layers in the order data flows). matplotlib writes the
files when it is installed, else ``minitorch_cnn/png.py``; the pixels are the same either way.

Read next: ``minitorch_cnn/png.py`` (how a PNG file is laid out, written without matplotlib).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from minitorch_cnn import data, models, nn, optim
from minitorch_cnn.autograd import no_grad
from minitorch_cnn.checkpoint import checkpoint_info, load_checkpoint
from minitorch_cnn.png import write_png
from minitorch_cnn.summary import summary
from minitorch_cnn.tensor import Tensor
from minitorch_cnn.train import MODELS, train_step

_BACKGROUND = 64  # the gray between tiles: darker than a zero weight (128), lighter than black
_GAP = 2  # pixels of background between tiles
_TILE_PIXELS = 96  # feature maps are enlarged to about this many pixels per side
_FILTER_PIXELS = 40  # and filters to about this many


def to_unit(maps: np.ndarray, signed: bool) -> np.ndarray:
    """Scale each (H, W) map of ``maps`` (M, H, W) on its own into [0, 1].

    ``signed``: 0 -> 0.5 and the largest magnitude -> 0 or 1. Otherwise (values >= 0):
    0 -> 0 and the largest -> 1. An all-zero map stays at the zero level.
    """
    scale = np.abs(maps).max(axis=(1, 2), keepdims=True)  # (M, 1, 1)
    scale[scale == 0] = 1
    return 0.5 + 0.5 * maps / scale if signed else maps / scale


def tile(maps: np.ndarray, columns: int = 8, scale: int = 1) -> np.ndarray:
    """Arrange maps (M, H, W) with values in [0, 1] into one uint8 picture.

    Each map is enlarged ``scale`` times (every pixel becomes a scale x scale block) and the
    tiles sit in rows of ``columns``, ``_GAP`` pixels of ``_BACKGROUND`` around every tile.

    Returns
    -------
    np.ndarray, uint8, shape (rows * (H*scale + GAP) + GAP, columns * (W*scale + GAP) + GAP)
        Map m is at tile row m // columns, tile column m % columns.
    """
    M, H, W = maps.shape
    columns = min(columns, M)
    rows = -(-M // columns)  # ceil
    big = np.repeat(np.repeat(maps, scale, axis=1), scale, axis=2)  # (M, H*s, W*s)  copy
    pixels = np.rint(big * 255).astype(np.uint8)
    step_h, step_w = H * scale + _GAP, W * scale + _GAP
    canvas = np.full((rows * step_h + _GAP, columns * step_w + _GAP), _BACKGROUND, dtype=np.uint8)
    for m in range(M):  # a loop over tiles (32 or 64), not over pixels
        top, left = (m // columns) * step_h + _GAP, (m % columns) * step_w + _GAP
        canvas[top : top + H * scale, left : left + W * scale] = pixels[m]
    return canvas


def save(path: Path, pixels: np.ndarray, backend: str = "auto") -> str:
    """Write gray uint8 ``pixels`` (H, W) as a PNG with matplotlib or ``png.write_png``.

    ``backend``: ``"matplotlib"``, ``"png"``, or ``"auto"`` (matplotlib when installed).
    Returns the backend used.
    """
    if backend not in ("auto", "matplotlib", "png"):
        raise ValueError(f"backend must be 'auto', 'matplotlib' or 'png', got {backend!r}")
    if backend != "png":
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            if backend == "matplotlib":
                raise ImportError(
                    "backend 'matplotlib' needs matplotlib: pip install matplotlib"
                ) from None
        else:
            plt.imsave(path, np.repeat(pixels[:, :, None], 3, axis=2))  # RGB uint8: stored as is
            return "matplotlib"
    write_png(path, pixels)
    return "png"


def trained_model(args: argparse.Namespace) -> nn.Module:
    """The model in ``args.checkpoint``, or a SimpleCNN trained ``args.steps`` steps."""
    if args.checkpoint is not None:
        try:
            name = checkpoint_info(args.checkpoint)["model"]
        except ValueError as error:
            raise SystemExit(str(error)) from None
        builders = {build.__name__: build for build in MODELS.values()}
        if name not in builders:
            raise SystemExit(
                f"{args.checkpoint} holds a {name!r} model, not one of {sorted(builders)}"
            )
        model = builders[name]()
        load_checkpoint(args.checkpoint, model)
        print(f"loaded {name} from {args.checkpoint}")
        return model
    generator = np.random.default_rng(args.seed)
    model = models.SimpleCNN(generator=generator)
    optimizer = optim.Adam(list(model.parameters()), lr=1e-3)
    images, labels = data.load_mnist(args.data_dir, train=True)
    loader = data.DataLoader(images, labels, batch_size=64, seed=generator)
    step = 0
    while step < args.steps:
        for x, y in loader:
            loss, correct = train_step(model, optimizer, x, y)
            step += 1
            if step % 50 == 0 or step == args.steps:
                print(
                    f"step {step}/{args.steps} loss {loss:.3f} batch accuracy {correct / len(y):.0%}"
                )
            if step == args.steps:
                break
    return model


def draw(model: nn.Module, image: np.ndarray, out: Path, backend: str = "auto") -> list[Path]:
    """Write filters.png, input.png and one picture per conv/pool stage of ``model`` for one
    uint8 ``image`` (28, 28); return the paths written."""
    rows = summary(model, (1, 1, 28, 28)).rows
    convs = [row.module for row in rows if isinstance(row.module, nn.Conv2d)]
    if not convs:
        raise SystemExit(f"{type(model).__name__} has no Conv2d layer: no filters to draw")
    out.mkdir(parents=True, exist_ok=True)
    weight = convs[0].weight.numpy()  # (F, C, KH, KW)
    filters = weight.reshape(-1, *weight.shape[2:])  # (F*C, KH, KW)  one tile per channel
    written = [out / "filters.png", out / "input.png"]
    save(
        written[0],
        tile(to_unit(filters, signed=True), scale=max(1, _FILTER_PIXELS // weight.shape[2])),
        backend,
    )
    save(written[1], tile(image[None] / 255.0, scale=_TILE_PIXELS // 28 * 2), backend)
    x = Tensor(data.normalize(image[None]))  # (1, 1, 28, 28)
    model.eval()
    with no_grad():
        for row in (r for r in rows if len(r.output_shape) == 4):  # up to the Flatten
            x = row.module(x)  # (1, C, OH, OW)
            if isinstance(row.module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
                maps = x.numpy()[0]
                path = out / f"stage{len(written) - 1}_{row.name or row.kind}_{row.kind}.png"
                save(
                    path,
                    tile(
                        to_unit(maps, signed=isinstance(row.module, nn.Conv2d)),
                        scale=max(1, _TILE_PIXELS // maps.shape[1]),
                    ),
                    backend,
                )
                written.append(path)
    return written


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python examples/visualize.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--checkpoint", default=None, help="a .npz from python -m minitorch_cnn.train --checkpoint"
    )
    parser.add_argument(
        "--steps", type=int, default=300, help="training steps when no checkpoint (default 300)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None, help="MNIST directory (see data.load_mnist)")
    parser.add_argument("--index", type=int, default=0, help="which test image to feed (default 0)")
    parser.add_argument("--out", default="runs/visualize", help="directory for the PNGs")
    parser.add_argument("--backend", choices=("auto", "matplotlib", "png"), default="auto")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.steps < 1:
        raise SystemExit(f"--steps must be >= 1, got {args.steps}")
    test_images, test_labels = data.load_mnist(args.data_dir, train=False)
    if not 0 <= args.index < len(test_images):
        raise SystemExit(f"--index must be in [0, {len(test_images)}), got {args.index}")
    model = trained_model(args)
    image = test_images[args.index]
    with no_grad():
        scores = model.eval()(Tensor(data.normalize(image[None]))).numpy()[0]  # (10,)
    print(f"test image {args.index}: label {test_labels[args.index]}, predicted {scores.argmax()}")
    for path in draw(model, image, Path(args.out), args.backend):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
