"""The chapter's exercise: MLP vs CNN on MNIST under the same budget.

Both models see the same batches in the same order (same seed), with the same optimizer and
learning rate, for the same number of steps. Every ``--eval-every`` steps each is scored on
held-out test images. The curves are written as CSV (and as a PNG when matplotlib is
installed), and the program says which converges faster (fewer steps to ``--target`` test
accuracy) and which ends higher.

    python examples/compare_mlp_cnn.py                       # 1 epoch each, curves in runs/compare/
    python examples/compare_mlp_cnn.py --epochs 2 --target 0.98
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

from minitorch_cnn import data, models, optim
from minitorch_cnn.train import evaluate, train_step

MODELS = {"MLP": models.MLP, "MNISTConvNet": models.MNISTConvNet, "SimpleCNN": models.SimpleCNN}


def run(name: str, args: argparse.Namespace, mnist: dict[str, np.ndarray]) -> list[dict]:
    """Train one model; return one row per evaluation (step, epoch, losses, accuracy)."""
    model = MODELS[name](generator=np.random.default_rng(args.seed))
    opt = optim.Adam(model.parameters(), lr=args.lr)
    loader = data.DataLoader(
        mnist["train_images"],
        mnist["train_labels"],
        args.batch_size,
        seed=np.random.default_rng(args.seed + 1),
    )  # same order for both
    test_images, test_labels = (
        mnist["test_images"][: args.eval_images],
        mnist["test_labels"][: args.eval_images],
    )
    rows, recent, step, start = [], [], 0, time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        for images, labels in loader:
            recent.append(train_step(model, opt, images, labels)[0])
            step += 1
            if step % args.eval_every == 0 or step == args.epochs * len(loader):
                test_loss, accuracy = evaluate(model, test_images, test_labels)
                rows.append(
                    {
                        "model": name,
                        "step": step,
                        "epoch": epoch,
                        "train_loss": float(np.mean(recent)),
                        "test_loss": test_loss,
                        "test_accuracy": accuracy,
                        "seconds": time.perf_counter() - start,
                    }
                )
                recent = []
                print(
                    f"{name:>12} step {step:5d}  train loss {rows[-1]['train_loss']:.4f}  "
                    f"test accuracy {100 * accuracy:6.2f}%",
                    flush=True,
                )
    return rows


def _steps_to(rows: list[dict], target: float) -> int | None:
    return next((row["step"] for row in rows if row["test_accuracy"] >= target), None)


def _plot(curves: dict[str, list[dict]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, rows in curves.items():
        steps = [row["step"] for row in rows]
        left.plot(steps, [row["train_loss"] for row in rows], label=name)
        right.plot(steps, [100 * row["test_accuracy"] for row in rows], label=name)
    left.set(xlabel="step", ylabel="training loss (mean since last point)", yscale="log")
    right.set(xlabel="step", ylabel="test accuracy (%)")
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="MLP vs CNN on MNIST under the same budget.")
    parser.add_argument("--cnn", choices=["MNISTConvNet", "SimpleCNN"], default="MNISTConvNet")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate for both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images")
    parser.add_argument("--eval-every", type=int, default=100, help="steps between evaluations")
    parser.add_argument("--eval-images", type=int, default=10000, help="test images per evaluation")
    parser.add_argument(
        "--target", type=float, default=0.97, help="accuracy that counts as converged"
    )
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out-dir", default="runs/compare")
    args = parser.parse_args(argv)

    train_images, train_labels = data.load_mnist(args.data_dir, train=True)
    test_images, test_labels = data.load_mnist(args.data_dir, train=False)
    mnist = {
        "train_images": train_images[: args.limit],
        "train_labels": train_labels[: args.limit],
        "test_images": test_images,
        "test_labels": test_labels,
    }
    curves = {name: run(name, args, mnist) for name in ("MLP", args.cnn)}

    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "curves.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(curves["MLP"][0]))
        writer.writeheader()
        for rows in curves.values():
            writer.writerows(rows)
    print(f"\ncurves written to {out_dir / 'curves.csv'}")
    if _plot(curves, out_dir / "curves.png"):
        print(f"plot written to {out_dir / 'curves.png'}")
    else:
        print("matplotlib is not installed: no plot (pip install matplotlib)")

    reached = {name: _steps_to(rows, args.target) for name, rows in curves.items()}
    for name, rows in curves.items():
        when = f"step {reached[name]}" if reached[name] else "never"
        print(
            f"{name:>12}: final test accuracy {100 * rows[-1]['test_accuracy']:.2f}%, "
            f"reached {100 * args.target:.0f}% at {when}, {rows[-1]['seconds']:.0f} s of training"
        )
    mlp, cnn = "MLP", args.cnn
    if reached[mlp] is None and reached[cnn] is None:
        print(f"converges faster: neither reached {100 * args.target:.0f}% (train longer)")
    else:
        faster = min((name for name in reached if reached[name]), key=lambda n: reached[n])
        tie = reached[mlp] == reached[cnn]
        print(
            "converges faster: "
            + (
                "a tie"
                if tie
                else f"{faster}, in steps (a CNN step costs "
                "more time than an MLP step: compare the seconds above)"
            )
        )
    final = {name: rows[-1]["test_accuracy"] for name, rows in curves.items()}
    higher = max(final, key=final.get)
    print(f"ends higher: {higher} ({100 * final[higher]:.2f}% vs {100 * min(final.values()):.2f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
