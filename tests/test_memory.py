"""Memory stays flat in a training loop: backward releases the graph it walked.

Counts, not timings: the number of live graph nodes (``Tensor`` and ``Context`` objects found
by the garbage collector), weak references to intermediates, and traced NumPy bytes.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn.autograd import Context


def _live_nodes() -> tuple[int, int]:
    """(live Tensors, live Contexts), after a full collection."""
    gc.collect()
    objects = gc.get_objects()
    return (
        sum(isinstance(o, mt.Tensor) for o in objects),
        sum(isinstance(o, Context) for o in objects),
    )


class _TinyNet:
    """Two linear layers trained by plain SGD on one fixed batch."""

    def __init__(self, generator: np.random.Generator) -> None:
        def weight(*shape: int) -> mt.Tensor:
            values = generator.standard_normal(shape, dtype=np.float32) * np.float32(0.3)
            return mt.tensor(values, requires_grad=True)

        self.params = [weight(16, 8), mt.zeros(16, requires_grad=True), weight(4, 16)]
        self.x = mt.tensor(generator.standard_normal((32, 8), dtype=np.float32))
        self.y = generator.integers(0, 4, size=32)

    def loss(self) -> mt.Tensor:
        w1, b1, w2 = self.params
        hidden = F.linear(self.x, w1, b1).relu()
        return F.cross_entropy(F.linear(hidden, w2), self.y) + (w2 * w2).mean() * 0.01

    def step(self) -> mt.Tensor:
        loss = self.loss()
        loss.backward()
        for p in self.params:
            p.numpy()[...] -= np.float32(0.1) * np.asarray(p.grad)
            p.zero_grad()
        return loss


def test_200_training_steps_do_not_grow_the_graph() -> None:
    net = _TinyNet(np.random.default_rng(0))
    first_loss = net.step().item()
    for _ in range(5):
        net.step()
    before = _live_nodes()
    for _ in range(200):
        last = net.step()
    del last
    after = _live_nodes()
    assert after[0] - before[0] <= 0, f"live tensors grew from {before[0]} to {after[0]}"
    assert after[1] - before[1] <= 0, f"live contexts grew from {before[1]} to {after[1]}"
    assert net.loss().item() < first_loss  # it really trained


def test_keeping_the_losses_keeps_only_the_losses() -> None:
    """``losses.append(loss)`` must not pin each step's whole graph."""
    net = _TinyNet(np.random.default_rng(1))
    net.step()
    before = _live_nodes()
    losses = [net.step() for _ in range(200)]
    after = _live_nodes()
    assert after[0] - before[0] <= len(losses)  # one tensor per kept loss, nothing else
    assert after[1] - before[1] <= len(losses)  # and its emptied context
    assert all(loss._ctx.saved == () and loss._ctx.parents == () for loss in losses)


def test_backward_frees_intermediates_and_saved_buffers_of_kept_tensors() -> None:
    """Keeping the logits (for an accuracy) must not keep what their op saved, nor the rest."""
    x = mt.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    hidden = (x * 2.0).exp()
    logits = hidden @ x.T  # kept by the caller
    loss = logits.max(axis=1).sum()
    hidden_ref = weakref.ref(hidden)
    saved_refs = [weakref.ref(a) for a in hidden._ctx.saved + logits._ctx.saved]
    del hidden
    assert hidden_ref() is not None  # the graph holds it before backward
    loss.backward()
    gc.collect()
    assert hidden_ref() is None
    assert logits._ctx.saved == () and logits._ctx.parents == ()
    assert loss._ctx.saved == () and loss._ctx.parents == ()
    # Exp saved its output; MatMul saved hidden's array and the x.T view made for it
    assert all(r() is None for r in saved_refs)
    assert x.grad is not None


def test_no_grad_evaluation_builds_no_graph() -> None:
    net = _TinyNet(np.random.default_rng(2))
    before = _live_nodes()
    with mt.no_grad():
        outputs = [net.loss() for _ in range(50)]
    after = _live_nodes()
    assert after[1] == before[1]  # no Context at all
    assert all(out._ctx is None and not out.requires_grad for out in outputs)


def test_traced_numpy_memory_is_flat_over_200_steps() -> None:
    net = _TinyNet(np.random.default_rng(3))
    for _ in range(5):
        net.step()
    tracemalloc.start()
    try:
        for _ in range(20):
            net.step()
        gc.collect()
        early, _ = tracemalloc.get_traced_memory()
        for _ in range(200):
            net.step()
        gc.collect()
        late, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one leaked (32, 16) float32 activation per step would add 200 * 2 KiB = 400 KiB
    assert late - early < 64 * 1024, f"traced memory grew by {late - early} bytes"
