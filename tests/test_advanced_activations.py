"""The advanced activation layers (ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax):
TF.js's own test values (tfjs-layers/src/layers/advanced_activation_test.ts, each test named),
NumPy computations, gradients against finite differences, PReLU trained by fit as in TF.js's
tests, configs with TF.js's keys, save and load, and files read by real TF.js in Node.js."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads
from tfjs_node import PREFIX, ensure_tfjs

L = tf.layers
REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "tests" / "js" / "tfjs_runner.js"
rng = np.random.default_rng(11)


def away_from(points, *shape, margin=0.05):
    """Uniform values in [-3, 3] none of which lies within `margin` of a kink in `points`."""
    x = rng.uniform(-3, 3, shape)
    for p in points:
        close = np.abs(x - p) < margin
        x[close] = p + np.where(x[close] >= p, margin, -margin) * 2
    return x


# -- TF.js's test values (advanced_activation_test.ts) -------------------------------------------


def test_relu_tfjs_values():
    # 'ReLU: Tensor' / 'No maxValue' and 'Finite maxValue'
    y = L.reLU().apply(tf.tensor2d([[-100, -200], [0, 300], [200, 200]]))
    np.testing.assert_allclose(y.numpy(), [[0, 0], [0, 300], [200, 200]])
    y = L.reLU({"maxValue": 250}).apply(tf.tensor1d([-100, -200, 0, 300, 200, 200]))
    np.testing.assert_allclose(y.numpy(), [0, 0, 0, 250, 200, 200])


def test_relu_serialization_round_trip_tfjs():
    # 'ReLU: Symbolic' / 'Serialization round trip'
    layer = L.reLU({"maxValue": 28})
    again = L.reLU(json.loads(json.dumps(layer.get_config())))
    assert again.getConfig()["max_value"] == 28 and again.maxValue == 28


def test_prelu_forward_tfjs():
    # 'PReLU: Tensor' / 'Forward pass'
    y = L.prelu({"alphaInitializer": "ones"}).apply(
        tf.tensor2d([[-100, -200], [0, 300], [200, 200]])
    )
    np.testing.assert_allclose(y.numpy(), [[-100, -200], [0, 300], [200, 200]])


def test_prelu_serialization_round_trip_tfjs():
    # 'PReLU: Symbolic' / 'Serialization round trip'
    layer = L.prelu({"alphaInitializer": "ones", "sharedAxes": [1, 2]})
    again = L.prelu(json.loads(json.dumps(layer.get_config())))
    assert again.get_config()["shared_axes"] == [1, 2]
    assert L.prelu(shared_axes=1).shared_axes == [1]
    with pytest.raises(ValueError, match="Expected sharedAxes to be a number or an array"):
        L.prelu(shared_axes="1")


def test_leaky_relu_tfjs_values():
    # 'leakyReLU: Tensor' / 'alpha = default 0.3' and 'alpha = 0.1'
    x = tf.tensor2d([[-1, -2], [0, 3]], [2, 2])
    np.testing.assert_allclose(L.leakyReLU().apply(x).numpy(), [[-0.3, -0.6], [0, 3]], rtol=1e-6)
    y = L.leakyReLU({"alpha": 0.1}).apply(x)
    np.testing.assert_allclose(y.numpy(), [[-0.1, -0.2], [0, 3]], rtol=1e-6)


def test_elu_tfjs_values():
    # 'elu: Tensor' / 'alpha = default 1.0'
    y = L.elu({}).apply(tf.tensor2d([[-1, -2], [0, 3]], [2, 2]))
    want = [[math.exp(-1) - 1, math.exp(-2) - 1], [0, 3]]
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6)


def test_thresholded_relu_tfjs_values():
    # 'thresholdedReLU: Tensor' / 'theta = default 1.0'
    y = L.thresholdedReLU({}).apply(tf.tensor2d([[-1, 0], [1, 3]], [2, 2]))
    np.testing.assert_allclose(y.numpy(), [[0, 0], [0, 3]])


def test_softmax_tfjs_values():
    # 'softmax: Tensor' / 'theta = default 1.0'
    y = L.softmax({}).apply(tf.tensor2d([[0, 1], [5, 5]], [2, 2]))
    e = math.e
    np.testing.assert_allclose(y.numpy(), [[1 / (1 + e), e / (1 + e)], [0.5, 0.5]], rtol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda: L.reLU({}),
        lambda: L.prelu(),
        lambda: L.prelu({}),
        lambda: L.leakyReLU({"alpha": 0.1}),
        lambda: L.elu(),
        lambda: L.thresholdedReLU(),
        *[lambda a=a: L.softmax({"axis": a}) for a in (0, 1, 2, -1, None)],
    ],
)
def test_symbolic_output_shape_tfjs(make):
    # '<layer>: Symbolic' / 'Correct output shape' (softmax: axis = 0, 1, 2, -1, null)
    x = L.SymbolicTensor("float32", [2, 3, 4], None, [], None)
    assert make().apply(x).shape == x.shape


# PReLU trained by fit: TF.js's 'PReLU: Tensor' / 'Training: no sharedAxes' and 'Training, with
# sharedAxes' (their numbers come from Keras, as the test's reference code shows).
@pytest.mark.parametrize(
    ("input_shape", "shared_axes", "losses", "alpha"),
    [
        ([4], None, [144, 0.051329, 0.049144], [0.0410104] * 3),
        ([2, 2], [1], [36, 7.408153, 4.190359], [[0.648351] * 3]),
    ],
)
def test_prelu_trains_as_in_tfjs(input_shape, shared_axes, losses, alpha):
    model = tf.sequential()
    model.add(L.dense({"units": 3, "kernelInitializer": "ones", "inputShape": input_shape}))
    model.add(L.prelu({"alphaInitializer": "ones", "sharedAxes": shared_axes}))
    model.add(L.dense({"units": 1, "kernelInitializer": "ones"}))
    model.compile({"optimizer": "sgd", "loss": "meanSquaredError"})
    xs = tf.neg(tf.ones([2, *input_shape]))
    ys = tf.zeros([2, *input_shape[:-1], 1])
    history = model.fit(xs, ys, {"batchSize": 2, "epochs": 3, "verbose": 0})
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-4)
    np.testing.assert_allclose(model.getWeights()[2].numpy(), alpha, rtol=1e-4)


# -- NumPy computations -------------------------------------------------------------------------


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = {
    "relu": (lambda: L.re_lu(), lambda x: np.maximum(x, 0), [0]),
    "relu_max": (lambda: L.re_lu(max_value=1.5), lambda x: np.clip(x, 0, 1.5), [0, 1.5]),
    "leaky": (lambda: L.leaky_re_lu(alpha=0.2), lambda x: np.where(x > 0, x, 0.2 * x), [0]),
    "elu": (lambda: L.elu(), lambda x: np.where(x > 0, x, np.expm1(x)), [0]),
    "elu_alpha": (lambda: L.elu(alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)), [0]),
    "thresholded": (
        lambda: L.thresholded_re_lu(theta=0.7),
        lambda x: np.where(x > 0.7, x, 0),
        [0.7],
    ),
    "softmax_last": (lambda: L.softmax(axis=-1), lambda x: _np_softmax(x, -1), []),
    "softmax_1": (lambda: L.softmax(), lambda x: _np_softmax(x, 1), []),
    "softmax_0": (lambda: L.softmax(axis=0), lambda x: _np_softmax(x, 0), []),
    "softmax_12": (lambda: L.softmax(axis=[1, 2]), lambda x: _np_softmax(x, (1, 2)), []),
    "softmax_list1": (lambda: L.softmax(axis=[2]), lambda x: _np_softmax(x, 2), []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_values_against_numpy_and_gradients(case):
    make, want, kinks = CASES[case]
    x = away_from(kinks, 2, 3, 4)
    layer = make()
    np.testing.assert_allclose(layer.apply(x.astype(np.float32)).numpy(), want(x), rtol=2e-6)
    check_grads(lambda t: layer.apply(t), [x], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("shared_axes", [None, [1], [1, 2], 2])
def test_prelu_values_and_gradients_of_input_and_alpha(shared_axes):
    layer = L.prelu(alpha_initializer="randomNormal", shared_axes=shared_axes)
    x = away_from([0], 2, 3, 4)
    layer.apply(x.astype(np.float32))  # builds alpha
    want_shape = [3, 4]
    for a in [shared_axes] if isinstance(shared_axes, int) else shared_axes or []:
        want_shape[a - 1] = 1
    alpha = layer.alpha.numpy().astype(np.float64)
    assert list(alpha.shape) == want_shape and layer.trainable_weights == [layer.alpha]
    np.testing.assert_allclose(
        layer.apply(x.astype(np.float32)).numpy(), np.where(x > 0, x, alpha * x), rtol=2e-6
    )

    def run(t, a):
        saved, layer.alpha = layer.alpha, a  # the call reads layer.alpha
        try:
            return layer.call(t)
        finally:
            layer.alpha = saved

    check_grads(run, [x, alpha], rtol=1e-6, atol=1e-8)


def test_prelu_checks_its_input_shape():
    layer = L.prelu(shared_axes=[1])
    layer.apply(np.ones((2, 5, 3), np.float32))
    layer.apply(np.ones((4, 7, 3), np.float32))  # the shared axis may change
    with pytest.raises(ValueError, match="expected axis 2"):
        layer.apply(np.ones((2, 5, 4), np.float32))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layer.apply(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match="alpha needs a known size"):
        tf.sequential([L.prelu(input_shape=[None, 3])])


def test_softmax_mask_hides_positions():
    # TF.js adds (1 - mask) * -1e9 to the logits; with an Embedding's [batch, steps] mask over
    # [batch, steps, steps] scores the mask broadcasts over the last axis, as in TF.js
    x = tf.input(shape=[4])
    e = L.embedding(input_dim=5, output_dim=4, mask_zero=True, embeddings_initializer="ones")
    model = tf.model(inputs=x, outputs=L.softmax(axis=-1).apply(e.apply(x)))
    got = model.predict(np.array([[1, 2, 0, 0]], np.float32)).numpy()
    np.testing.assert_allclose(got, np.tile([0.5, 0.5, 0, 0], (1, 4, 1)), atol=1e-7)
    scores = rng.normal(size=(2, 3)).astype(np.float32)
    mask = np.array([[1, 1, 0], [1, 0, 1]], np.float32)
    got = L.softmax().apply(scores, mask=mask).numpy()
    want = _np_softmax(np.where(mask > 0, scores, -np.inf), 1)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_masks_pass_through_relu_and_prelu_only():
    x = tf.tensor2d([[1, 0]])
    mask = tf.tensor2d([[1, 0]])
    for layer in (L.reLU(), L.prelu()):
        assert layer.supports_masking and layer.compute_mask(x, mask) is mask
    for layer in (L.leakyReLU(), L.elu(), L.thresholdedReLU(), L.softmax()):
        assert not layer.supports_masking and layer.compute_mask(x, mask) is None


# -- names, configs, Keras files, save and load ---------------------------------------------------

# Keys each getConfig() writes (advanced_activations.ts), before the base layer's.
TFJS_KEYS = {
    "ReLU": ["max_value"],
    "LeakyReLU": ["alpha"],
    "PReLU": ["alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"],
    "ELU": ["alpha"],
    "ThresholdedReLU": ["theta"],
    "Softmax": ["axis"],
}
FACTORIES = {
    "ReLU": ("reLU", "re_lu", "re_lu_ReLU"),
    "LeakyReLU": ("leakyReLU", "leaky_re_lu", "leaky_re_lu_LeakyReLU"),
    "PReLU": ("prelu", "prelu", "p_re_lu_PReLU"),
    "ELU": ("elu", "elu", "elu_ELU"),
    "ThresholdedReLU": (
        "thresholdedReLU",
        "thresholded_re_lu",
        "thresholded_re_lu_ThresholdedReLU",
    ),
    "Softmax": ("softmax", "softmax", "softmax_Softmax"),
}


@pytest.mark.parametrize("class_name", list(FACTORIES))
def test_factories_names_and_config_keys(class_name):
    camel, snake, prefix = FACTORIES[class_name]
    assert getattr(L, camel) is getattr(L, snake) and camel in L.__all__ and snake in L.__all__
    layer = getattr(L, camel)()
    assert layer.getClassName() == class_name and layer.name.startswith(prefix)
    assert layer.name[len(prefix) :].isdigit()
    assert list(layer.get_config()) == [*TFJS_KEYS[class_name], "name", "trainable"]
    again = L.deserialize(json.loads(json.dumps(L.serialize(layer))))
    assert type(again) is type(layer) and again.get_config() == layer.get_config()


def test_defaults_as_tfjs_writes_them():
    assert L.reLU().get_config()["max_value"] is None
    assert L.leakyReLU().alpha == 0.3 and L.elu().alpha == 1.0 and L.thresholdedReLU().theta == 1
    assert L.softmax().axis == 1  # TF.js's DEFAULT_AXIS, not Keras's -1
    prelu = L.prelu().get_config()
    assert prelu["alpha_initializer"] == {"class_name": "Zeros", "config": {}}
    assert prelu["alpha_regularizer"] is None and prelu["shared_axes"] is None


def test_keras_configs_load():
    keras = {"name": "lr", "trainable": True, "dtype": "float32"}
    lr = L.deserialize({"class_name": "LeakyReLU", "config": {**keras, "negative_slope": 0.2}})
    assert lr.alpha == 0.2 and lr.get_config()["alpha"] == 0.2  # Keras 3's name, saved as TF.js's
    assert L.deserialize({"class_name": "LeakyReLU", "config": {"alpha": 0.1}}).alpha == 0.1
    relu = L.deserialize(
        {
            "class_name": "ReLU",
            "config": {**keras, "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0},
        }
    )
    np.testing.assert_allclose(relu.apply(np.array([-1.0, 3.0, 9.0])).numpy(), [0, 3, 6])
    with pytest.raises(ValueError, match="negative_slope=0.1"):
        L.deserialize({"class_name": "ReLU", "config": {"negative_slope": 0.1}})
    prelu = L.deserialize(
        {
            "class_name": "PReLU",
            "config": {
                **keras,
                "alpha_initializer": {"class_name": "Constant", "config": {"value": 0.25}},
                "alpha_regularizer": None,
                "alpha_constraint": None,
                "shared_axes": [1],
            },
        }
    )
    np.testing.assert_allclose(prelu.apply(-np.ones((1, 2, 2))).numpy(), -0.25 * np.ones((1, 2, 2)))
    sm = L.deserialize({"class_name": "Softmax", "config": {**keras, "axis": -1}})
    assert sm.axis == -1


def test_unknown_option_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="did you mean max_value"):
        L.reLU(max_valu=2)


def _model(thresholded=True):
    m = tf.sequential(
        [
            L.dense(units=6, input_shape=[5]),
            L.reLU(max_value=0.8),
            L.dense(units=6),
            L.leakyReLU(alpha=0.15),
            L.prelu(alpha_initializer="randomUniform"),
            L.dense(units=6),
            L.elu(),
            *([L.thresholdedReLU(theta=0.1)] if thresholded else []),
            L.dense(units=4),
            L.softmax(),
        ]
    )
    return m


def _with_weights(model):
    for w in model.weights:
        w.assign(rng.uniform(-0.6, 0.6, w.shape).astype(np.float32))
    return model


def test_sequential_saves_and_loads_with_the_same_predictions(tmp_path):
    model = _model()
    x = rng.uniform(-2, 2, (7, 5)).astype(np.float32)
    want = model.predict(x).numpy()
    model.save(tmp_path / "m")
    again = tf.load_layers_model(tmp_path / "m")
    np.testing.assert_array_equal(again.predict(x).numpy(), want)
    assert [type(a) for a in again.layers] == [type(b) for b in model.layers]
    assert [a.get_config() for a in again.layers] == [b.get_config() for b in model.layers]


def test_fit_trains_through_every_layer():
    model = _model()
    model.compile(optimizer=tf.train.adam(0.01), loss="categoricalCrossentropy")
    x = rng.uniform(-2, 2, (32, 5)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 32)]
    before = [w.numpy() for w in model.weights]
    history = model.fit(x, y, epochs=20, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.weights))


# -- real TF.js ---------------------------------------------------------------------------------


def _enc(a):
    a = np.asarray(a, np.float32)
    return {"shape": list(a.shape), "dtype": "float32", "values": a.reshape(-1).tolist()}


def test_real_tfjs_reads_lstmkit_files(tmp_path):
    """TF.js loads lstmkit's file: the same predictions (1e-5), the same file when it saves it
    again (so every config key is TF.js's), and the same weights after one epoch of SGD
    (without ThresholdedReLU there: TF.js has no gradient for its `greater`)."""
    ensure_tfjs()
    model = _model()
    model.add(L.reshape(target_shape=[2, 2]))
    model.add(L.prelu(alpha_initializer="ones", shared_axes=[1]))
    model.add(L.softmax(axis=[1, 2]))  # TF.js refuses one axis but the last (rank 3)
    _with_weights(model)
    x = rng.uniform(-2, 2, (6, 5)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 6)]
    model.save(tmp_path / "m")
    jobs = [
        {"id": "predict", "op": "predict", "dir": str(tmp_path / "m"), "inputs": _enc(x)},
        {"id": "resave", "op": "resave", "dir": str(tmp_path / "m"), "out": str(tmp_path / "js")},
    ]
    trained = _with_weights(_model(thresholded=False))
    trained.compile(optimizer="sgd", loss="meanSquaredError")
    trained.save(tmp_path / "t", include_optimizer=True)
    jobs.append(
        {
            "id": "fit",
            "op": "fit",
            "dir": str(tmp_path / "t"),
            "x": _enc(x),
            "y": _enc(y),
            "fit": {"epochs": 1, "batchSize": 3, "shuffle": False},
            "out": str(tmp_path / "t_js"),
        }
    )
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    done = subprocess.run(
        [shutil.which("node") or "node", str(RUNNER), str(PREFIX), str(tmp_path / "jobs.json")]
        + [str(tmp_path / "out.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    assert all(r["ok"] for r in out.values()), out
    got = out["predict"]["outputs"][0]
    np.testing.assert_allclose(
        np.reshape(got["values"], got["shape"]), model.predict(x).numpy(), rtol=1e-5, atol=1e-5
    )
    for name in ("model.json", "weights.bin"):
        assert (tmp_path / "js" / name).read_bytes() == (tmp_path / "m" / name).read_bytes()
    trained.fit(x, y, epochs=1, batch_size=3, shuffle=False, verbose=0)
    js = {w["name"]: np.reshape(w["values"], w["shape"]) for w in out["fit"]["weights"]}
    assert len(js) == len(trained.weights)
    for w in trained.weights:
        np.testing.assert_allclose(js[w.original_name], w.numpy(), rtol=1e-5, atol=1e-6)
