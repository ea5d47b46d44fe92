"""Hypothesis strategies for testing tensor code: shapes, arrays and valid conv/pool settings.

Property-based tests state a fact that must hold for *every* input ("the gradient matches
finite differences", "the output has the formula's shape") and let hypothesis draw the
inputs. The strategies here draw inputs that are valid *by construction*: every derived
value (a kernel that fits the padded input, channels divisible by groups) is drawn from a
range computed from the values drawn before it, so no draw is thrown away by ``assume``.

This package needs ``hypothesis`` (a test dependency); ``import minitorch_cnn`` does not
import it. A test uses a strategy with ``@given``; a config's ``kwargs`` are the function's
keyword arguments, under PyTorch's names, so they splat straight into the call::

    from hypothesis import given
    import minitorch_cnn as mt
    from minitorch_cnn import functional as F
    from minitorch_cnn.testing import conv2d_configs, pool2d_configs

    @given(conv2d_configs())
    def test_conv_shape(cfg):
        x, w = mt.zeros(*cfg.input_shape), mt.zeros(*cfg.weight_shape)
        assert F.conv2d(x, w, **cfg.kwargs).shape == cfg.output_shape

    @given(pool2d_configs(kind="max"))
    def test_pool_shape(cfg):
        assert F.max_pool2d(mt.zeros(*cfg.input_shape), **cfg.kwargs).shape == cfg.output_shape

Three files: ``testing/arrays.py`` (shapes and arrays), ``testing/conv.py`` and
``testing/pool.py`` (convolution and pooling settings).

Read next: ``testing/arrays.py``, then the tests in ``tests/`` that use these strategies
(``tests/test_conv.py``).
"""

from __future__ import annotations

from .arrays import (
    DISTINCT_GAP,
    arrays,
    broadcastable_shapes,
    distinct_arrays,
    memory_layouts,
    shapes,
)
from .conv import PADDING_MODES, Conv2dConfig, conv2d_configs
from .pool import POOL_KINDS, Pool2dConfig, pool2d_configs

__all__ = [
    "DISTINCT_GAP",
    "PADDING_MODES",
    "POOL_KINDS",
    "Conv2dConfig",
    "Pool2dConfig",
    "arrays",
    "broadcastable_shapes",
    "conv2d_configs",
    "distinct_arrays",
    "memory_layouts",
    "pool2d_configs",
    "shapes",
]
