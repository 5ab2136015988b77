"""Losses and metrics against TF.js 4.22 values, their names and compile-time resolution, and
finite-difference checks of the loss gradients."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads
from lstmkit import losses as L
from lstmkit import metrics as M
from tfjs_fixtures import FIXTURES

FIXTURE = FIXTURES / "losses.json"
DATA = json.loads(FIXTURE.read_text())


def arr(entry: dict) -> np.ndarray:
    return np.array(entry["values"], np.float32).reshape(entry["shape"])


Y_TRUE, Y_PRED, SPARSE = arr(DATA["y_true"]), arr(DATA["y_pred"]), arr(DATA["sparse_y_true"])


# -- TF.js values ----------------------------------------------------------------------------------


def test_fixture_covers_every_loss_name():
    assert set(DATA["losses_per_sample"]) == set(L.LOSSES)


@pytest.mark.parametrize("name", list(DATA["losses_per_sample"]))
def test_loss_matches_tfjs(name):
    expected = DATA["losses_per_sample"][name]
    canonical, fn = L.get(name)
    assert canonical == name
    y_true = SPARSE if name == "sparseCategoricalCrossentropy" else Y_TRUE
    out = fn(tf.tensor(y_true), tf.tensor(Y_PRED))
    assert out.shape == tuple(expected["shape"]) and out.dtype == "float32"
    np.testing.assert_allclose(out.numpy(), arr(expected), rtol=1e-5, atol=1e-7)


METRIC_FUNCTIONS = {
    "binaryAccuracy": M.binary_accuracy,
    "categoricalAccuracy": M.categorical_accuracy,
    "precision": M.precision,
    "recall": M.recall,
    "meanSquaredError": M.mean_squared_error,
    "meanAbsoluteError": M.mean_absolute_error,
    "meanAbsolutePercentageError": M.mean_absolute_percentage_error,
    "cosineProximity": M.cosine_proximity,
}


@pytest.mark.parametrize("name", list(DATA["metrics_on_thresholded_y_true"]["values"]))
def test_metric_matches_tfjs(name):
    case = DATA["metrics_on_thresholded_y_true"]
    expected = case["values"][name]
    out = METRIC_FUNCTIONS[name](arr(case["y_true"]), Y_PRED)
    assert out.shape == tuple(expected["shape"]) and out.dtype == "float32"
    np.testing.assert_allclose(out.numpy(), arr(expected), rtol=1e-5, atol=1e-7)


def test_accuracies_precision_recall_on_hand_checked_values():
    y = np.array([[0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]], np.float32)
    p = np.array([[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 0]], np.float32)
    # tp = 2, fp = 3, fn = 3 (the tf.metrics.precision/recall docs example).
    assert M.precision(y, p).item() == pytest.approx(0.4)
    assert M.recall(y, p).item() == pytest.approx(0.4)
    assert M.precision(np.zeros(3), np.zeros(3)).item() == 0
    np.testing.assert_array_equal(M.categorical_accuracy(y, p).numpy(), [0, 1, 1, 0, 0])
    labels = np.array([1, 1, 2, 2, 0], np.float32)
    probs = np.array([[0, 1, 0], [1, 0, 0], [0, 0.4, 0.6], [0, 0.6, 0.4], [0.7, 0.3, 0]])
    np.testing.assert_array_equal(
        M.sparse_categorical_accuracy(labels, probs).numpy(), [1, 0, 1, 0, 1]
    )
    np.testing.assert_array_equal(
        M.sparse_categorical_accuracy(labels[:, None], probs).numpy(), [1, 0, 1, 0, 1]
    )
    acc = M.binary_accuracy([1, 1, 1, 1, 0, 0, 0, 0], [0.2, 0.4, 0.6, 0.8, 0.2, 0.3, 0.4, 0.7])
    assert acc.item() == pytest.approx(0.625)


def test_r2_score():
    y_true = np.array([[1], [4], [3]], np.float32)
    y_pred = np.array([[2], [4], [4]], np.float32)
    assert M.r2_score(y_true, y_pred).item() == pytest.approx(0.57142854)


def test_categorical_crossentropy_from_logits_and_int_targets():
    logits = np.array([[2.0, 1.0, 0.1]], np.float32)
    probs = np.exp(logits) / np.exp(logits).sum()
    out = L.categorical_crossentropy(np.array([[0, 1, 0]], np.int32), logits, from_logits=True)
    np.testing.assert_allclose(out.numpy(), -np.log(probs[:, 1]), rtol=1e-6)


def test_binary_crossentropy_is_finite_at_the_edges_and_checks_shapes():
    out = L.binary_crossentropy([[0.0, 1.0]], [[1.0, 0.0]])
    assert np.all(np.isfinite(out.numpy()))
    # About -log(1e-7); float32 rounds 1 - 1e-7 to 1 - 1.19e-7, hence the loose tolerance.
    np.testing.assert_allclose(out.numpy(), [-np.log(1e-7)], rtol=1e-2)
    with pytest.raises(ValueError, match=r"same shape, but got shapes \[1, 2\] and \[1, 1\]"):
        L.binary_crossentropy([[0.0, 1.0]], [[0.3]])


# -- names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alias,name",
    [
        ("mse", "meanSquaredError"),
        ("MSE", "meanSquaredError"),
        ("mean_squared_error", "meanSquaredError"),
        ("MeanSquaredError", "meanSquaredError"),
        ("mae", "meanAbsoluteError"),
        ("mape", "meanAbsolutePercentageError"),
        ("msle", "meanSquaredLogarithmicError"),
        ("binary_crossentropy", "binaryCrossentropy"),
        ("categorical_crossentropy", "categoricalCrossentropy"),
        ("sparse_categorical_crossentropy", "sparseCategoricalCrossentropy"),
        ("kld", "kullbackLeiblerDivergence"),
        ("kl_divergence", "kullbackLeiblerDivergence"),
        ("kullback_leibler_divergence", "kullbackLeiblerDivergence"),
        ("log_cosh", "logcosh"),
        ("squared_hinge", "squaredHinge"),
        ("categorical_hinge", "categoricalHinge"),
        ("cosine_proximity", "cosineProximity"),
        ("cosine_similarity", "cosineProximity"),
    ],
)
def test_loss_aliases(alias, name):
    canonical, fn = L.get(alias)
    assert canonical == name and fn is L.LOSSES[name]


def test_loss_get_functions_and_unknown_names():
    assert L.get(L.hinge) == ("hinge", L.hinge)

    def my_loss(y_true, y_pred):
        return tf.mean(tf.abs(tf.sub(y_true, y_pred)), -1)

    assert L.get(my_loss) == ("my_loss", my_loss)
    with pytest.raises(ValueError, match=r"Unknown loss 'meanSquaredErr'\. Did you mean 'meanSq"):
        L.get("meanSquaredErr")
    with pytest.raises(ValueError, match="Use 'categoricalCrossentropy'"):
        L.get("softmaxCrossEntropy")
    with pytest.raises(ValueError, match="Unknown loss 'huber'"):
        L.get("huber")
    with pytest.raises(ValueError, match="must be a name"):
        L.get(3)


def test_serialize_name_is_tfjs_snake_case():
    assert L.serialize_name("meanSquaredError") == "mean_squared_error"
    assert L.serialize_name("mse") == "mean_squared_error"
    assert L.serialize_name("kullbackLeiblerDivergence") == "kullback_leibler_divergence"
    assert L.serialize_name("logcosh") == "logcosh"
    assert L.serialize_name(L.sparse_categorical_crossentropy) == "sparse_categorical_crossentropy"
    assert L.to_snake_case("_private") == "private_private"
    with pytest.raises(ValueError, match="non-string loss"):
        L.serialize_name(lambda a, b: a)


# -- metric resolution (compile) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric,shape,loss,key,fn",
    [
        ("accuracy", (None, 1), "meanSquaredError", "acc", M.binary_accuracy),
        ("acc", (None, 3), "binaryCrossentropy", "acc", M.binary_accuracy),
        ("acc", (None, 3), "sparseCategoricalCrossentropy", "acc", M.sparse_categorical_accuracy),
        ("accuracy", (None, 3), "categoricalCrossentropy", "acc", M.categorical_accuracy),
        ("accuracy", (None, 5, 3), "mse", "acc", M.categorical_accuracy),
        ("ce", (None, 1), "categoricalCrossentropy", "ce", M.binary_crossentropy),
        ("crossentropy", (None, 4), "sparse_categorical_crossentropy", "ce",
         M.sparse_categorical_crossentropy),
        ("ce", (None, 4), "meanSquaredError", "ce", M.categorical_crossentropy),
        ("acc", (None, 3), L.binary_crossentropy, "acc", M.binary_accuracy),
        ("acc", (None, 3), "my_custom_loss", "acc", M.categorical_accuracy),
    ],
)  # fmt: skip
def test_resolve_accuracy_and_crossentropy(metric, shape, loss, key, fn):
    assert M.resolve(metric, shape, loss) == (key, fn)


def test_resolve_other_names_and_functions():
    assert M.resolve("mse", (None, 1), "meanSquaredError") == ("mse", L.mean_squared_error)
    assert M.resolve("MAE", (None, 1), "mse") == ("MAE", L.mean_absolute_error)
    assert M.resolve("cosine", (None, 3), "mse") == ("cosine", L.cosine_proximity)
    assert M.resolve("precision", (None, 1), "mse") == ("precision", M.precision)
    # Keras spellings and other tf.metrics functions (TF.js itself rejects these strings).
    assert M.resolve("mean_squared_error", (None, 1), "mse")[1] is L.mean_squared_error
    assert M.resolve("binary_accuracy", (None, 1), "mse") == ("binary_accuracy", M.binary_accuracy)
    assert M.resolve("recall", (None, 1), "mse")[1] is M.recall
    assert M.resolve("hinge", (None, 1), "mse")[1] is L.hinge
    # Functions: the losses map first, then the metrics map, else the function's name.
    assert M.resolve(L.mean_squared_error, (None, 1), "mse")[0] == "meanSquaredError"
    assert M.resolve(M.binary_accuracy, (None, 1), "mse")[0] == "binaryAccuracy"
    assert M.resolve(M.mse, (None, 1), "mse")[0] == "mse"
    assert M.resolve(M.r2_score, (None, 1), "mse")[0] == "r2_score"


def test_metric_unknown_names():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'\. Did you mean 'accuracy'"):
        M.resolve("acuracy", (None, 1), "mse")
    with pytest.raises(ValueError, match="Keras's metric of that name is \\+cos"):
        M.get("cosine_similarity")
    with pytest.raises(ValueError, match="must be a name"):
        M.get(None)


# -- gradients -------------------------------------------------------------------------------------

rng = np.random.default_rng(7)
TARGET = rng.uniform(0.1, 0.9, (3, 4))
ONE_HOT = np.eye(4)[[1, 0, 3]]
PRED = rng.uniform(0.15, 0.85, (3, 4))


@pytest.mark.parametrize(
    "name,y_true",
    [
        ("meanSquaredError", TARGET),
        ("meanAbsoluteError", TARGET),
        ("meanAbsolutePercentageError", TARGET),
        ("meanSquaredLogarithmicError", TARGET),
        ("squaredHinge", ONE_HOT * 2 - 1),
        ("hinge", ONE_HOT * 2 - 1),
        ("categoricalHinge", ONE_HOT),
        ("logcosh", TARGET),
        ("categoricalCrossentropy", ONE_HOT),
        ("binaryCrossentropy", TARGET),
        ("kullbackLeiblerDivergence", TARGET),
        ("poisson", TARGET),
        ("cosineProximity", TARGET),
        ("sparseCategoricalCrossentropy", np.array([[1.0], [0.0], [3.0]])),
    ],
)
def test_loss_gradient_matches_finite_differences(name, y_true):
    fn = L.LOSSES[name]
    check_grads(lambda p: fn(y_true, p), [PRED], rtol=1e-5, atol=1e-8)


def test_binary_crossentropy_gradient_with_respect_to_target():
    check_grads(lambda t: L.binary_crossentropy(t, PRED), [TARGET], rtol=1e-5, atol=1e-8)
