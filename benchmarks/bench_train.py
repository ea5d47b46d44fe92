"""Benchmark: one MNISTConvNet training step (forward, loss, backward, SGD) at batch 64,
minitorch_cnn against the same model in PyTorch CPU (2 threads) when ``torch`` is importable.

    python benchmarks/bench_train.py               # timing, memory and per-op breakdown
    python benchmarks/bench_train.py --blocks 6    # more alternating blocks

How it measures (see shared PERF-NOTES: interleaving the two frameworks call by call makes
their idle worker threads fight for the 2 cores):

- every block is a fresh subprocess running one framework alone: a few warm-up steps, then
  timed steps; blocks alternate ours/torch, starting side rotated, and the report gives the
  median over all timed steps of each framework;
- peak memory is ``ru_maxrss`` of a fresh subprocess per framework after 50 steps;
- the breakdown wraps every ``Function.forward``/``backward`` of ours with a timer and names
  each call by op and occurrence (``Conv2d#2`` is the second conv of the forward pass);
- the load average before and after is printed: other busy processes skew everything.

PyTorch is used here for comparison only; it is never a dependency of minitorch_cnn.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any, Callable

import numpy as np

BATCH = 64
STEPS_PER_EPOCH = -(-60000 // BATCH)  # 938 batches of 64


def _batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    return images, rng.integers(0, 10, BATCH)


def _ours_step() -> Callable[[], None]:
    import minitorch_cnn as mt
    from minitorch_cnn import functional, models, optim

    model = models.MNISTConvNet(generator=np.random.default_rng(0))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    images, labels = _batch()

    def step() -> None:
        loss = functional.cross_entropy(model(mt.Tensor(images)), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def _torch_step() -> Callable[[], None]:
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 256),
        nn.ReLU(),
        nn.Linear(256, 10),
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    images, labels = (torch.from_numpy(a) for a in _batch())

    def step() -> None:
        loss = nn.functional.cross_entropy(model(images), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def _worker(framework: str, warmup: int, steps: int) -> dict[str, Any]:
    """Runs in a fresh subprocess: time ``steps`` steps after ``warmup`` ones."""
    step = _ours_step() if framework == "ours" else _torch_step()
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return {"times": times, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _profile(steps: int) -> dict[str, Any]:
    """Per-op forward/backward times of our step (median over ``steps``), in call order."""
    import minitorch_cnn  # noqa: F401  (imports every op module)
    from minitorch_cnn.autograd import Function

    per_step: dict[tuple[str, str], list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    order: list[str] = []

    def timed(function: Callable, name: str, stage: str) -> Callable:
        def wrapper(ctx: Any, *args: Any, **kwargs: Any) -> Any:
            if stage == "fwd":
                counts[name] += 1
                ctx.bench_label = f"{name}#{counts[name]}"
                if ctx.bench_label not in order:
                    order.append(ctx.bench_label)
            start = time.perf_counter()
            result = function(ctx, *args, **kwargs)
            per_step[(ctx.bench_label, stage)].append(time.perf_counter() - start)
            return result

        return wrapper

    pending = list(Function.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        cls.forward = staticmethod(timed(cls.forward, cls.__name__, "fwd"))
        cls.backward = staticmethod(timed(cls.backward, cls.__name__, "bwd"))

    import minitorch_cnn as mt
    from minitorch_cnn import functional, models, optim

    model = models.MNISTConvNet(generator=np.random.default_rng(0))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    images, labels = _batch()
    phases: dict[str, list[float]] = defaultdict(list)
    for index in range(steps + 2):  # 2 warm-up steps, dropped below
        counts.clear()
        t0 = time.perf_counter()
        loss = functional.cross_entropy(model(mt.Tensor(images)), labels)
        t1 = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        for phase, seconds in (("forward", t1 - t0), ("backward", t2 - t1), ("optimizer", t3 - t2)):
            phases[phase].append(seconds)
        if index < 2:
            per_step.clear()
            phases.clear()
    ops = [
        {
            "op": label,
            **{
                stage: 1000 * statistics.median(per_step[(label, stage)])
                for stage in ("fwd", "bwd")
                if per_step.get((label, stage))
            },
        }
        for label in order
    ]
    return {"ops": ops, "phases": {k: 1000 * statistics.median(v) for k, v in phases.items()}}


def _spawn(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=4, help="blocks per framework")
    parser.add_argument("--steps", type=int, default=15, help="timed steps per block")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--memory-steps", type=int, default=50)
    parser.add_argument("--profile-steps", type=int, default=10)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--worker", choices=["ours", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.warmup, args.steps)))
        return 0
    if args.profile:
        print(json.dumps(_profile(args.steps)))
        return 0

    frameworks = ["ours"] + (["torch"] if _torch_available() and not args.no_torch else [])
    print(
        f"MNISTConvNet training step, batch {BATCH}, float32; load average before: "
        f"{' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores"
    )
    if len(frameworks) == 1:
        print("torch not importable (or --no-torch): timing ours only")
    times: dict[str, list[float]] = {name: [] for name in frameworks}
    for block in range(args.blocks):
        rotation = frameworks if block % 2 == 0 else frameworks[::-1]
        for name in rotation:
            result = _spawn(
                "--worker", name, "--warmup", str(args.warmup), "--steps", str(args.steps)
            )
            times[name].extend(result["times"])
    memory = {
        name: _spawn("--worker", name, "--warmup", "0", "--steps", str(args.memory_steps))[
            "maxrss_mb"
        ]
        for name in frameworks
    }

    print(
        f"\n{'framework':<12}{'step ms (median)':>18}{'min':>8}{'images/s':>10}"
        f"{'epoch s':>9}{'peak RSS MB':>13}"
    )
    medians = {}
    for name in frameworks:
        medians[name] = statistics.median(times[name])
        label = "minitorch" if name == "ours" else "pytorch"
        print(
            f"{label:<12}{1000 * medians[name]:>18.1f}{1000 * min(times[name]):>8.1f}"
            f"{BATCH / medians[name]:>10.0f}{STEPS_PER_EPOCH * medians[name]:>9.1f}"
            f"{memory[name]:>13.0f}"
        )
    if "torch" in medians:
        print(
            f"ours / pytorch: step time {medians['ours'] / medians['torch']:.2f}x, "
            f"peak memory {memory['ours'] / memory['torch']:.2f}x "
            f"({args.blocks} alternating blocks of {args.steps} steps each)"
        )

    profile = _spawn("--profile", "--steps", str(args.profile_steps))
    print(
        f"\nwhere our step goes (median of {args.profile_steps} steps, ms; op#k = k-th call in forward)"
    )
    print(f"{'op':<16}{'forward':>9}{'backward':>10}")
    for row in profile["ops"]:
        print(f"{row['op']:<16}{row.get('fwd', 0.0):>9.2f}{row.get('bwd', 0.0):>10.2f}")
    fwd_ops = sum(row.get("fwd", 0.0) for row in profile["ops"])
    bwd_ops = sum(row.get("bwd", 0.0) for row in profile["ops"])
    phases = profile["phases"]
    print(f"{'sum of ops':<16}{fwd_ops:>9.2f}{bwd_ops:>10.2f}")
    print(
        f"{'whole phase':<16}{phases['forward']:>9.2f}{phases['backward']:>10.2f}"
        f"   (the difference is Python/engine overhead: graph, unbroadcast, accumulation)"
    )
    print(f"optimizer step (SGD momentum): {phases['optimizer']:.2f} ms")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
