"""Time conv2d and max_pool2d (forward, forward+backward) against PyTorch CPU, same run.

Run: ``python benchmarks/bench_conv.py`` (about a minute; ``--rounds 3`` for a quick look).

Cases: the MNIST CNN's layers at batch 64 (conv 1->32 at 28x28 and 32->64 at 14x14, k=3,
p=1; 2x2 max pooling on (64, 32, 28, 28) and (64, 64, 14, 14)) and the ViT patch embedding
(conv 3->768, k=16, s=16, batch 8 of 3x224x224). Backward computes every gradient: input,
weight and bias.

How it times: each implementation runs in *blocks* of repeats, the order rotating from
round to round, with a pause between blocks. Alternating call by call would make PyTorch's
and OpenBLAS's worker threads fight over the two cores and slow both down. Reported times
are medians (the machine is shared); the load average before and after the run is printed
so a noisy run can be recognized. The float32 GEMM rate of NumPy is measured in the same run
as the yardstick for the GFLOP/s column. Peak bytes are tracemalloc's peak (NumPy reports
its buffers to it) over one forward+backward, above what existed before the call.

PyTorch is optional (never a dependency): without it only our times are printed.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import minitorch_cnn as mt
from minitorch_cnn import functional

try:
    import torch
except ImportError:  # the comparison columns are left out
    torch = None

PAUSE = 0.1  # seconds between blocks: lets the other library's spinning threads go idle


def _median_ms(fns: dict[str, Callable[[], object]], rounds: int, block: int) -> dict[str, float]:
    """Median time of each function, run in blocks of ``block`` calls, order rotating."""
    names = list(fns)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for fn in fns.values():
        fn()  # warm up: first-touch page faults, thread start-up
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            time.sleep(PAUSE)
            for _ in range(block):
                start = time.perf_counter()
                fns[name]()
                samples[name].append(time.perf_counter() - start)
    return {name: 1e3 * float(np.median(values)) for name, values in samples.items()}


def _ours(
    op: Callable[..., mt.Tensor], arrays: list[np.ndarray], grad: np.ndarray, **kw: object
) -> tuple:
    """Forward-only and forward+backward closures for our implementation."""
    leaves = [mt.Tensor(a, requires_grad=True) for a in arrays]

    def forward() -> object:
        with mt.no_grad():
            return op(*leaves, **kw)

    # In a network the upstream gradient comes back from the next layer in the memory layout
    # this op gave its output (conv2d's is batch-innermost): the first forward+backward hands
    # it over that way. The second hands over an ordinary C-ordered array, as a caller
    # holding a gradient of its own would: conv2d's backward then pays a transposing copy.
    grad_in_layout = np.empty_like(forward().numpy())  # same strides order as the output
    grad_in_layout[...] = grad
    grad_c_order = np.ascontiguousarray(grad)

    def backward_with(upstream: np.ndarray) -> Callable[[], object]:
        def forward_backward() -> object:
            for leaf in leaves:
                leaf.grad = None
            op(*leaves, **kw).backward(upstream)
            return leaves

        return forward_backward

    return forward, backward_with(grad_in_layout), backward_with(grad_c_order)


def _torch(
    op: Callable[..., object], arrays: list[np.ndarray], grad: np.ndarray, **kw: object
) -> tuple:
    """The same two closures for PyTorch."""
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    grad_t = torch.tensor(grad)

    def forward() -> object:
        with torch.no_grad():
            return op(*leaves, **kw)

    def forward_backward() -> object:
        for leaf in leaves:
            leaf.grad = None
        op(*leaves, **kw).backward(grad_t)
        return leaves

    return forward, forward_backward


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2**20


def _gemm_gflops(rounds: int) -> float:
    a = np.random.default_rng(0).standard_normal((2048, 2048), dtype=np.float32)
    ms = _median_ms({"gemm": lambda: a @ a}, rounds, 2)["gemm"]
    return 2 * 2048**3 / (ms * 1e6)


def _cases(rng: np.random.Generator) -> list[dict]:
    def conv(name: str, x_shape: tuple, w_shape: tuple, stride: int, padding: int) -> dict:
        x = rng.standard_normal(x_shape, dtype=np.float32)
        w = rng.standard_normal(w_shape, dtype=np.float32) * np.float32(0.1)
        b = rng.standard_normal(w_shape[0], dtype=np.float32)
        N, C, H, W = x_shape
        F, _, KH, KW = w_shape
        OH = functional.conv_output_size(H, KH, stride, padding)
        OW = functional.conv_output_size(W, KW, stride, padding)
        grad = rng.standard_normal((N, F, OH, OW), dtype=np.float32)
        flops = 2 * N * F * OH * OW * C * KH * KW  # forward; backward is twice that
        kw = dict(stride=stride, padding=padding)
        return dict(
            name=name,
            shape=f"x{x_shape} w{w_shape}",
            arrays=[x, w, b],
            grad=grad,
            ours=(functional.conv2d, kw),
            theirs=("conv2d", kw),
            flops=flops,
        )

    def pool(name: str, x_shape: tuple) -> dict:
        x = rng.standard_normal(x_shape, dtype=np.float32)
        N, C, H, W = x_shape
        grad = rng.standard_normal((N, C, H // 2, W // 2), dtype=np.float32)
        kw = dict(kernel_size=2)
        return dict(
            name=name,
            shape=f"x{x_shape} k2",
            arrays=[x],
            grad=grad,
            ours=(functional.max_pool2d, kw),
            theirs=("max_pool2d", kw),
            flops=0,
        )

    return [
        conv("conv 1->32 28x28", (64, 1, 28, 28), (32, 1, 3, 3), 1, 1),
        conv("conv 32->64 14x14", (64, 32, 14, 14), (64, 32, 3, 3), 1, 1),
        conv("ViT patch embed", (8, 3, 224, 224), (768, 3, 16, 16), 16, 0),
        pool("max_pool 2x2", (64, 32, 28, 28)),
        pool("max_pool 2x2", (64, 64, 14, 14)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds of blocks (default 7)")
    parser.add_argument("--block", type=int, default=3, help="calls per block (default 3)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch columns")
    args = parser.parse_args()
    use_torch = torch is not None and not args.no_torch
    if use_torch:
        torch.set_num_threads(2)

    load_before = os.getloadavg()
    gemm = _gemm_gflops(args.rounds)
    rows = []
    for case in _cases(np.random.default_rng(0)):
        op, kw = case["ours"]
        fns = dict(
            zip(("ours fwd", "ours fb", "ours fb C"), _ours(op, case["arrays"], case["grad"], **kw))
        )
        if use_torch:
            name, tkw = case["theirs"]
            theirs = _torch(getattr(torch.nn.functional, name), case["arrays"], case["grad"], **tkw)
            fns.update(zip(("torch fwd", "torch fb"), theirs))
        times = _median_ms(fns, args.rounds, args.block)
        peak = _peak_mb(fns["ours fb"])
        rows.append((case, times, peak))
    load_after = os.getloadavg()

    versions = f"numpy {np.__version__}, "
    if use_torch:
        versions += f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    else:
        versions += "no torch"
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print(f"cpu cores: {os.cpu_count()}, {versions}, OPENBLAS_CORETYPE={coretype}")
    before = " ".join(f"{value:.2f}" for value in load_before)
    after = " ".join(f"{value:.2f}" for value in load_after)
    print(f"load average (1, 5, 15 min) before: {before}; after: {after}")
    print(
        f"numpy float32 GEMM 2048^3: {gemm:.0f} GFLOP/s; medians of {args.rounds} rounds x "
        f"{args.block} calls\n"
    )
    print("fwd+bwd: upstream gradient in the layout of our output; (C grad): a C-ordered one\n")
    head = "| case | shape | fwd ms | fwd+bwd ms | fwd+bwd (C grad) |"
    rule = "| --- | --- | ---: | ---: | ---: |"
    if use_torch:
        head += " torch fwd | torch fwd+bwd | ratio fwd | ratio fwd+bwd | ratio (C grad) |"
        rule += " ---: | ---: | ---: | ---: | ---: |"
    print(head + " GFLOP/s fwd+bwd | peak MB fwd+bwd |")
    print(rule + " ---: | ---: |")
    for case, t, peak in rows:
        line = (
            f"| {case['name']} | {case['shape']} | {t['ours fwd']:.2f} | {t['ours fb']:.2f} |"
            f" {t['ours fb C']:.2f} |"
        )
        if use_torch:
            line += f" {t['torch fwd']:.2f} | {t['torch fb']:.2f} |"
            line += "".join(
                f" {t[ours] / t[torch_name]:.2f}x |"
                for ours, torch_name in (
                    ("ours fwd", "torch fwd"),
                    ("ours fb", "torch fb"),
                    ("ours fb C", "torch fb"),
                )
            )
        gflops = f"{3 * case['flops'] / (t['ours fb'] * 1e6):.0f}" if case["flops"] else "-"
        print(line + f" {gflops} | {peak:.1f} |")


if __name__ == "__main__":
    main()
