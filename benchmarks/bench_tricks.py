"""What each speed trick of ``ops/speed.py`` is worth: the trick on and off, same run.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_tricks.py``
(about half a minute). ``docs/performance.md`` quotes its table.

1. *Memory format* (batch innermost): the package's convolution, forward and backward,
   against the textbook one written here from the same ``windows`` functions with the
   columns in plain (N, C, H, W) order -- the layer conv 32->64 at 14x14 and conv 1->32 at
   28x28, batch 64, as in MNISTConvNet.
2. *A gradient brought to the saved layout* (``speed.in_layout_of``): max pooling's
   backward on MNISTConvNet's second pooling layer (its output is flattened, so its gradient
   arrives C-ordered while the saved winners are batch-innermost), with and without the copy.
3. *Keeping freed memory* (``allocator.keep_freed_memory``): an evaluation pass of the first
   conv block (conv 1->32, ReLU, 2x2 max pooling) at batch 64, each setting in a fresh
   process (the setting cannot be undone inside one).

Each pair is timed in alternating blocks; medians in ms. The last column puts the saving
next to one MNISTConvNet training step (measure that with ``bench_train.py``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from minitorch_cnn.autograd import Context
from minitorch_cnn.ops import conv, pool
from minitorch_cnn.ops.windows import im2col, pad2d, windows_adjoint


def _median_ms(fns: dict[str, Callable[[], object]], rounds: int, block: int = 5) -> dict:
    for fn in fns.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(rounds):
        for name in list(fns)[r % 2 :] + list(fns)[: r % 2]:
            for _ in range(block):
                start = time.perf_counter()
                fns[name]()
                samples[name].append(time.perf_counter() - start)
    return {name: 1e3 * float(np.median(v)) for name, v in samples.items()}


def _package_conv(x: np.ndarray, w: np.ndarray, grad: np.ndarray) -> Callable[[], object]:
    def run() -> object:
        ctx = Context(conv.Conv2d, ())
        ctx.needs_input_grad = (True, True)
        conv.Conv2d.forward(ctx, x, w, padding=(1, 1))
        return conv.Conv2d.backward(ctx, grad)

    return run


def _textbook_conv(x: np.ndarray, w: np.ndarray, grad: np.ndarray) -> Callable[[], object]:
    """The same derivation with the columns in (C*KH*KW, N*OH*OW) order: no memory format."""
    F, C, KH, KW = w.shape
    N = x.shape[0]

    def run() -> object:
        x_pad = pad2d(x, (1, 1))  # (N, C, Hp, Wp)  copy
        view = im2col(x_pad, (KH, KW))  # (C, KH, KW, N, OH, OW)  view
        OH, OW = view.shape[4:]
        columns = view.reshape(C * KH * KW, N * OH * OW)  # copy
        out = w.reshape(F, -1) @ columns  # (F, N*OH*OW)
        _ = out.reshape(F, N, OH, OW).transpose(1, 0, 2, 3)  # (N, F, OH, OW)  view
        grad_rows = grad.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*OH*OW)  copy
        grad_w = grad_rows @ columns.T
        grad_columns = w.reshape(F, -1).T @ grad_rows  # (C*KH*KW, N*OH*OW)
        grad_windows = grad_columns.reshape(C, KH, KW, N, OH, OW).transpose(3, 0, 4, 5, 1, 2)
        return windows_adjoint(grad_windows, x_pad.shape), grad_w

    return run


def _layers(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    layers = []
    for name, (N, C, H), F in (
        ("conv 1->32 28x28", (64, 1, 28), 32),
        ("conv 32->64 14x14", (64, 32, 14), 64),
    ):
        x = rng.standard_normal((N, C, H, H)).astype(np.float32)
        w = rng.standard_normal((F, C, 3, 3)).astype(np.float32)
        grad = rng.standard_normal((N, F, H, H)).astype(np.float32)
        layers.append((name, x, w, grad))
    return layers


def _eval_pass_ms(keep: bool) -> float:
    """Median ms of the first conv block's forward, in a fresh process (see the docstring)."""
    code = f"""
import json, time, numpy as np, minitorch_cnn as mt
from minitorch_cnn import allocator, functional, no_grad
if {keep}:
    allocator.keep_freed_memory()
rng = np.random.default_rng(0)
x = mt.Tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
w = mt.Tensor(rng.standard_normal((32, 1, 3, 3)).astype(np.float32))
times = []
with no_grad():
    for _ in range(60):
        start = time.perf_counter()
        functional.max_pool2d(functional.relu(functional.conv2d(x, w, padding=1)), 2)
        times.append(time.perf_counter() - start)
print(json.dumps(1e3 * float(np.median(times[10:]))))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(json.loads(result.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    for name, x, w, grad in _layers(rng):
        times = _median_ms(
            {"on": _package_conv(x, w, grad), "off": _textbook_conv(x, w, grad)}, args.rounds
        )
        rows.append(("memory format: " + name + ", fwd+bwd", times["on"], times["off"]))
    stored = rng.standard_normal((64, 14, 14, 64)).astype(np.float32)  # (C, H, W, N)
    inner = stored.transpose(3, 0, 1, 2)  # (N, C, H, W)  view: a conv output's layout
    ctx = Context(pool.MaxPool2d, ())
    pool.MaxPool2d.forward(ctx, inner, kernel_size=(2, 2), stride=(2, 2))
    grad = rng.standard_normal((64, 64, 7, 7)).astype(np.float32)  # C-ordered, from a flatten
    with_copy = pool.in_layout_of
    without_copy = lambda array, like: array  # noqa: E731

    def backward(in_layout: Callable) -> Callable[[], object]:
        def run() -> object:
            pool.in_layout_of = in_layout
            return pool.MaxPool2d.backward(ctx, grad)

        return run

    times = _median_ms({"on": backward(with_copy), "off": backward(without_copy)}, args.rounds)
    pool.in_layout_of = with_copy
    rows.append(
        ("gradient to the saved layout: max_pool (64, 64, 14, 14) bwd", times["on"], times["off"])
    )
    passes = {"on": [], "off": []}
    for _ in range(3):  # alternating fresh processes
        for setting in ("on", "off"):
            passes[setting].append(_eval_pass_ms(setting == "on"))
    rows.append(
        (
            "keep freed memory: conv block eval pass",
            float(np.median(passes["on"])),
            float(np.median(passes["off"])),
        )
    )
    print("| trick, case | on ms | off ms | saved ms |")
    print("| --- | ---: | ---: | ---: |")
    for label, on, off in rows:
        print(f"| {label} | {on:.2f} | {off:.2f} | {off - on:.2f} |")


if __name__ == "__main__":
    main()
