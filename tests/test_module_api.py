"""nn.Module's API as PyTorch's: registration, walks (with shared parts and cycles), modes,
dtype conversion, state dicts, containers, lazy layers, Linear's options and nn.init's path.

Expected names, orders, reprs and messages are written out by hand (checked against PyTorch
2.x); numbers are computed here in NumPy from the parameters.
"""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import nn, optim


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


class _WithBuffers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("running", mt.zeros(2))
        self.register_buffer("scratch", mt.ones(1), persistent=False)
        self.register_buffer("count", mt.tensor(0))  # int64, as num_batches_tracked
        self.lin = nn.Linear(2, 2, generator=_rng())
        self.register_parameter("unused", None)

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        return self.lin(x) + self.running


class _Parented(nn.Module):
    """A model whose child keeps a reference to its parent: a cycle in the module graph."""

    def __init__(self) -> None:
        super().__init__()
        self.child = nn.Linear(2, 3, generator=_rng())
        self.child.parent = self


# ----- registration and attributes --------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "name"),
    [(np.ones((2, 3)), "numpy.ndarray"), (mt.ones(2, 3), "torch.FloatTensor"), (3, "int")],
)
def test_only_a_parameter_or_none_replaces_a_parameter(value: object, name: str) -> None:
    layer = nn.Linear(3, 2, generator=_rng())
    weight = layer.weight
    message = (
        rf"cannot assign '{name}' as parameter 'weight' \(torch.nn.Parameter or None expected\)"
    )
    with pytest.raises(TypeError, match=message):
        layer.weight = value
    assert layer.weight is weight


def test_assigning_parameters_and_none_keeps_the_registration_order() -> None:
    layer = nn.Linear(3, 2, generator=_rng())
    layer.weight = nn.Parameter(np.zeros((2, 3)))
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    layer.weight = None
    assert [n for n, _ in layer.named_parameters()] == ["bias"]
    assert list(layer._parameters) == ["weight", "bias"] and layer.weight is None
    assert list(layer.state_dict()) == ["bias"]


def test_buffers_persistent_or_not() -> None:
    model = _WithBuffers()
    assert [n for n, _ in model.named_buffers()] == ["running", "scratch", "count"]
    assert list(model.state_dict()) == ["running", "count", "lin.weight", "lin.bias"]
    assert [n for n, _ in model.named_parameters()] == ["lin.weight", "lin.bias"]
    model.running = mt.tensor([1.0, 2.0])  # a Tensor may replace a buffer
    assert model.running.tolist() == [1.0, 2.0] and model._buffers["running"] is model.running
    with pytest.raises(TypeError, match=r"cannot assign 'int' as buffer 'running'"):
        model.running = 3
    out = model(mt.zeros(1, 2))
    np.testing.assert_allclose(out.numpy(), model.lin.bias.numpy()[None] + [1.0, 2.0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda m: m.register_buffer("weight", mt.ones(1)),
            KeyError,
            "attribute 'weight' already exists",
        ),
        (lambda m: m.register_buffer("a.b", mt.ones(1)), KeyError, 'contain "."\'$'),
        (lambda m: m.register_buffer("", mt.ones(1)), KeyError, "be empty string"),
        (lambda m: m.register_buffer(3, mt.ones(1)), TypeError, "should be a string. Got int"),
        (
            lambda m: m.register_buffer("b", np.ones(2)),
            TypeError,
            "'numpy.ndarray' object to buffer 'b'",
        ),
        (
            lambda m: m.register_parameter("p", mt.ones(1)),
            TypeError,
            "'torch.FloatTensor' object to parameter 'p'",
        ),
        (
            lambda m: m.register_parameter("in_features", None),
            KeyError,
            "'in_features' already exists",
        ),
        (lambda m: m.add_module("q", 3), TypeError, "int is not a Module subclass"),
        (lambda m: m.add_module("a.b", nn.ReLU()), KeyError, 'contain ".", got: a.b'),
        (
            lambda m: setattr(m, "act", nn.ReLU()) or setattr(m, "act", 3),
            TypeError,
            "as child module 'act'",
        ),
        (lambda m: m.get_submodule("nope"), AttributeError, "Linear has no attribute `nope`"),
        (lambda m: m.get_submodule("weight"), AttributeError, "`weight` is not an nn.Module"),
        (lambda m: m.nothing, AttributeError, "'Linear' object has no attribute 'nothing'"),
        (lambda m: m.train(1), ValueError, "training mode is expected to be boolean"),
        (lambda m: m.to(mt.int64), TypeError, "only accepts floating point dtypes"),
        (lambda m: m.to("cuda"), RuntimeError, "CPU only"),
    ],
)
def test_pytorchs_errors(call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(nn.Linear(2, 2, generator=_rng()))


def test_add_module_get_submodule_and_del() -> None:
    model = nn.Sequential(nn.Linear(2, 2, generator=_rng()), nn.Sequential(nn.ReLU()))
    model.register_module("extra", nn.Identity())
    model.add_module("gone", None)
    assert model.get_submodule("1.0") is model[1][0] and model.get_submodule("") is model
    assert [n for n, _ in model.named_children()] == ["0", "1", "extra"]
    assert "extra" in dir(model) and "forward" in dir(model)
    del model.extra
    assert "extra" not in model._modules and not hasattr(model, "extra")


def test_attributes_before_init_are_an_error() -> None:
    class Early(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


# ----- walks ----------------------------------------------------------------------------------------
def test_named_modules_with_a_shared_layer_and_a_memo() -> None:
    shared = nn.Linear(2, 2, generator=_rng())
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in model.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert [n for n, _ in model.named_modules(prefix="p")] == ["p", "p.0", "p.1"]
    memo = {shared}
    assert [n for n, _ in model.named_modules(memo=memo)] == ["", "1"] and len(memo) == 3
    assert [n for n, _ in model.named_children()] == ["0", "1"]
    assert list(model.modules()) == [model, shared, model[1]]
    assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    assert [n for n, _ in shared.named_parameters(prefix="x")] == ["x.weight", "x.bias"]
    assert list(model.parameters(recurse=False)) == []
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_apply_visits_children_first_then_self() -> None:
    shared = nn.Linear(2, 2, generator=_rng())
    inner = nn.Sequential(nn.ReLU())
    model = nn.Sequential(shared, inner, shared)
    seen: list[nn.Module] = []
    assert model.apply(seen.append) is model
    assert seen == [shared, inner[0], inner, model]  # children() lists a shared child once
    left, right = nn.Sequential(shared), nn.Sequential(shared)
    seen.clear()
    nn.Sequential(left, right).apply(seen.append)
    assert seen[:4] == [shared, left, shared, right]  # once under each parent, as PyTorch


def test_a_cycle_ends_every_walk() -> None:
    model = _Parented()
    assert [n for n, _ in itertools.islice(model.named_modules(), 10)] == ["", "child"]
    names = itertools.islice(model.named_modules(remove_duplicate=False), 10)
    assert [n for n, _ in names] == ["", "child"]
    assert [n for n, _ in model.named_parameters()] == ["child.weight", "child.bias"]
    assert list(model.state_dict()) == ["child.weight", "child.bias"]
    assert model.eval() is model and not model.training and not model.child.training
    seen: list[str] = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "_Parented"]
    assert model.double().child.weight.dtype == np.float64
    assert repr(model) == (
        "_Parented(\n"
        "  (child): Linear(\n"
        "    in_features=2, out_features=3, bias=True\n"
        "    (parent): _Parented(...)\n"
        "  )\n"
        ")"
    )
    assert copy.deepcopy(model).child.parent is not model


def _tree(draw_spec: list) -> nn.Module:
    """A Sequential from a nested list: an int n is Linear(n, 1), a list a nested Sequential."""
    return nn.Sequential(
        *(nn.Linear(n, 1, generator=_rng()) if isinstance(n, int) else _tree(n) for n in draw_spec)
    )


def _expected_names(spec: list, prefix: str = "") -> list[str]:
    names = []
    for index, item in enumerate(spec):
        path = f"{prefix}{index}"
        names += (
            [f"{path}.weight", f"{path}.bias"]
            if isinstance(item, int)
            else _expected_names(item, f"{path}.")
        )
    return names


_SPECS = st.recursive(
    st.lists(st.integers(1, 3), max_size=3),
    lambda inner: st.lists(st.one_of(st.integers(1, 3), inner), max_size=3),
    max_leaves=8,
)


@given(_SPECS)
def test_names_of_any_nested_tree_are_the_dotted_paths(spec: list) -> None:
    model = _tree(spec)
    expected = _expected_names(spec)
    assert [n for n, _ in model.named_parameters()] == expected
    assert list(model.state_dict()) == expected
    shapes = [p.shape for p in model.parameters()]
    assert all(s in ((1, s[-1]), (1,)) for s in shapes)


# ----- modes, gradients, calls --------------------------------------------------------------------
def test_train_runs_a_childs_own_train() -> None:
    class Frozen(nn.Module):
        def train(self, mode: bool = True) -> nn.Module:
            return super().train(False)  # always evaluates

    model = nn.Sequential(nn.Dropout(0.5), Frozen())
    model.train()
    assert model.training and model[0].training and not model[1].training


def test_zero_grad_sets_none_or_zeroes_in_place() -> None:
    layer = nn.Linear(2, 2, generator=_rng())
    layer(mt.ones(1, 2)).sum().backward()
    grad = layer.weight.grad
    assert grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad is grad and grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_requires_grad_freezes_every_parameter() -> None:
    model = nn.Sequential(nn.Linear(2, 2, generator=_rng()), nn.Linear(2, 1, generator=_rng(1)))
    assert model[0].requires_grad_(False) is model[0]
    x = mt.ones(1, 2, requires_grad=True)
    model(x).sum().backward()
    assert model[0].weight.grad is None and model[1].weight.grad is not None
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]


def test_call_passes_keyword_arguments_to_forward() -> None:
    class Affine(nn.Module):
        def forward(self, x: mt.Tensor, scale: float = 1.0, *, shift: float = 0.0) -> mt.Tensor:
            return x * scale + shift

    assert Affine()(mt.ones(2), scale=2.0, shift=1.0).tolist() == [3.0, 3.0]
    assert Affine()(x=mt.ones(1)).tolist() == [1.0]


# ----- dtype and device -----------------------------------------------------------------------------
def test_to_float64_keeps_parameters_and_computes_in_float64() -> None:
    model = _WithBuffers()
    weight, bias = model.lin.weight, model.lin.bias
    w32, b32 = weight.numpy().copy(), bias.numpy().copy()
    opt = optim.SGD(model.parameters(), lr=0.5)
    model.lin(mt.ones(1, 2)).sum().backward()
    assert model.to(mt.float64) is model
    assert model.lin.weight is weight and weight.dtype == np.float64 and bias.dtype == np.float64
    assert weight.grad.dtype == np.float64  # gradients are converted too
    assert model.running.dtype == np.float64 and model.scratch.dtype == np.float64
    assert model.count.dtype == np.int64  # integer buffers are left alone
    x = np.array([[0.5, -1.0]])
    out = model(mt.tensor(x))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), x @ w32.astype(np.float64).T + b32)
    opt.step()  # the optimizer built before still holds these parameters
    np.testing.assert_allclose(weight.numpy(), w32 - 0.5 * np.ones((2, 2)), rtol=1e-7)
    assert mt.gradcheck(lambda t: model.lin(t), [mt.tensor(x, requires_grad=True)])
    assert model.float() is model and weight.dtype == np.float32
    assert model.double() is model and weight.dtype == np.float64


@pytest.mark.parametrize(
    "args", [("cpu",), (mt.device("cpu"),), (mt.device("cpu"), mt.float32), (mt.zeros(1),)]
)
def test_to_the_cpu_or_a_tensor_returns_self(args: tuple) -> None:
    model = nn.Linear(2, 2, generator=_rng())
    assert model.to(*args) is model and model.cpu() is model
    assert model.weight.dtype == np.float32


# ----- state_dict and load_state_dict --------------------------------------------------------------
def test_state_dict_is_an_ordered_dict_of_detached_views() -> None:
    layer = nn.Linear(2, 2, generator=_rng())
    state = layer.state_dict()
    assert type(state) is OrderedDict and list(state) == ["weight", "bias"]
    weight = state["weight"]
    assert type(weight) is mt.Tensor and not weight.requires_grad
    assert np.shares_memory(weight.numpy(), layer.weight.numpy())
    snapshot = copy.deepcopy(state)
    with mt.no_grad():
        layer.weight.fill_(3.0)
    assert weight.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert not np.shares_memory(snapshot["weight"].numpy(), layer.weight.numpy())
    assert snapshot["weight"].tolist() != weight.tolist()
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight
    assert list(layer.state_dict(prefix="fc.")) == ["fc.weight", "fc.bias"]


def test_load_state_dict_strict_and_not() -> None:
    model = nn.Sequential(nn.Linear(2, 2, generator=_rng()))
    result = model.load_state_dict(model.state_dict())
    assert result == ([], []) and repr(result) == "<All keys matched successfully>"
    result = model.load_state_dict({"0.weight": np.ones((2, 2)), "x": 1}, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["x"]
    assert repr(result) == "_IncompatibleKeys(missing_keys=['0.bias'], unexpected_keys=['x'])"
    assert model[0].weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(ValueError, match=r"missing keys \['0.bias'\]; unexpected keys \['x'\]"):
        model.load_state_dict({"0.weight": np.ones((2, 2)), "x": 1})


def test_load_state_dict_checks_everything_before_changing_anything() -> None:
    model = _WithBuffers()
    before = copy.deepcopy(model.state_dict())
    good = {k: v.numpy() + 1 for k, v in before.items()}
    with pytest.raises(
        ValueError, match=r"shape mismatch in lin.weight: expected \(2, 2\), got \(3, 2\); lin.bias"
    ):
        model.load_state_dict({**good, "lin.weight": np.ones((3, 2)), "lin.bias": np.ones(5)})
    with pytest.raises(TypeError, match=r"running: .*dtype <U1; lin.bias: .*got dict"):
        model.load_state_dict({**good, "running": np.array(["a", "b"]), "lin.bias": {}})
    with pytest.raises(ValueError, match=r"lin.weight: .*ragged"):
        model.load_state_dict({**good, "lin.weight": [[1.0], [1.0, 2.0]]}, strict=False)
    with pytest.raises(ValueError, match=r"shape mismatch in lin.bias"):  # even when not strict
        model.load_state_dict({"lin.bias": np.ones(3)}, strict=False)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_load_state_dict_casts_into_the_existing_arrays() -> None:
    model = _WithBuffers()
    arrays = [t.numpy() for t in model.state_dict().values()]
    model.load_state_dict(
        {
            "running": [1, 2],  # ints into float32
            "count": mt.tensor(7),
            "lin.weight": np.full((2, 2), 0.25, dtype=np.float64),
            "lin.bias": mt.tensor([True, False]),
        }
    )
    assert model.running.tolist() == [1.0, 2.0] and model.running.dtype == np.float32
    assert model.count.item() == 7 and model.lin.weight.dtype == np.float32
    assert model.lin.weight.tolist() == [[0.25, 0.25], [0.25, 0.25]]
    assert model.lin.bias.tolist() == [1.0, 0.0]
    assert all(t.numpy() is a for t, a in zip(model.state_dict().values(), arrays))


def test_a_tensor_deepcopies_into_independent_values() -> None:
    t = mt.tensor([1.0, 2.0], requires_grad=True)
    d = copy.deepcopy(t)
    d.numpy()[0] = 5.0
    assert t.tolist() == [1.0, 2.0] and d.requires_grad and type(d) is mt.Tensor


# ----- containers ------------------------------------------------------------------------------
def test_sequential_from_an_ordered_dict_and_its_list_operations() -> None:
    a, b, c = nn.ReLU(), nn.Linear(1, 1, generator=_rng()), nn.Tanh()
    seq = nn.Sequential(OrderedDict([("act", a), ("fc", b)]))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert list(seq[1:]._modules) == ["fc"] and seq[-1] is b
    seq.append(c)
    assert list(seq._modules) == ["act", "fc", "2"] and len(seq) == 3 and list(seq) == [a, b, c]
    seq[0] = nn.Sigmoid()
    assert list(seq._modules) == ["act", "fc", "2"] and type(seq.act).__name__ == "Sigmoid"
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and list(seq) == [b, c]
    seq.insert(0, a)
    assert list(seq) == [a, b, c] and seq.pop(1) is b and list(seq) == [a, c]
    with pytest.raises(IndexError, match="index 2 is out of range"):
        seq[2]
    assert (seq + nn.Sequential(b))[2] is b
    x = mt.tensor([[-1.0, 2.0]])
    assert nn.Sequential(nn.ReLU(), nn.Identity())(x).tolist() == [[0.0, 2.0]]


def test_module_list_and_its_repr() -> None:
    layers = nn.ModuleList([nn.ReLU(), nn.ReLU()])
    layers.append(nn.Linear(2, 3, generator=_rng())).extend([nn.ReLU()])
    layers.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in layers] == ["Tanh", "ReLU", "ReLU", "Linear", "ReLU"]
    assert len(layers) == 5 and layers[-2] is layers[3] and isinstance(layers[1:3], nn.ModuleList)
    assert [n for n, _ in layers.named_parameters()] == ["3.weight", "3.bias"]
    assert repr(layers) == (
        "ModuleList(\n"
        "  (0): Tanh()\n"
        "  (1-2): 2 x ReLU()\n"
        "  (3): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (4): ReLU()\n"
        ")"
    )
    del layers[1:3]
    assert list(layers._modules) == ["0", "1", "2"] and repr(nn.ModuleList()) == "ModuleList()"
    with pytest.raises(NotImplementedError):
        layers(mt.ones(1))


def test_module_dict() -> None:
    heads = nn.ModuleDict({"a": nn.Linear(1, 1, generator=_rng())})
    heads["b"] = nn.ReLU()
    heads.update([("c", nn.Tanh())])
    assert list(heads) == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert list(heads.state_dict()) == ["a.weight", "a.bias"]
    assert type(heads.pop("b")).__name__ == "ReLU" and list(heads.keys()) == ["a", "c"]
    assert repr(nn.ModuleDict({"t": nn.Tanh()})) == "ModuleDict(\n  (t): Tanh()\n)"


def test_parameter_list() -> None:
    params = nn.ParameterList([nn.Parameter(np.ones(2)), mt.zeros(3, 4)])
    assert all(isinstance(p, nn.Parameter) for p in params) and len(params) == 2
    assert list(params.state_dict()) == ["0", "1"]
    assert repr(params) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [torch.float32 of size 2]\n"
        "    (1): Parameter containing: [torch.float32 of size 3x4]\n"
        ")"
    )
    with pytest.raises(RuntimeError, match="should not be called"):
        params()


def test_reprs_as_pytorchs() -> None:
    class TwoLines(nn.Module):
        def extra_repr(self) -> str:
            return "a\nb"

    assert repr(TwoLines()) == "TwoLines(\n  a\n  b\n)"
    assert repr(nn.Sequential()) == "Sequential()" and repr(nn.Identity(3, k=1)) == "Identity()"
    model = _WithBuffers()
    model.gone = nn.ReLU()
    model.gone = None
    assert repr(model) == (
        "_WithBuffers(\n"
        "  (lin): Linear(in_features=2, out_features=2, bias=True)\n"
        "  (gone): None\n"
        ")"
    )


# ----- lazy layers --------------------------------------------------------------------------------
def test_lazy_linear_before_and_after_its_first_call() -> None:
    layer = nn.LazyLinear(4, generator=_rng(5))
    assert repr(layer) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    assert isinstance(layer, nn.Linear) and layer.has_uninitialized_params()
    weight = layer.weight
    assert (
        isinstance(weight, nn.UninitializedParameter) and repr(weight) == "<UninitializedParameter>"
    )
    with pytest.raises(RuntimeError, match="shape of an uninitialized parameter"):
        _ = weight.shape
    with pytest.raises(ValueError, match="uninitialized parameter"):
        sum(p.numel() for p in layer.parameters())
    opt = optim.SGD(layer.parameters(), lr=0.1)  # built before the shapes are known
    x = _rng(1).standard_normal((5, 3)).astype(np.float32)
    out = layer(mt.tensor(x))
    assert type(layer) is nn.Linear and layer.in_features == 3 and layer.weight is weight
    assert type(weight) is nn.Parameter and weight.shape == (4, 3) and layer.bias.shape == (4,)
    assert repr(layer) == "Linear(in_features=3, out_features=4, bias=True)"
    np.testing.assert_allclose(out.numpy(), x @ weight.numpy().T + layer.bias.numpy(), rtol=1e-6)
    reference = nn.Linear(3, 4, generator=_rng(5))  # the same draws from the same seed
    np.testing.assert_array_equal(weight.numpy(), reference.weight.numpy())
    w0 = weight.numpy().copy()
    out.sum().backward()
    opt.step()
    np.testing.assert_allclose(weight.numpy(), w0 - 0.1 * x.sum(axis=0)[None, :], rtol=1e-5)


def test_lazy_linear_options() -> None:
    layer = nn.LazyLinear(2, bias=False)
    assert layer(mt.ones(3)).shape == (2,) and layer.bias is None
    assert nn.LazyLinear(2, dtype=mt.float64).weight.dtype == np.float64
    late = nn.LazyLinear(2).double()  # the dtype is known before the shape
    assert late(mt.ones(1, 3, dtype=mt.float64)).dtype == np.float64
    with pytest.raises(TypeError, match="expects a Tensor, got list"):
        nn.LazyLinear(2)([1.0, 2.0])
    loaded = nn.LazyLinear(2)
    source = nn.Linear(3, 2, generator=_rng())
    assert loaded.load_state_dict(source.state_dict()) == ([], [])
    assert loaded.weight.shape == (2, 3) and type(loaded) is nn.LazyLinear
    np.testing.assert_array_equal(loaded(mt.ones(1, 3)).numpy(), source(mt.ones(1, 3)).numpy())
    assert type(loaded) is nn.Linear and loaded.in_features == 3


def test_lazy_conv2d_infers_in_channels() -> None:
    conv = nn.LazyConv2d(8, 3, padding=1, generator=_rng(2))
    assert repr(conv) == "LazyConv2d(0, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert isinstance(conv, nn.Conv2d) and conv.in_channels == 0
    x = _rng(3).standard_normal((2, 3, 5, 5)).astype(np.float32)
    out = conv(mt.tensor(x))
    reference = nn.Conv2d(3, 8, 3, padding=1, generator=_rng(2))
    assert type(conv) is nn.Conv2d and conv.in_channels == 3 and conv.weight.shape == (8, 3, 3, 3)
    np.testing.assert_array_equal(conv.weight.numpy(), reference.weight.numpy())
    np.testing.assert_allclose(out.numpy(), reference(mt.tensor(x)).numpy(), rtol=1e-6)
    assert repr(conv) == "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"


def test_lazy_conv2d_options_and_errors() -> None:
    grouped = nn.LazyConv2d(8, 3, 1, 0, 1, 2)  # positional stride, padding, dilation, groups
    assert grouped(mt.ones(2, 4, 5, 5)).shape == (2, 8, 3, 3) and grouped.weight.shape == (
        8,
        2,
        3,
        3,
    )
    assert nn.LazyConv2d(8, 3)(mt.ones(3, 5, 5)).shape == (8, 3, 3)  # unbatched (C, H, W)
    assert nn.LazyConv2d(8, 3, bias=False)(mt.ones(1, 2, 4, 4)).shape == (1, 8, 2, 2)
    with pytest.raises(ValueError, match=r"divisible by groups \(2\)"):
        nn.LazyConv2d(8, 3, groups=2)(mt.ones(2, 3, 5, 5))
    with pytest.raises(ValueError, match=r"Expected 3D \(unbatched\) or 4D .*\(5, 5\)"):
        nn.LazyConv2d(8, 3)(mt.ones(5, 5))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        nn.LazyConv2d(8, 3, stride=0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        nn.LazyConv2d(8, 3, strides=2)


def test_a_lazy_model_trains() -> None:
    model = nn.Sequential(
        nn.LazyConv2d(4, 3, generator=_rng()),
        nn.ReLU(),
        nn.Flatten(),
        nn.LazyLinear(2, generator=_rng(1)),
    )
    x = mt.tensor(_rng(2).standard_normal((8, 1, 6, 6)).astype(np.float32))
    target = np.arange(8) % 2
    model(x)  # the dry run that gives the shapes
    assert sum(p.numel() for p in model.parameters()) == 4 * 9 + 4 + 2 * 64 + 2
    opt = optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = mt.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# ----- Linear, Parameter, nn.init -------------------------------------------------------------------
def test_linear_options_and_init() -> None:
    layer = nn.Linear(400, 3, generator=_rng())
    bound = 1 / np.sqrt(400)
    for values in (layer.weight.numpy(), layer.bias.numpy()):
        assert np.abs(values).max() <= bound * (1 + 1e-6)
    w = layer.weight.numpy().astype(np.float64) / bound  # uniform on [-1, 1]: variance 1/3
    assert abs(w.var() - 1 / 3) < 0.05 and w.min() < -0.95 and w.max() > 0.95
    double = nn.Linear(3, 2, dtype=mt.float64, device="cpu")
    assert double.weight.dtype == np.float64 and double.bias.dtype == np.float64
    no_bias = nn.Linear(3, 2, bias=False)
    assert "bias" in no_bias._parameters and no_bias.bias is None
    with pytest.raises(TypeError, match="bias must be a bool, got str 'no'"):
        nn.Linear(3, 2, bias="no")
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Linear(3, 2, device="cuda")
    with pytest.raises(TypeError, match="floating point, got dtype=int64"):
        nn.Linear(3, 2, dtype=mt.int64)


def test_parameter_keeps_a_tensors_dtype() -> None:
    assert nn.Parameter(mt.ones(2, dtype=mt.float64)).dtype == np.float64
    counts = nn.Parameter(mt.tensor([1, 2]), requires_grad=False)
    assert counts.dtype == np.int64 and not counts.requires_grad
    assert nn.Parameter().shape == (0,)


def test_nn_init_is_the_init_module() -> None:
    import minitorch_cnn.nn.init as init_by_path
    from minitorch_cnn.nn import init as init_by_name

    assert init_by_path is mt.init and init_by_name is mt.init and nn.init is mt.init
    weight = nn.Parameter(np.zeros((4, 6)))
    with mt.no_grad():
        nn.init.xavier_uniform_(weight)
    assert np.abs(weight.numpy()).max() <= np.sqrt(6 / 10) and weight.numpy().any()


def test_forward_hooks_see_and_may_replace_inputs_and_outputs() -> None:
    layer = nn.Linear(2, 2)
    seen = []
    handle = layer.register_forward_hook(lambda m, args, out: seen.append((m, args[0], out)))
    x = mt.ones(1, 2)
    out = layer(x)
    assert seen[0][0] is layer and seen[0][1] is x and seen[0][2] is out
    with layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,)):
        assert np.array_equal(layer(x).detach().numpy(), layer.bias.detach().numpy()[None])
    doubled = layer.register_forward_hook(lambda m, args, out: out * 2)
    np.testing.assert_allclose(layer(x).detach().numpy(), 2 * out.detach().numpy(), rtol=1e-6)
    handle.remove()
    doubled.remove()
    count = len(seen)
    layer(x)
    assert len(seen) == count  # removed hooks no longer run
    with pytest.raises(TypeError, match="callable"):
        layer.register_forward_hook("not a function")


def test_half_casts_the_parameters_to_float16() -> None:
    layer = nn.Linear(2, 2)
    weight = layer.weight
    assert layer.half() is layer and layer.weight is weight  # the same Parameter, recast
    assert layer.weight.dtype == np.float16 and layer(mt.ones(1, 2).half()).dtype == np.float16
