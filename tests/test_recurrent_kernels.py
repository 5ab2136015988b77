"""The fused recurrent kernels (`lstm_sequence`, `gru_sequence`, `simple_rnn_sequence`).

The checks of results run on both implementations of the time loops, the NumPy loops and the
compiled ones (the optional extension `_fastrnn`; skipped when it is not built):

* against a plain per-step reference built here from tape ops (TF.js's `rnn()` loop and cell
  math), forward and backward, in float64, for drawn option combinations;
* against central finite differences;
* against TF.js 4.22 golden outputs (tests/fixtures/tfjs (a copy of ../shared/fixtures)), in
  float64 and float32;
* compiled against NumPy loops in float32 and float64 on larger shapes, for every code path of
  the extension (ISA, GEMM choice, batch chunks on threads); its activations and GEMM against
  NumPy; the environment switch;
* argument checking and the no-tape inference path.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmkit
from lstmkit import activations
from lstmkit._precision import float64
from lstmkit.autograd import ops, recurrent, tape
from lstmkit.autograd.recurrent import gru_sequence, lstm_sequence, simple_rnn_sequence
from lstmkit.tensor import Tensor
from tfjs_fixtures import FIXTURES

TOL = 1e-6

EXT = recurrent._load_extension()
needs_ext = pytest.mark.skipif(EXT is None, reason="the _fastrnn extension is not built")
PATHS = ["numpy", pytest.param("compiled", marks=needs_ext)]
_OPTION_KEYS = (
    "isa",
    "gemm",
    "pack_limit",
    "threads",
    "min_parallel_work",
    "cold_parallel_work",
    "spin_us",
    "min_chunk_rows",
    "adaptive",
    "row_block_bytes",
)


@contextlib.contextmanager
def loops(path: str, **options):
    """Run the kernels on the NumPy loops or the compiled ones (with extension `options`)."""
    previous = recurrent.use_extension(path == "compiled")
    saved = EXT.options() if EXT is not None else None
    try:
        if options:
            EXT.options(**options)
        yield
    finally:
        recurrent.use_extension(previous)
        if saved is not None:
            EXT.options(**{k: saved[k] for k in _OPTION_KEYS})


# ---------------------------------------------------------------------------------------------
# Reference: TF.js's per-step loop, written with tape ops only
# ---------------------------------------------------------------------------------------------
def _act(spec):
    return activations.get(spec)  # callable on Tensors, recorded on the tape


def _const(a):
    return Tensor._wrap(np.ascontiguousarray(a, dtype=np.float64))


def _ref_loop(cell, x, states, *, go_backwards, return_sequences, mask):
    """TF.js `rnn()`: unstack over time, step, blend masked steps, stack."""
    steps = ops.unstack(x, 1)
    masks = None
    if mask is not None:
        mf = np.asarray(mask, np.float64)
        masks = [mf[:, t : t + 1] for t in range(mf.shape[1])]
    order = list(range(len(steps)))
    if go_backwards:
        order.reverse()
    outs = []
    for t in order:
        out, new = cell(steps[t], states)
        if masks is not None:
            m = _const(masks[t])
            mc = _const(1.0 - masks[t])
            out = ops.add(ops.mul(out, m), ops.mul(states[0], mc))
            new = [ops.add(ops.mul(n, m), ops.mul(s, mc)) for n, s in zip(new, states)]
        states = new
        outs.append(out)
    output = ops.stack(outs, 1) if return_sequences else outs[-1]
    return output, states


def ref_lstm(x, K, R, b, states, *, act, rec, dm, rdm, **kw):
    f_act, f_rec = _act(act), _act(rec)

    def cell(xt, st):
        h, c = st
        if dm is not None:
            xt = ops.mul(xt, _const(dm))
        if rdm is not None:
            h = ops.mul(h, _const(rdm))
        z = ops.add(ops.matmul(xt, K), ops.matmul(h, R))
        if b is not None:
            z = ops.add(z, b)
        z0, z1, z2, z3 = ops.split(z, 4, 1)
        i, f, o = f_rec(z0), f_rec(z1), f_rec(z3)
        c = ops.add(ops.mul(f, c), ops.mul(i, f_act(z2)))
        h = ops.mul(o, f_act(c))
        return h, [h, c]

    return _ref_loop(cell, x, states, **kw)


def ref_gru(x, K, R, b, states, *, act, rec, dm, rdm, reset_after, **kw):
    f_act, f_rec = _act(act), _act(rec)
    U = R.shape[0]

    def cell(xt, st):
        (h,) = st
        if dm is not None:
            xt = ops.mul(xt, _const(dm))
        if rdm is not None:
            h = ops.mul(h, _const(rdm))  # TF.js: the dropped h is used everywhere in the cell
        mx = ops.matmul(xt, K)
        if reset_after:
            inner = ops.matmul(h, R)
            if b is not None:
                b_in, b_rec = ops.unstack(b, 0)
                mx = ops.add(mx, b_in)
                inner = ops.add(inner, b_rec)
            xz, xr, xh = ops.split(mx, 3, 1)
            rz, rr, rh = ops.split(inner, 3, 1)
            z = f_rec(ops.add(xz, rz))
            r = f_rec(ops.add(xr, rr))
            hh = f_act(ops.add(xh, ops.mul(r, rh)))
        else:
            if b is not None:
                mx = ops.add(mx, b)
            rk1, rk2 = ops.split(R, [2 * U, U], 1)
            xz, xr, xh = ops.split(mx, 3, 1)
            rz, rr = ops.split(ops.matmul(h, rk1), 2, 1)
            z = f_rec(ops.add(xz, rz))
            r = f_rec(ops.add(xr, rr))
            hh = f_act(ops.add(xh, ops.matmul(ops.mul(r, h), rk2)))
        one_minus_z = ops.sub(_const(np.ones(z.shape)), z)
        hn = ops.add(ops.mul(z, h), ops.mul(one_minus_z, hh))
        return hn, [hn]

    return _ref_loop(cell, x, states, **kw)


def ref_simple(x, K, R, b, states, *, act, dm, rdm, **kw):
    f_act = _act(act)

    def cell(xt, st):
        (h,) = st
        if dm is not None:
            xt = ops.mul(xt, _const(dm))
        if rdm is not None:
            h = ops.mul(h, _const(rdm))
        z = ops.matmul(xt, K)
        if b is not None:
            z = ops.add(z, b)
        hn = f_act(ops.add(z, ops.matmul(h, R)))
        return hn, [hn]

    return _ref_loop(cell, x, states, **kw)


# ---------------------------------------------------------------------------------------------
# Drawing cases
# ---------------------------------------------------------------------------------------------
# Names take the kernels' built-in fast paths (or the registry for elu / softsign / softmax);
# registry objects force the generic per-gate path for the same functions.
ACTS = [
    "tanh",
    "sigmoid",
    "hardSigmoid",
    "hard_sigmoid",
    "relu",
    "linear",
    None,
    "elu",
    "softsign",
    "softmax",
    activations.get("tanh"),
    activations.get("hardSigmoid"),
    activations.get("sigmoid"),
]

CELLS = {"lstm": (4, 2), "gru": (3, 1), "gru_ra": (3, 1), "simple": (1, 1)}


def make_case(kind, rng, B, T, I, U, *, bias, init, mask, dmask, rdmask, mask_float=False):
    ng, n_states = CELLS[kind]
    c = {
        "x": rng.normal(size=(B, T, I)),
        "K": rng.normal(scale=0.7, size=(I, ng * U)),
        "R": rng.normal(scale=0.7, size=(U, ng * U)),
        "b": None,
        "states": None,
        "mask": None,
        "dm": None,
        "rdm": None,
    }
    if bias:
        shape = (2, ng * U) if kind == "gru_ra" else (ng * U,)
        c["b"] = rng.normal(scale=0.5, size=shape)
    if init:
        c["states"] = [rng.normal(scale=0.5, size=(B, U)) for _ in range(n_states)]
    if mask:
        m = rng.random((B, T)) < 0.7
        c["mask"] = m.astype(np.float64) if mask_float else m
    if dmask:
        c["dm"] = rng.choice([0.0, 1.0 / 0.7], size=(B, I)) * rng.uniform(0.8, 1.2, size=(B, I))
    if rdmask:
        c["rdm"] = rng.choice([0.0, 1.0 / 0.6], size=(B, U)) * rng.uniform(0.8, 1.2, size=(B, U))
    return c


def _leaves(c):
    """Fresh leaf tensors (x, K, R, [b], [states...]) that receive gradients."""
    arrs = [c["x"], c["K"], c["R"]]
    if c["b"] is not None:
        arrs.append(c["b"])
    if c["states"] is not None:
        arrs += list(c["states"])
    leaves = []
    for a in arrs:
        t = Tensor._wrap(np.array(a, np.float64, copy=True))
        t._requires_grad = True
        leaves.append(t)
    return leaves


def _split_leaves(c, leaves):
    x, K, R = leaves[:3]
    rest = leaves[3:]
    b = None
    if c["b"] is not None:
        b, rest = rest[0], rest[1:]
    states = rest if c["states"] is not None else None
    return x, K, R, b, states


def run_fused(kind, c, leaves, opts):
    x, K, R, b, states = _split_leaves(c, leaves)
    kw = dict(
        activation=opts["act"],
        go_backwards=opts["go_backwards"],
        return_sequences=opts["return_sequences"],
        mask=c["mask"],
        dropout_mask=c["dm"],
        recurrent_dropout_mask=c["rdm"],
    )
    if kind == "lstm":
        return lstm_sequence(x, K, R, b, states, recurrent_activation=opts["rec"], **kw)
    if kind in ("gru", "gru_ra"):
        return gru_sequence(
            x,
            K,
            R,
            b,
            states,
            recurrent_activation=opts["rec"],
            reset_after=kind == "gru_ra",
            **kw,
        )
    return simple_rnn_sequence(x, K, R, b, states, **kw)


def run_ref(kind, c, leaves, opts):
    x, K, R, b, states = _split_leaves(c, leaves)
    B, U = c["x"].shape[0], c["R"].shape[0]
    if states is None:
        states = [_const(np.zeros((B, U))) for _ in range(CELLS[kind][1])]
    kw = dict(
        act=opts["act"],
        dm=c["dm"],
        rdm=c["rdm"],
        go_backwards=opts["go_backwards"],
        return_sequences=opts["return_sequences"],
        mask=c["mask"],
    )
    if kind == "lstm":
        return ref_lstm(x, K, R, b, states, rec=opts["rec"], **kw)
    if kind in ("gru", "gru_ra"):
        return ref_gru(x, K, R, b, states, rec=opts["rec"], reset_after=kind == "gru_ra", **kw)
    return ref_simple(x, K, R, b, states, **kw)


def forward_and_grads(runner, kind, c, opts, weights):
    """Outputs and d(loss)/d(leaves), loss = Σ_k Σ out_k * weights_k over the op's outputs."""
    leaves = _leaves(c)
    with tape.recording():
        out, states = runner(kind, c, leaves, opts)
        outs = [out] + list(states)
        loss = None
        for o, w in zip(outs, weights):
            if w is None:
                continue
            term = ops.sum(ops.mul(o, _const(w)))
            loss = term if loss is None else ops.add(loss, term)
    grads = tape.backprop(loss, None, leaves)
    return [o.numpy() for o in outs], grads


def loss_weights(rng, kind, B, T, U, return_sequences, which):
    n_states = CELLS[kind][1]
    shapes = [(B, T, U) if return_sequences else (B, U)] + [(B, U)] * n_states
    return [rng.normal(size=s) if use else None for s, use in zip(shapes, which)]


def compare(kind, seed, B, T, I, U, opts, flags, which, path="numpy"):
    rng = np.random.default_rng(seed)
    with float64():
        c = make_case(kind, rng, B, T, I, U, **flags)
        which = list(which[: 1 + CELLS[kind][1]])
        if not builtin_any(which):
            which[0] = True
        w = loss_weights(rng, kind, B, T, U, opts["return_sequences"], which)
        with loops(path):
            outs_f, g_f = forward_and_grads(run_fused, kind, c, opts, w)
        outs_r, g_r = forward_and_grads(run_ref, kind, c, opts, w)
    assert len(outs_f) == len(outs_r)
    for a, r in zip(outs_f, outs_r):
        assert a.shape == r.shape
        np.testing.assert_allclose(a, r, rtol=TOL, atol=TOL)
    for k, (a, r) in enumerate(zip(g_f, g_r)):
        a = np.zeros_like(c["x"] if k == 0 else a) if a is None else a
        r = np.zeros_like(a) if r is None else r
        np.testing.assert_allclose(a, r, rtol=TOL, atol=TOL, err_msg=f"gradient of leaf {k}")


builtin_any = any

dims = dict(B=st.integers(1, 3), T=st.integers(1, 4), I=st.integers(1, 3), U=st.integers(1, 3))
option_flags = st.fixed_dictionaries(
    dict(
        bias=st.booleans(),
        init=st.booleans(),
        mask=st.booleans(),
        dmask=st.booleans(),
        rdmask=st.booleans(),
        mask_float=st.booleans(),
    )
)
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _opts(draw_act, draw_rec, go_backwards, return_sequences):
    return dict(
        act=draw_act, rec=draw_rec, go_backwards=go_backwards, return_sequences=return_sequences
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_ra", "simple"])
@SETTINGS
@given(
    seed=st.integers(0, 2**31 - 1),
    act=st.sampled_from(ACTS),
    rec=st.sampled_from(ACTS),
    go_backwards=st.booleans(),
    return_sequences=st.booleans(),
    flags=option_flags,
    which=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    **dims,
)
def test_fused_matches_reference(
    path, kind, seed, act, rec, go_backwards, return_sequences, flags, which, B, T, I, U
):
    opts = _opts(act, rec, go_backwards, return_sequences)
    compare(kind, seed, B, T, I, U, opts, flags, which, path)


MIXED_ACTS = [
    ("tanh", "hardSigmoid"),  # the default fast path
    ("softsign", "sigmoid"),  # generic activation, fast recurrent activation
    ("tanh", "registry:hardSigmoid"),  # fast activation, generic recurrent activation
    ("relu", "softmax"),  # a non-element-wise generic recurrent activation
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_ra", "simple"])
@pytest.mark.parametrize("acts", MIXED_ACTS, ids=lambda p: "-".join(p))
@pytest.mark.parametrize("go_backwards", [False, True])
def test_fused_matches_reference_larger(path, kind, acts, go_backwards):
    """A longer sequence with every option on, for each fast / generic activation mix."""
    act, rec = (activations.get(a[9:]) if a.startswith("registry:") else a for a in acts)
    opts = _opts(act, rec, go_backwards=go_backwards, return_sequences=True)
    flags = dict(bias=True, init=True, mask=True, dmask=True, rdmask=True)
    compare(kind, 7, 4, 9, 3, 5, opts, flags, (True, True, True), path)


# ---------------------------------------------------------------------------------------------
# Finite differences
# ---------------------------------------------------------------------------------------------
def _fd_check(kind, opts, flags, seed=3, B=2, T=3, I=2, U=2, eps=1e-6):
    rng = np.random.default_rng(seed)
    with float64():
        c = make_case(kind, rng, B, T, I, U, **flags)
        w = loss_weights(rng, kind, B, T, U, opts["return_sequences"], (True, True, True))

        def loss_of(arrs):
            leaves = [Tensor._wrap(np.asarray(a, np.float64)) for a in arrs]
            out, states = run_fused(kind, c, leaves, opts)
            return sum(float(np.sum(o.numpy() * wk)) for o, wk in zip([out] + states, w))

        _, g = forward_and_grads(run_fused, kind, c, opts, w)
        base = [t.numpy() for t in _leaves(c)]
        for k, arr in enumerate(base):
            num = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                hi = [a.copy() for a in base]
                lo = [a.copy() for a in base]
                hi[k][idx] += eps
                lo[k][idx] -= eps
                num[idx] = (loss_of(hi) - loss_of(lo)) / (2 * eps)
            np.testing.assert_allclose(g[k], num, rtol=1e-5, atol=1e-7, err_msg=f"leaf {k}")


FD_CASES = [
    (
        "lstm",
        dict(act="tanh", rec="hardSigmoid", go_backwards=False, return_sequences=True),
        dict(bias=True, init=True, mask=False, dmask=False, rdmask=False),
    ),
    (
        "lstm",
        dict(act="tanh", rec="sigmoid", go_backwards=True, return_sequences=False),
        dict(bias=True, init=True, mask=True, dmask=True, rdmask=True),
    ),
    (
        "lstm",
        dict(act="softsign", rec="sigmoid", go_backwards=False, return_sequences=True),
        dict(bias=False, init=True, mask=True, dmask=False, rdmask=True),
    ),
    (
        "gru",
        dict(act="tanh", rec="sigmoid", go_backwards=False, return_sequences=True),
        dict(bias=True, init=True, mask=True, dmask=True, rdmask=True),
    ),
    (
        "gru_ra",
        dict(act="tanh", rec="sigmoid", go_backwards=True, return_sequences=True),
        dict(bias=True, init=True, mask=True, dmask=True, rdmask=True),
    ),
    (
        "gru_ra",
        dict(act="elu", rec="tanh", go_backwards=False, return_sequences=False),
        dict(bias=True, init=False, mask=False, dmask=False, rdmask=False),
    ),
    (
        "simple",
        dict(act="tanh", rec=None, go_backwards=True, return_sequences=True),
        dict(bias=True, init=True, mask=True, dmask=True, rdmask=True),
    ),
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind,opts,flags", FD_CASES)
def test_gradients_match_finite_differences(path, kind, opts, flags):
    with loops(path):
        _fd_check(kind, opts, flags)


# ---------------------------------------------------------------------------------------------
# TF.js golden outputs
# ---------------------------------------------------------------------------------------------
def _read_fixture(name):
    folder = FIXTURES / name
    model = json.loads((folder / "model.json").read_text())
    case = json.loads((folder / "case.json").read_text())
    raw = (folder / "weights.bin").read_bytes()
    weights, offset = [], 0
    for spec in model["weightsManifest"][0]["weights"]:
        assert spec["dtype"] == "float32"
        n = int(np.prod(spec["shape"]))
        weights.append(np.frombuffer(raw, "<f4", n, offset).reshape(spec["shape"]))
        offset += 4 * n
    assert offset == len(raw)
    return model, case, weights


def _entry(e):
    return np.asarray(e["values"], np.float64).reshape(e["shape"])


def _run_model(model, weights, x):
    """Run a chain of Masking / Embedding / LSTM / GRU / SimpleRNN / Dense layers (float64)."""
    topo = model["modelTopology"]
    layers = topo["config"]["layers"] if "config" in topo else topo["model_config"]["config"]
    weights = list(weights)
    mask = None
    outs = None
    for layer in layers:
        cls, cfg = layer["class_name"], layer["config"]
        if cls == "InputLayer":
            continue
        if cls == "Masking":
            mask = np.any(x != cfg["mask_value"], axis=-1)
            x = x * mask[..., None]
        elif cls == "Embedding":
            table = weights.pop(0).astype(np.float64)
            ids = x.astype(np.int64)
            if cfg.get("mask_zero"):
                mask = ids != 0
            x = table[ids]
        elif cls in ("LSTM", "GRU", "SimpleRNN"):
            K = weights.pop(0)
            R = weights.pop(0)
            b = weights.pop(0) if cfg["use_bias"] else None
            kw = dict(
                activation=cfg["activation"],
                go_backwards=cfg["go_backwards"],
                return_sequences=cfg["return_sequences"],
                mask=mask,
            )
            if cls == "LSTM":
                y, states = lstm_sequence(
                    x, K, R, b, recurrent_activation=cfg["recurrent_activation"], **kw
                )
            elif cls == "GRU":
                y, states = gru_sequence(
                    x,
                    K,
                    R,
                    b,
                    recurrent_activation=cfg["recurrent_activation"],
                    reset_after=bool(cfg.get("reset_after")),
                    **kw,
                )
            else:
                y, states = simple_rnn_sequence(x, K, R, b, **kw)
            if not cfg["return_sequences"]:
                mask = None
            x = y.numpy()
            outs = [x] + [s.numpy() for s in states] if cfg.get("return_state") else None
        elif cls == "Dense":
            W = weights.pop(0)
            z = x @ W
            if cfg["use_bias"]:
                z = z + weights.pop(0)
            x = activations.get(cfg["activation"]).forward_np(z)
        else:
            raise AssertionError(f"layer {cls} not handled by this test")
    assert not weights
    return outs if outs is not None else [x]


GOLDEN = [
    "lstm_default",
    "gru_default",
    "simple_rnn",
    "lstm_backwards_relu_nobias",
    "gru_seq_backwards_sigmoid",
    "lstm_return_state",
    "lstm_keraslike_seq",
    "masking_gru_seq",
    "stacked_mixed",
    "embedding_mask_lstm",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", GOLDEN)
def test_tfjs_golden(path, name):
    model, case, weights = _read_fixture(name)
    with float64(), loops(path):
        for pred in case["predict"]:
            got = _run_model(model, weights, _entry(pred["x"]))
            want = [_entry(y) for y in pred["y"]]
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert g.shape == w.shape
                np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", GOLDEN)
def test_tfjs_golden_in_float32(path, name):
    """The default float32 computation gives TF.js's numbers to 1e-5."""
    model, case, weights = _read_fixture(name)
    with loops(path):
        for pred in case["predict"]:
            got = _run_model(model, weights, _entry(pred["x"]).astype(np.float32))
            for g, w in zip(got, [_entry(y) for y in pred["y"]]):
                np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("path", PATHS)
def test_golden_in_float32(path):
    """The default float32 path gives TF.js's numbers to float32 accuracy."""
    model, case, weights = _read_fixture("lstm_default")
    pred = case["predict"][0]
    x = _entry(pred["x"]).astype(np.float32)
    with loops(path):
        y, (h, c) = lstm_sequence(x, *weights[:3])
    assert y._data.dtype == np.float32 and h._data.dtype == np.float32
    out = y.numpy() @ weights[3] + weights[4]
    np.testing.assert_allclose(out, _entry(pred["y"][0]), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Semantics details
# ---------------------------------------------------------------------------------------------
def test_go_backwards_sequence_not_re_reversed():
    rng = np.random.default_rng(0)
    with float64():
        x = rng.normal(size=(2, 5, 3))
        K, R = rng.normal(size=(3, 8)), rng.normal(size=(2, 8))
        fwd, _ = lstm_sequence(x[:, ::-1].copy(), K, R, return_sequences=True)
        bwd, _ = lstm_sequence(x, K, R, return_sequences=True, go_backwards=True)
        np.testing.assert_array_equal(fwd.numpy(), bwd.numpy())


def test_masked_steps_carry_state():
    rng = np.random.default_rng(1)
    with float64():
        x = rng.normal(size=(1, 4, 2))
        K, R = rng.normal(size=(2, 9)), rng.normal(size=(3, 9))
        mask = np.array([[True, False, False, True]])
        y, (h,) = gru_sequence(x, K, R, return_sequences=True, mask=mask)
        y = y.numpy()
        np.testing.assert_array_equal(y[0, 1], y[0, 0])
        np.testing.assert_array_equal(y[0, 2], y[0, 0])
        assert not np.allclose(y[0, 3], y[0, 2])
        np.testing.assert_array_equal(h.numpy()[0], y[0, 3])


def test_all_masked_returns_initial_state():
    rng = np.random.default_rng(2)
    with float64():
        x = rng.normal(size=(2, 3, 2))
        h0, c0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
        y, (h, c) = lstm_sequence(
            x,
            rng.normal(size=(2, 12)),
            rng.normal(size=(3, 12)),
            None,
            [h0, c0],
            mask=np.zeros((2, 3)),
        )
        np.testing.assert_array_equal(y.numpy(), h0)
        np.testing.assert_array_equal(c.numpy(), c0)


def test_inference_records_nothing():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    K = Tensor._wrap(rng.normal(size=(2, 8)).astype(np.float32))
    K._requires_grad = True
    R = rng.normal(size=(2, 8)).astype(np.float32)
    y, states = lstm_sequence(x, K, R)  # not recording
    assert y._node is None and all(s._node is None for s in states)
    with tape.recording():
        y2, _ = lstm_sequence(x, K._data, R)  # no input requires a gradient
    assert y2._node is None
    with tape.recording():
        y3, s3 = lstm_sequence(x, K, R)
    assert y3._node is not None and s3[0]._node is y3._node
    np.testing.assert_array_equal(y.numpy(), y3.numpy())


def test_only_used_outputs_need_gradients():
    """A loss on the final c only: the other outputs get zero gradients from the tape."""
    rng = np.random.default_rng(4)
    with float64():
        c = make_case(
            "lstm", rng, 2, 3, 2, 2, bias=True, init=True, mask=False, dmask=False, rdmask=False
        )
        opts = _opts("tanh", "hardSigmoid", False, True)
        w = loss_weights(rng, "lstm", 2, 3, 2, True, (False, False, True))
        _, g_f = forward_and_grads(run_fused, "lstm", c, opts, w)
        _, g_r = forward_and_grads(run_ref, "lstm", c, opts, w)
    for a, r in zip(g_f, g_r):
        np.testing.assert_allclose(a, r, rtol=TOL, atol=TOL)


def test_public_grads_api():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    K, R, b = (rng.normal(size=s).astype(np.float32) for s in [(2, 6), (2, 6), (6,)])

    def f(K, R, b):
        y, _ = gru_sequence(x, K, R, b)
        return ops.sum(y)

    gK, gR, gb = lstmkit.grads(f)([K, R, b])
    assert gK.shape == (2, 6) and gR.shape == (2, 6) and gb.shape == (6,)
    assert gK._data.dtype == np.float32
    assert np.all(np.isfinite(gK.numpy())) and np.any(gK.numpy() != 0)


def test_lists_and_reset_after_bias_layout():
    rng = np.random.default_rng(6)
    with float64():
        x = rng.normal(size=(1, 2, 1))
        K, R, b = rng.normal(size=(1, 3)), rng.normal(size=(1, 3)), rng.normal(size=(2, 3))
        y1, _ = gru_sequence(x.tolist(), K.tolist(), R.tolist(), b.tolist(), reset_after=True)
        y2, _ = gru_sequence(x, K, R, b, reset_after=True)
        np.testing.assert_array_equal(y1.numpy(), y2.numpy())
        # reset_after=True with b_rec = 0 equals reset_after=False only when r = 1 everywhere;
        # here just check the recurrent bias row matters.
        b2 = b.copy()
        b2[1] += 1.0
        y3, _ = gru_sequence(x, K, R, b2, reset_after=True)
        assert not np.allclose(y3.numpy(), y2.numpy())


# ---------------------------------------------------------------------------------------------
# Bad arguments
# ---------------------------------------------------------------------------------------------
def _lstm_args():
    f = np.float32
    return dict(
        x=np.zeros((2, 5, 3), f), kernel=np.zeros((3, 8), f), recurrent_kernel=np.zeros((2, 8), f)
    )


@pytest.mark.parametrize(
    "change,message",
    [
        (
            dict(kernel=np.zeros((3, 6), np.float32)),
            "lstm_sequence: kernel must have shape [in_dim=3, 4*units=8], got [3, 6]",
        ),
        (
            dict(x=np.zeros((2, 3), np.float32)),
            "lstm_sequence: x must be a rank-3 tensor [batch, time, in_dim], got rank 2",
        ),
        (dict(x=np.zeros((2, 5, 3), np.int32)), "lstm_sequence: x must be a float tensor"),
        (dict(kernel=np.zeros((3, 8), np.int64)), "lstm_sequence: kernel must be a float tensor"),
        (
            dict(recurrent_kernel=np.zeros((2, 6), np.float32)),
            "lstm_sequence: recurrent_kernel must have shape [units=2, 4*units=8]",
        ),
        (
            dict(recurrent_kernel=np.zeros((8,), np.float32)),
            "lstm_sequence: recurrent_kernel must be a rank-2 tensor",
        ),
        (
            dict(bias=np.zeros((6,), np.float32)),
            "lstm_sequence: bias must have shape [4*units=8], got [6]",
        ),
        (
            dict(initial_state=[np.zeros((2, 2), np.float32)]),
            "lstm_sequence: initial_state must be a list of 2 tensor(s) [h, c], got 1",
        ),
        (
            dict(initial_state=[np.zeros((2, 2), np.float32), np.zeros((3, 2), np.float32)]),
            "lstm_sequence: initial_state[1] must have shape [batch=2, units=2], got [3, 2]",
        ),
        (
            dict(mask=np.ones((2, 4), bool)),
            "lstm_sequence: mask must have shape [batch=2, time=5], got [2, 4]",
        ),
        (
            dict(dropout_mask=np.ones((2, 2))),
            "lstm_sequence: dropout_mask must have shape [batch=2, in_dim=3], got [2, 2]",
        ),
        (
            dict(recurrent_dropout_mask=np.ones((1, 2))),
            "lstm_sequence: recurrent_dropout_mask must have shape [batch=2, units=2], got [1, 2]",
        ),
        (dict(activation="nope"), "lstm_sequence: unknown activation 'nope'"),
        (
            dict(recurrent_activation="hardsigmoidd"),
            "lstm_sequence: unknown recurrent_activation 'hardsigmoidd'",
        ),
        (dict(x=np.zeros((2, 0, 3), np.float32)), "lstm_sequence: x must have at least one"),
    ],
)
def test_bad_arguments(change, message):
    args = _lstm_args() | change
    with pytest.raises(ValueError) as e:
        lstm_sequence(**args)
    assert message in str(e.value)


def test_bad_arguments_gru_and_simple():
    x = np.zeros((1, 2, 3), np.float32)
    with pytest.raises(ValueError, match=r"gru_sequence: bias must have shape \[2, 3\*units=6\]"):
        gru_sequence(x, np.zeros((3, 6)), np.zeros((2, 6)), np.zeros(6), reset_after=True)
    with pytest.raises(ValueError, match=r"gru_sequence: kernel must have shape \[in_dim=3, 3\*"):
        gru_sequence(x, np.zeros((3, 8)), np.zeros((2, 6)))
    with pytest.raises(ValueError, match=r"simple_rnn_sequence: recurrent_kernel must have shape"):
        simple_rnn_sequence(x, np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="simple_rnn_sequence: x must be a float tensor"):
        simple_rnn_sequence(
            Tensor._wrap(np.zeros((1, 2, 3), np.int32)), np.zeros((3, 2)), np.zeros((2, 2))
        )
    # a single state tensor is accepted for one-state cells: h_t = tanh(h_{t-1}·I)
    y, (h,) = simple_rnn_sequence(x, np.zeros((3, 2)), np.eye(2), None, np.ones((1, 2)))
    np.testing.assert_allclose(h.numpy(), np.tanh(np.tanh(np.ones((1, 2)))), rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# The compiled loops against the NumPy loops, and the extension's parts
# ---------------------------------------------------------------------------------------------
ISAS = ["baseline"] + [
    isa for isa in ("avx2", "avx512") if EXT is not None and EXT.options().get(f"{isa}_available")
]
EXT_CONFIGS = {
    **{f"isa-{isa}": {"isa": isa} for isa in ISAS},
    "micro-kernel": {"gemm": "packed"},
    "row-blocks": {"gemm": "packed", "row_block_bytes": 1},
    "blas": {"gemm": "blas"},
    "chunks-on-threads": {
        "threads": 3,
        "min_parallel_work": 0,
        "cold_parallel_work": 0,
        "min_chunk_rows": 2,
    },
    # workers asleep at every call: small calls run alone (and wake them), or wait for them
    "chunks-cold-alone": {"threads": 2, "min_parallel_work": 0, "spin_us": 0, "min_chunk_rows": 2},
    "chunks-cold-woken": {
        "threads": 2,
        "min_parallel_work": 0,
        "cold_parallel_work": 0,
        "spin_us": 0,
        "min_chunk_rows": 2,
    },
    "blas-on-threads": {"gemm": "blas", "threads": 2, "min_parallel_work": 0, "min_chunk_rows": 2},
}
# |compiled - NumPy loops| <= rtol*|NumPy loops| + atol*max|NumPy loops|, per dtype, for
# (outputs, gradients). float32: the two round differently (a fused GEMM, 2-ulp activations,
# other summation orders) and the recurrence amplifies it (weights of scale 0.7 here, linear
# activations): both are ~1e-5 of the largest gradient away from the float64 values.
PATH_TOL = {np.float32: ((1e-4, 1e-5), (1e-4, 5e-5)), np.float64: ((1e-10, 1e-12), (1e-9, 1e-11))}


def _run_dtype(kind, c, opts, w, dtype, path, **options):
    """Outputs and leaf gradients in `dtype` (float32: the engine's default)."""
    arrs = [c["x"], c["K"], c["R"]] + ([c["b"]] if c["b"] is not None else [])
    arrs += list(c["states"]) if c["states"] is not None else []
    leaves = []
    for a in arrs:
        t = Tensor._wrap(np.array(a, dtype))
        t._requires_grad = True
        leaves.append(t)
    ctx = float64() if dtype == np.float64 else contextlib.nullcontext()
    with ctx, loops(path, **options):
        with tape.recording():
            out, states = run_fused(kind, c, leaves, opts)
            loss = None
            for o, wk in zip([out] + list(states), w):
                term = ops.sum(ops.mul(o, Tensor._wrap(np.asarray(wk, dtype))))
                loss = term if loss is None else ops.add(loss, term)
        grads = tape.backprop(loss, None, leaves)
    return [o.numpy() for o in [out] + list(states)], grads


def _compare_paths(kind, dtype, B, T, I, U, opts, flags, seed=11, **options):
    rng = np.random.default_rng(seed)
    c = make_case(kind, rng, B, T, I, U, **flags)
    w = loss_weights(rng, kind, B, T, U, opts["return_sequences"], (True, True, True))
    outs_c, g_c = _run_dtype(kind, c, opts, w, dtype, "compiled", **options)
    outs_n, g_n = _run_dtype(kind, c, opts, w, dtype, "numpy")
    (rt_o, at_o), (rt_g, at_g) = PATH_TOL[dtype]
    for a, b in zip(outs_c, outs_n):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=rt_o, atol=at_o * max(1.0, np.abs(b).max()))
    for k, (a, b) in enumerate(zip(g_c, g_n)):
        assert a.dtype == b.dtype == dtype
        atol = at_g * max(1.0, np.abs(b).max())
        np.testing.assert_allclose(a, b, rtol=rt_g, atol=atol, err_msg=f"gradient of leaf {k}")


@needs_ext
@pytest.mark.parametrize("config", list(EXT_CONFIGS), ids=str)
@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_ra", "simple"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_compiled_matches_numpy_loops(config, kind, dtype):
    """Larger shapes than the reference test: vector chunks and one-lane tails (U = 13),
    several micro-kernel tiles, every option on; then the plain configuration (U = 16)."""
    options = EXT_CONFIGS[config]
    opts = _opts("tanh", "sigmoid", go_backwards=True, return_sequences=True)
    flags = dict(bias=True, init=True, mask=True, dmask=True, rdmask=True, mask_float=True)
    _compare_paths(kind, dtype, 11, 5, 3, 13, opts, flags, **options)
    opts = _opts("tanh", "hardSigmoid", go_backwards=False, return_sequences=False)
    flags = dict(bias=False, init=False, mask=False, dmask=False, rdmask=False)
    _compare_paths(kind, dtype, 14, 4, 6, 16, opts, flags, seed=12, **options)


@needs_ext
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_lstm_weight_gradient_in_chunks_of_steps(dtype):
    """LSTM's d[K; R] is summed over ceil(256 / B) steps at a time: B=40 gives chunks of 7, 7
    and 2 steps over T=16 (with masks and dropout masks: the chunk's inputs are masked)."""
    flags = dict(bias=True, init=True, mask=True, dmask=True, rdmask=True)
    for gb in (False, True):
        opts = _opts("tanh", "sigmoid", go_backwards=gb, return_sequences=True)
        _compare_paths("lstm", dtype, 40, 16, 3, 6, opts, flags, seed=21)


@needs_ext
@pytest.mark.parametrize(
    "act,rec", [("relu", "hardSigmoid"), ("linear", "tanh"), ("sigmoid", "relu")]
)
def test_compiled_matches_numpy_loops_other_activations(act, rec):
    flags = dict(bias=True, init=True, mask=True, dmask=False, rdmask=True)
    for kind in ("lstm", "gru", "gru_ra", "simple"):
        opts = _opts(act, rec, go_backwards=False, return_sequences=True)
        _compare_paths(kind, np.float32, 9, 4, 2, 10, opts, flags)
        _compare_paths(kind, np.float64, 9, 4, 2, 10, opts, flags)


@needs_ext
@pytest.mark.parametrize("isa", ISAS)
def test_compiled_tanh_and_sigmoid_are_accurate(isa):
    """float32: within 4e-7 relative of the exact values (about 2 ulp); float64: libm's."""
    grid = [np.linspace(-30, 30, 600001), np.geomspace(1e-30, 120, 40001)]
    x = np.concatenate(grid + [-grid[1]]).astype(np.float32)
    specials = np.array(
        [0.0, -0.0, np.inf, -np.inf, np.nan, 87.5, -87.5, -104.0, 1e-40], np.float32
    )
    exact = {1: np.tanh, 2: lambda v: 1.0 / (1.0 + np.exp(-v))}
    with loops("compiled", isa=isa):
        for kind, f in exact.items():
            y = np.empty_like(x)
            EXT.activation(False, kind, x, y)
            want = f(x.astype(np.float64))
            normal = np.abs(want) >= np.finfo(np.float32).tiny
            rel = np.abs(y[normal] - want[normal]) / np.abs(want[normal])
            assert rel.max() < 4e-7, (kind, x[normal][rel.argmax()])
            assert np.all(np.abs(y[~normal] - want[~normal]) < 2e-38)
            ys = np.empty_like(specials)
            EXT.activation(False, kind, specials, ys)
            assert kind != 1 or np.signbit(ys[1])  # tanh(-0.0) = -0.0
            with np.errstate(over="ignore"):
                np.testing.assert_allclose(
                    ys, f(specials.astype(np.float64)), rtol=4e-7, atol=2e-38
                )
            xd = np.concatenate([x, specials]).astype(np.float64)
            yd = np.empty_like(xd)
            EXT.activation(True, kind, xd, yd)
            with np.errstate(over="ignore"):
                np.testing.assert_allclose(yd, f(xd), rtol=1e-14, atol=1e-300)


@needs_ext
@pytest.mark.parametrize("gemm", ["packed", "blas"])
@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_compiled_gemm(gemm, isa, dtype):
    """C = op(A)·op(W) (+ C) for transposed operands, edge tiles and a K split in blocks."""
    rng = np.random.default_rng(0)
    shapes = [(1, 1, 1), (5, 17, 3), (13, 40, 300), (7, 33, 2), (6, 16, 8)]
    with loops("compiled", gemm=gemm, isa=isa):
        for M, N, K in shapes:
            for at in (False, True):
                for wt in (False, True):
                    for acc in (False, True):
                        A = rng.normal(size=(K, M) if at else (M, K)).astype(dtype)
                        W = rng.normal(size=(N, K) if wt else (K, N)).astype(dtype)
                        C0 = rng.normal(size=(M, N)).astype(dtype)
                        C = C0.copy()
                        EXT.gemm(
                            dtype == np.float64,
                            at,
                            wt,
                            M,
                            N,
                            K,
                            A,
                            A.shape[1],
                            W,
                            W.shape[1],
                            C,
                            N,
                            acc,
                        )
                        want = (A.T if at else A).astype(np.float64) @ (W.T if wt else W)
                        want = want + C0 if acc else want
                        tol = 1e-5 * np.sqrt(K) if dtype == np.float32 else 1e-12 * np.sqrt(K)
                        np.testing.assert_allclose(C, want, rtol=tol, atol=tol)


@needs_ext
def test_compiled_buffers_are_reused_safely():
    """Large work buffers are pooled: reuse by later calls never changes earlier graphs."""
    rng = np.random.default_rng(5)
    with float64(), loops("compiled"):
        B, T, I, U = 48, 40, 3, 24  # buffers over 1 MB
        xs = [rng.normal(size=(B, T, I)) for _ in range(3)]
        K, R = rng.normal(scale=0.3, size=(I, 4 * U)), rng.normal(scale=0.3, size=(U, 4 * U))

        def run(x):
            Kt = Tensor._wrap(K.copy())
            Kt._requires_grad = True
            with tape.recording():
                y, _ = lstm_sequence(x, Kt, R, return_sequences=True)
                loss = ops.sum(ops.mul(y, y))
            return loss, Kt

        def expected(x):
            with loops("numpy"):
                loss, Kt = run(x)
                return tape.backprop(loss, None, [Kt])[0]

        want = [expected(x) for x in xs]
        first, k1 = run(xs[0])
        second, k2 = run(xs[1])
        g1 = tape.backprop(first, None, [k1])[0]
        del first  # its buffers go back to the pool ...
        third, k3 = run(xs[2])  # ... and serve this call
        g2 = tape.backprop(second, None, [k2])[0]
        g2_again = tape.backprop(second, None, [k2])[0]
        g3 = tape.backprop(third, None, [k3])[0]
        y_inf, _ = lstm_sequence(xs[0], K, R, return_sequences=True)  # inference reuses too
        y_inf2, _ = lstm_sequence(xs[0], K, R, return_sequences=True)
    for got, exp in zip([g1, g2, g2_again, g3], [want[0], want[1], want[1], want[2]]):
        np.testing.assert_allclose(got, exp, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(y_inf.numpy(), y_inf2.numpy())


def _python(code: str, **env) -> str:
    root = Path(__file__).resolve().parent.parent
    full_env = dict(os.environ, PYTHONPATH=str(root / "src"), **env)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_environment_switch_forces_numpy_loops():
    """LSTMKIT_NO_EXTENSION=1: the extension is never imported; `import lstmkit` never does."""
    code = (
        "import sys, numpy as np, lstmkit\n"
        "assert 'lstmkit.engine._fastrnn' not in sys.modules\n"
        "from lstmkit.autograd import recurrent\n"
        "y, _ = recurrent.lstm_sequence(np.ones((2, 3, 1), np.float32), np.ones((1, 8)),"
        " np.ones((2, 8)))\n"
        "print(recurrent.use_extension(), 'lstmkit.engine._fastrnn' in sys.modules,"
        " y.shape)\n"
    )
    assert _python(code, LSTMKIT_NO_EXTENSION="1") == "False False (2, 2)"
    expect = "True True (2, 2)" if EXT is not None else "True False (2, 2)"
    assert _python(code, LSTMKIT_NO_EXTENSION="0") == expect


@needs_ext
def test_set_num_threads():
    saved = EXT.options()["threads"]
    try:
        recurrent.set_num_threads(3)
        assert recurrent.extension_info()["threads"] == 3
        recurrent.set_num_threads(0)
        assert recurrent.extension_info()["threads"] == 1
    finally:
        EXT.options(threads=saved)


# ---------------------------------------------------------------------------------------------
# The worker pool that runs the row chunks of a split call
# ---------------------------------------------------------------------------------------------
POOL = {
    "threads": 2,
    "min_parallel_work": 0,
    "cold_parallel_work": 0,
    "min_chunk_rows": 2,
    "adaptive": False,  # no back-off to one thread when a worker lags: every call splits
}


def _pool_case(seed: int, B: int = 12):
    rng = np.random.default_rng(seed)
    return [
        rng.normal(size=(B, 7, 3)).astype(np.float32),
        rng.normal(scale=0.4, size=(3, 16)).astype(np.float32),
        rng.normal(scale=0.4, size=(4, 16)).astype(np.float32),
        rng.normal(size=16).astype(np.float32),
    ]


def _lstm_with_grads(arrays):
    """Output sequence and the gradients of (x, kernel, recurrent kernel, bias) of sum(y*y)."""
    leaves = [Tensor._wrap(a.copy()) for a in arrays]
    for t in leaves:
        t._requires_grad = True
    with tape.recording():
        y, _ = lstm_sequence(*leaves, recurrent_activation="sigmoid", return_sequences=True)
        loss = ops.sum(ops.mul(y, y))
    return [y.numpy()] + [g for g in tape.backprop(loss, None, leaves)]


def _assert_same_results(got, want):
    np.testing.assert_array_equal(got[0], want[0])  # rows never mix: forward is exact
    for g, w in zip(got[1:], want[1:]):  # weight gradients: per-thread partial sums
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6 * np.abs(w).max())


@needs_ext
def test_pool_runs_split_calls_and_matches_one_thread():
    case = _pool_case(0)
    with loops("compiled", threads=1):
        want = _lstm_with_grads(case)
    before = EXT.pool_stats()["parallel_calls"]
    with loops("compiled", **POOL):
        got = [_lstm_with_grads(case) for _ in range(3)]
    stats = EXT.pool_stats()
    assert stats["workers"] >= 1
    assert stats["parallel_calls"] - before == 6  # 3 forward + 3 backward calls
    for g in got:
        _assert_same_results(g, want)


@needs_ext
def test_pool_asleep_small_calls_run_alone_and_wake_it():
    """A worker asleep (spin 0) is not waited for by a call under cold_parallel_work."""
    import time

    case = _pool_case(1)
    with loops("compiled", threads=1):
        want = _lstm_with_grads(case)
    with loops("compiled", **{**POOL, "spin_us": 0}):
        _lstm_with_grads(case)  # the worker exists
        time.sleep(0.05)  # and is asleep
        EXT.options(cold_parallel_work=10**9)
        cold = EXT.pool_stats()["cold_calls"]
        got = _lstm_with_grads(case)
        assert EXT.pool_stats()["cold_calls"] > cold
    _assert_same_results(got, want)


@needs_ext
def test_pool_serves_concurrent_callers():
    """Python threads calling at once (the GIL is released in a call): one uses the pool, the
    others run alone; every result is right."""
    import threading

    cases = [_pool_case(10 + k, B=8 + 2 * k) for k in range(4)]
    with loops("compiled", threads=1):
        want = [_lstm_with_grads(c) for c in cases]
    got: dict[int, list] = {}
    errors = []

    def worker(k):
        try:
            for _ in range(10):
                got[k] = _lstm_with_grads(cases[k])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    with loops("compiled", **POOL):
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads)
    for k in range(4):
        _assert_same_results(got[k], want[k])


@needs_ext
def test_same_bits_whoever_runs_the_chunks():
    """Same seed, same numbers, whatever the load: a split call's chunks are fixed by its shape
    and the thread setting, and their weight gradients are summed in chunk order, so running
    them on the pool, all on the calling thread (the pool asleep), or beside concurrent callers
    (the pool taken) gives the same bits."""
    import threading
    import time

    case = _pool_case(3, B=24)
    with loops("compiled", **POOL):
        on_pool = _lstm_with_grads(case)
        before = EXT.pool_stats()["parallel_calls"]
        again = _lstm_with_grads(case)
        assert EXT.pool_stats()["parallel_calls"] - before == 2  # both calls ran split
    with loops("compiled", **{**POOL, "spin_us": 0}):
        _lstm_with_grads(case)
        time.sleep(0.05)  # the worker is asleep
        EXT.options(cold_parallel_work=10**9)  # so the calls run alone
        cold = EXT.pool_stats()["cold_calls"]
        alone = _lstm_with_grads(case)
        assert EXT.pool_stats()["cold_calls"] > cold
    beside: list = []
    with loops("compiled", **POOL):
        threads = [
            threading.Thread(target=lambda: beside.extend(_lstm_with_grads(case) for _ in range(5)))
            for _ in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert len(beside) == 15
    for got in [again, alone, *beside]:
        for g, w in zip(got, on_pool):
            np.testing.assert_array_equal(g, w)


@needs_ext
@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX")
def test_pool_works_in_a_forked_child():
    """After fork() the child has no workers: it starts its own instead of waiting forever."""
    import multiprocessing

    case = _pool_case(2)
    with loops("compiled", threads=1):
        want = _lstm_with_grads(case)
    with loops("compiled", **POOL):
        _lstm_with_grads(case)  # the parent's pool is running
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(1) as children:
            got, stats = children.apply_async(_pool_child, (case,)).get(timeout=120)
    assert stats[0]["workers"] == 0 and stats[1]["workers"] >= 1  # the child's own worker
    assert stats[1]["parallel_calls"] - stats[0]["parallel_calls"] == 2
    _assert_same_results(got, want)


def _pool_child(case):
    before = EXT.pool_stats()
    got = _lstm_with_grads(case)
    return got, (before, EXT.pool_stats())


@needs_ext
def test_compiled_takes_strided_and_mixed_inputs():
    """Views (reversed, strided, Fortran-ordered) and float64 weights with float32 x."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(5, 12, 6)).astype(np.float32)[:, ::-2, ::2]  # [5, 6, 3]
    K = np.asfortranarray(rng.normal(scale=0.5, size=(3, 12)))
    R = rng.normal(scale=0.5, size=(12, 3)).T  # [3, 12], not C-contiguous
    b = rng.normal(size=24)[::2]
    h0 = rng.normal(size=(3, 5)).T
    mask = (rng.random((5, 12)) < 0.8)[:, ::2]
    outs = {}
    for path in ("compiled", "numpy"):
        with loops(path):
            y, (h, c) = lstm_sequence(
                x, K, R, b, [h0, h0], return_sequences=True, mask=mask, go_backwards=True
            )
            yg, (hg,) = gru_sequence(x, K[:, :9], R[:, :9], b[:9], h0, mask=mask)
        outs[path] = [y.numpy(), h.numpy(), c.numpy(), yg.numpy(), hg.numpy()]
    for a, b_ in zip(outs["compiled"], outs["numpy"]):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b_, rtol=1e-5, atol=1e-6)


def test_kernel_benchmark_script_runs():
    """bench/kernels.py on tiny shapes (a smoke run: the table, never timings; torch optional)."""
    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, str(root / "bench" / "kernels.py"), "--tiny", "--repeats", "1"]
    cmd += ["--modes", "pinned", "--workloads", "W2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| pinned | W2 | 4, 3, 1, 4 |" in proc.stdout


@needs_ext
def test_lstm_forward_row_blocks_change_nothing():
    """An LSTM forward step in blocks of rows (12 here: 12 + 12 + 6) computes every row exactly
    as the whole-batch step does, outputs and gradients alike."""
    kind = "lstm"
    rng = np.random.default_rng(5)
    flags = dict(bias=True, init=True, mask=True, dmask=True, rdmask=True)
    c = make_case(kind, rng, 30, 4, 3, 8, **flags)
    opts = _opts("tanh", "sigmoid", go_backwards=True, return_sequences=True)
    w = loss_weights(rng, kind, 30, 4, 8, True, (True, True, True))
    whole = _run_dtype(kind, c, opts, w, np.float32, "compiled", gemm="packed", row_block_bytes=0)
    blocks = _run_dtype(kind, c, opts, w, np.float32, "compiled", gemm="packed", row_block_bytes=1)
    for a, b in zip(whole[0] + whole[1], blocks[0] + blocks[1]):
        np.testing.assert_array_equal(a, b)


@needs_ext
def test_release_buffers_gives_the_pooled_memory_back():
    """A call big enough to pool its work buffers (>= 1 MB each) leaves them for the next call;
    release_buffers() frees them and says how many bytes."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 64, 4)).astype(np.float32)
    k = rng.standard_normal((4, 256)).astype(np.float32) * 0.1
    r = rng.standard_normal((64, 256)).astype(np.float32) * 0.1
    recurrent.release_buffers()
    with loops("compiled"):
        first = lstm_sequence(x, k, r, return_sequences=True)[0].numpy()
        assert recurrent._POOL.nbytes >= 1 << 20
        assert recurrent.release_buffers() >= 1 << 20
        assert recurrent._POOL.nbytes == 0
        np.testing.assert_array_equal(
            lstm_sequence(x, k, r, return_sequences=True)[0].numpy(), first
        )
    recurrent.release_buffers()
