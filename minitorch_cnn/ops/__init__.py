"""Every differentiable op, as a ``Function`` subclass with forward and backward on ndarrays.

Reading order: ``elementwise``, ``reduce``, ``shape``, ``matmul``, ``loss``, ``activation``,
``normalization``, then the convolution lesson: ``windows``, ``conv``, ``pool``,
``adaptive_pool``, ``unpool``, ``scatter``, ``einsum``, ``interpolate``, ``pad``, and last ``speed`` (what makes it fast).
"""
