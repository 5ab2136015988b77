"""Loading a hostile model folder costs what its bytes (or a stated budget) allow (issue 14,
items 1, 2 and 6).

- A topology with no weights is built with its initializers, as TF.js does, but within
  `max_init_params` cost units (`weight_budget`): a tiny model.json asking for 64M weights is
  refused at its first weight over the budget, before it is allocated, whatever layer holds it
  (Sequential, functional, nested models, Bidirectional, TimeDistributed, cells in RNN,
  Embedding, ...), in `tf.load_layers_model` and in `lstmkit summary` / `predict`.
- Weights the files will set are made as zeros and matched (name, shape, dtype) with the
  manifest before any weight byte is read: a manifest entry that fits no variable is refused
  without reading its (sparse, huge) file, a non-strict load reads only up to its last used
  weight, and optimizer entries are capped by the model's size.
- Dequantization runs in chunks: the peak is a small multiple of the output (tracemalloc).
- Every numeric field of the manifest, however absurd (10**400, -1, True, 1.5, a list), ends in
  a `ModelFormatError` naming model.json, never another exception.

Memory is checked with tracemalloc (NumPy's allocations are traced); the hang guard is a
generous alarm, never a timing assert.
"""

from __future__ import annotations

import json
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from guards import deadline

import lstmkit as tf
from lstmkit.io import ModelFormatError
from lstmkit.io import weights as wio
from lstmkit.models import saving, weight_budget

L = tf.layers
MiB = 2**20


def traced_peak(fn):
    """(result or exception, peak bytes traced while `fn` runs)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        with deadline():
            try:
                out = fn()
            except Exception as e:  # returned for the caller to inspect
                out = e
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def write_json(folder: Path, doc: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps(doc))
    return folder


def topology_of(model) -> dict:
    return json.loads(model.to_json())


# -- item 1: a topology without weights -----------------------------------------------------------

REPRODUCER = (
    '{"modelTopology":{"class_name":"Sequential","config":{"layers":[{"class_name":"LSTM",'
    '"config":{"units":4000,"batch_input_shape":[null,1,1]}}]}}}'
)


def test_the_183_byte_topology_is_refused_before_allocating(tmp_path):
    (tmp_path / "model.json").write_text(REPRODUCER)
    assert len(REPRODUCER) < 200  # the "183-byte" file, without its spaces
    err, peak = traced_peak(lambda: tf.load_layers_model(tmp_path))
    assert isinstance(err, ModelFormatError), err
    msg = str(err)
    assert msg.startswith(str(tmp_path / "model.json") + ": ")
    units = 4000
    values = units * 4 * units  # the recurrent kernel, the weight that crosses the budget
    assert f"[{units}, {4 * units}]" in msg and f"{values:,} values" in msg
    assert "lstm" in msg and "recurrent_kernel" in msg
    assert f"{weight_budget.MAX_INIT_PARAMS:,}" in msg
    assert "max_init_params=" in msg and weight_budget.INIT_ENV in msg
    assert peak < 4 * MiB  # the kernel (16,000 values) at most was made


def _scaled(doc, big: int):
    """The topology with every size (units, dims, filters, the input's last dim) set to big."""
    if isinstance(doc, list):
        return [_scaled(v, big) for v in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for k, v in doc.items():
        if k in ("units", "output_dim", "input_dim", "filters") and isinstance(v, int):
            out[k] = big
        elif k in ("batch_input_shape", "batch_shape") and isinstance(v, list) and v:
            out[k] = [*v[:-1], big]
        else:
            out[k] = _scaled(v, big)
    return out


def _functional():
    x = tf.input(shape=[3])
    h = L.dense(units=4).apply(x)
    return tf.model(inputs=x, outputs=L.dense(units=2).apply(h))


def _nested():
    inner = tf.sequential(layers=[L.dense(units=3, input_shape=[2])])
    return tf.sequential(layers=[inner, L.dense(units=2)])


MODELS = {
    "lstm": lambda: tf.sequential(layers=[L.lstm(units=3, input_shape=[2, 2])]),
    "gru": lambda: tf.sequential(layers=[L.gru(units=3, input_shape=[2, 2])]),
    "simple_rnn": lambda: tf.sequential(layers=[L.simple_rnn(units=3, input_shape=[2, 2])]),
    "dense_functional": _functional,
    "nested_sequential": _nested,
    "bidirectional": lambda: tf.sequential(
        layers=[L.bidirectional(layer=L.lstm(units=3), input_shape=[2, 2])]
    ),
    "time_distributed": lambda: tf.sequential(
        layers=[L.time_distributed(layer=L.dense(units=3), input_shape=[2, 2])]
    ),
    "rnn_cell": lambda: tf.sequential(
        layers=[L.rnn(cell=L.lstm_cell(units=3), input_shape=[2, 2])]
    ),
    "stacked_cells": lambda: tf.sequential(
        layers=[L.rnn(cell=[L.gru_cell(units=3), L.simple_rnn_cell(units=3)], input_shape=[2, 2])]
    ),
    "embedding": lambda: tf.sequential(
        layers=[L.embedding(input_dim=5, output_dim=3, input_length=2)]
    ),
    "conv1d": lambda: tf.sequential(
        layers=[L.conv1d(filters=3, kernel_size=2, input_shape=[4, 2])]
    ),
}


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_weight_of_a_weightless_topology_is_in_the_budget(tmp_path, kind):
    """Every layer kind, scaled so that one weight alone is over the default budget."""
    doc = {"modelTopology": _scaled(topology_of(MODELS[kind]()), 20000)}
    folder = write_json(tmp_path / "m", doc)
    err, peak = traced_peak(lambda: tf.load_layers_model(folder))
    assert isinstance(err, ModelFormatError), err
    assert str(err).startswith(str(folder / "model.json"))
    assert "max_init_params" in str(err)
    assert peak < 8 * MiB, peak  # nothing near 20000 x 20000 values was made


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_a_small_budget_bounds_what_a_weightless_load_allocates(tmp_path, kind):
    """The same kinds at 200 units under a 10,000-unit budget: refused, and what was made
    before the refusal stays within the budget's float32 bytes (plus Python's overhead)."""
    doc = {"modelTopology": _scaled(topology_of(MODELS[kind]()), 200)}
    folder = write_json(tmp_path / "m", doc)
    budget = 10_000
    err, peak = traced_peak(lambda: tf.load_layers_model(folder, max_init_params=budget))
    assert isinstance(err, ModelFormatError) and f"{budget:,}" in str(err), err
    assert peak < 4 * budget * 2 + 2 * MiB, peak


def test_a_small_weightless_topology_still_loads_with_its_initializers(tmp_path):
    """TF.js's behaviour for a topology without weights: built with the initializers."""
    init = {"class_name": "GlorotUniform", "config": {"seed": 7}}
    want = tf.sequential(layers=[L.lstm(units=8, input_shape=[5, 3], kernel_initializer=init)])
    folder = write_json(tmp_path / "m", {"modelTopology": topology_of(want)})
    got = tf.load_layers_model(folder)
    assert got.count_params() == 4 * 8 * (3 + 8 + 1)
    np.testing.assert_array_equal(got.weights[0].numpy(), want.weights[0].numpy())  # seeded
    recurrent = got.weights[1].numpy()  # orthogonal, as drawn: Q's columns are orthonormal
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-5)


def test_the_orthogonal_initializer_counts_its_work(tmp_path):
    units = 128
    model = tf.sequential(layers=[L.lstm(units=units, input_shape=[2, 1])])
    folder = write_json(tmp_path / "m", {"modelTopology": topology_of(model)})
    values = 4 * units * (1 + units + 1)
    ortho = units * 4 * units * (units // weight_budget.ORTHOGONAL_VALUES_PER_UNIT)
    cost = values - units * 4 * units + ortho
    assert values < cost
    with pytest.raises(ModelFormatError, match="orthogonal"):
        tf.load_layers_model(folder, max_init_params=cost - 1)
    assert tf.load_layers_model(folder, max_init_params=cost).count_params() == values


def test_the_environment_variable_sets_the_default_budget(tmp_path, monkeypatch):
    model = tf.sequential(layers=[L.dense(units=10, input_shape=[10])])
    folder = write_json(tmp_path / "m", {"modelTopology": topology_of(model)})
    monkeypatch.setenv(weight_budget.INIT_ENV, "100")
    with pytest.raises(ModelFormatError, match="more than the budget of 100;"):
        tf.load_layers_model(folder)
    assert tf.load_layers_model(folder, max_init_params=110).count_params() == 110
    monkeypatch.setenv(weight_budget.INIT_ENV, "lots")
    with pytest.raises(ValueError, match="LSTMKIT_MAX_INIT_PARAMS='lots'"):
        tf.load_layers_model(folder)
    monkeypatch.delenv(weight_budget.INIT_ENV)
    for bad in (-1, 1.5, True, "10"):
        with pytest.raises(ValueError, match="max_init_params"):
            tf.load_layers_model(folder, max_init_params=bad)


def test_lstmkit_summary_and_predict_refuse_the_bomb_in_one_line(tmp_path, capsys):
    pytest.importorskip("pandas")
    from lstmkit import cli

    (tmp_path / "model.json").write_text(REPRODUCER)
    for argv in (["summary", tmp_path], ["predict", tmp_path, tmp_path / "x.csv"]):
        with deadline():
            code = cli.main([str(a) for a in argv])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
        assert "max_init_params" in err and weight_budget.INIT_ENV in err


# -- item 6: names, shapes and sizes before bytes ------------------------------------------------


def _saved(tmp_path, units=3):
    model = tf.sequential(layers=[L.lstm(units=units, input_shape=[2, 2]), L.dense(units=1)])
    folder = tmp_path / "m"
    model.save(folder)
    return model, folder


def _grow(path: Path, extra: int) -> None:
    """Extend a file by `extra` bytes without writing them (a sparse file: no disk used)."""
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size + extra)


def _append_entry(folder: Path, entry: dict, nbytes: int, first: bool = False) -> None:
    doc = json.loads((folder / "model.json").read_text())
    specs = doc["weightsManifest"][0]["weights"]
    if first:
        specs.insert(0, entry)
    else:
        specs.append(entry)
    write_json(folder, doc)
    if first:
        raw = (folder / "weights.bin").read_bytes()
        (folder / "weights.bin").write_bytes(b"\0" * nbytes + raw)
    else:
        _grow(folder / "weights.bin", nbytes)


def test_an_entry_no_variable_takes_is_refused_before_its_bytes_are_read(tmp_path):
    _, folder = _saved(tmp_path)
    n = 2**27  # 512 MiB of float32, sparse on disk
    _append_entry(folder, {"name": "stray/kernel", "shape": [n], "dtype": "float32"}, 4 * n)
    err, peak = traced_peak(lambda: tf.load_layers_model(folder))
    assert isinstance(err, ModelFormatError), err
    assert "no target variable: stray/kernel" in str(err)
    assert peak < 4 * MiB, peak


def test_a_shape_mismatch_is_refused_before_the_bytes_are_read(tmp_path):
    _, folder = _saved(tmp_path)
    doc = json.loads((folder / "model.json").read_text())
    kernel = doc["weightsManifest"][0]["weights"][0]
    extra = (2**26 - math.prod(kernel["shape"])) * 4
    kernel["shape"] = [2**26]
    write_json(folder, doc)
    _grow(folder / "weights.bin", extra)
    err, peak = traced_peak(lambda: tf.load_layers_model(folder))
    assert isinstance(err, ModelFormatError) and "Shape mismatch" in str(err), err
    assert peak < 4 * MiB, peak


def test_a_non_strict_load_reads_only_up_to_its_last_weight(tmp_path):
    model, folder = _saved(tmp_path)
    n = 2**27
    _append_entry(folder, {"name": "stray/kernel", "shape": [n], "dtype": "float32"}, 4 * n)
    got, peak = traced_peak(lambda: tf.load_layers_model(folder, strict=False))
    assert not isinstance(got, Exception), got
    assert peak < 4 * MiB, peak
    for a, b in zip(got.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_a_manifest_cannot_make_the_build_allocate_what_its_files_lack(tmp_path):
    """The manifest declares a 16M-value kernel for a model that has one, but no file holds
    it: the build makes at most UNVERIFIED_VALUES zeros, then the files are looked at."""
    n = 4000
    model = tf.sequential(layers=[L.dense(units=n, input_shape=[n], use_bias=False)])
    specs = [{"name": model.weights[0].original_name, "shape": [n, n], "dtype": "float32"}]
    doc = {
        "modelTopology": topology_of(model),
        "weightsManifest": [{"paths": ["w.bin"], "weights": specs}],
    }
    folder = write_json(tmp_path / "m", doc)
    err, peak = traced_peak(lambda: tf.load_layers_model(folder))
    assert isinstance(err, ModelFormatError) and "not found" in str(err), err
    assert peak < 4 * (saving.UNVERIFIED_VALUES + weight_budget.STRICT_MARGIN_VALUES) + MiB, peak
    (folder / "w.bin").write_bytes(b"\0" * 16)  # present, too short
    err, peak = traced_peak(lambda: tf.load_layers_model(folder))
    assert isinstance(err, ModelFormatError) and "truncated" in str(err), err
    assert peak < 4 * (saving.UNVERIFIED_VALUES + weight_budget.STRICT_MARGIN_VALUES) + MiB, peak


def test_a_model_beyond_the_unverified_zeros_loads_after_its_files_are_read(tmp_path):
    rows = saving.UNVERIFIED_VALUES // 1024 + 1  # one row more than the zeros made unread
    model = tf.sequential(layers=[L.dense(units=1024, input_shape=[rows])])
    model.save(tmp_path / "m", shard_size=2**20)
    seen = []
    got = tf.load_layers_model(tmp_path / "m", on_progress=seen.append)
    for a, b in zip(got.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_optimizer_entries_are_capped_by_the_model(tmp_path):
    model, folder = _saved(tmp_path)
    cap = 3 * model.count_params() + 1024
    entry = {"name": "adam/m", "shape": [cap + 1], "dtype": "float32", "group": "optimizer"}
    _append_entry(folder, entry, 4 * (cap + 1))
    with pytest.raises(ModelFormatError, match=f"optimizer group lists {cap + 1} values"):
        tf.load_layers_model(folder)
    doc = json.loads((folder / "model.json").read_text())
    doc["weightsManifest"][0]["weights"][-1].update(shape=[1], dtype="string")
    write_json(folder, doc)
    with pytest.raises(ModelFormatError, match="optimizer weight 'adam/m' has dtype string"):
        tf.load_layers_model(folder)


def test_strings_before_the_model_weights_are_walked_not_kept(tmp_path):
    """A non-strict load skips a string entry (no layer has string weights) by its lengths."""
    model, folder = _saved(tmp_path)
    n = 200_000
    _append_entry(folder, {"name": "vocab", "shape": [n], "dtype": "string"}, 4 * n, first=True)
    with deadline():
        got = tf.load_layers_model(folder, strict=False)
    for a, b in zip(got.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ModelFormatError, match="no target variable: vocab"):
        tf.load_layers_model(folder)


def test_too_many_strings_are_refused_from_the_manifest():
    too_many = wio.MAX_STRING_VALUES + 1
    group = {"paths": ["w.bin"], "weights": [{"name": "s", "shape": [too_many], "dtype": "string"}]}
    with pytest.raises(ModelFormatError, match="more than 1048576 string values"):
        wio.parse_manifest([group], "m.json")


def test_string_counts_are_checked_against_the_bytes_before_the_walk():
    spec = {"name": "s", "shape": [1000], "dtype": "string"}
    group = wio.parse_manifest([{"paths": ["x"], "weights": [spec]}], "m.json")[0]
    with pytest.raises(ModelFormatError, match="need at least 4000 bytes"):
        wio.decode_group(group, b"\0" * 3999, "m.json")
    values = wio.decode_group(group, b"\0" * 4000, "m.json")[0][1]
    assert values.shape == (1000,) and set(values.tolist()) == {""}


@pytest.mark.parametrize("qdtype", ["uint8", "uint16"])
def test_dequantization_peak_is_a_small_multiple_of_the_output(tmp_path, qdtype):
    rows, cols = 1024, 2048
    model = tf.sequential(layers=[L.dense(units=cols, input_shape=[rows], use_bias=False)])
    model.save(tmp_path / "m", quantization=qdtype)
    out_bytes = rows * cols * 4
    got, peak = traced_peak(lambda: tf.load_layers_model(tmp_path / "m"))
    assert not isinstance(got, Exception), got
    # the model's zeros, the file's bytes, the dequantized output and assign's copy
    assert peak < 3.5 * out_bytes + MiB, peak / out_bytes
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    q = doc["weightsManifest"][0]["weights"][0]["quantization"]
    stored = np.frombuffer(
        (tmp_path / "m" / "weights.bin").read_bytes(), {"uint8": "u1", "uint16": "<u2"}[qdtype]
    )
    want = (stored.astype(np.float64) * q["scale"] + q["min"]).astype(np.float32)
    np.testing.assert_array_equal(got.weights[0].numpy().reshape(-1), want)


def test_int32_dequantization_across_chunks_rounds_as_js():
    n = wio.DEQUANTIZE_CHUNK + 123
    stored = (np.arange(n) % 256).astype(np.uint8)
    spec = {
        "name": "i",
        "shape": [n],
        "dtype": "int32",
        "quantization": {"dtype": "uint8", "min": -3.0, "scale": 0.25},
    }
    group = wio.parse_manifest([{"paths": ["x"], "weights": [spec]}], "m.json")[0]
    got = wio.decode_group(group, stored.tobytes(), "m.json")[0][1]
    real = stored.astype(np.float64) * 0.25 - 3.0
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [math.floor(v + 0.5) for v in real.tolist()])


# -- item 2: every numeric field of the manifest ---------------------------------------------------

HUGE = 10**400


@pytest.mark.parametrize(
    "field, value",
    [
        ("quantization", {"dtype": "uint8", "min": HUGE, "scale": 1}),
        ("quantization", {"dtype": "uint8", "min": 0, "scale": HUGE}),
        ("quantization", {"dtype": "uint16", "min": -HUGE, "scale": 1}),
        ("quantization", {"dtype": "uint8", "min": 0, "scale": 1e308 * 10}),
        ("quantization", {"dtype": "uint8", "min": [0], "scale": 1}),
        ("quantization", {"dtype": HUGE}),
        ("quantization", {"dtype": ["uint8"]}),
        ("quantization", HUGE),
        ("shape", [HUGE, 1]),
        ("shape", [-HUGE]),
        ("shape", [2**63]),
        ("shape", [True]),
        ("shape", [1.0, 3]),
        ("shape", HUGE),
        ("dtype", HUGE),
        ("dtype", ["float32"]),
        ("dtype", {"float32": 1}),
        ("name", HUGE),
        ("group", HUGE),
    ],
)
def test_numeric_fields_give_model_format_errors(tmp_path, field, value):
    _, folder = _saved(tmp_path)
    text = (folder / "model.json").read_text()
    doc = json.loads(text)
    doc["weightsManifest"][0]["weights"][0][field] = value
    (folder / "model.json").write_text(json.dumps(doc).replace("Infinity", "1e999"))
    with deadline():
        with pytest.raises(ModelFormatError) as e:
            tf.load_layers_model(folder)
    assert str(e.value).startswith(str(folder / "model.json"))


@pytest.mark.parametrize(
    "group",
    [
        {"paths": [HUGE], "weights": []},
        {"paths": HUGE, "weights": []},
        {"paths": ["weights.bin"], "weights": HUGE},
        {"paths": ["weights.bin"], "weights": [HUGE]},
        HUGE,
    ],
)
def test_numeric_group_fields_give_model_format_errors(tmp_path, group):
    _, folder = _saved(tmp_path)
    doc = json.loads((folder / "model.json").read_text())
    doc["weightsManifest"].append(group)
    write_json(folder, doc)
    with pytest.raises(ModelFormatError) as e:
        tf.load_layers_model(folder)
    assert str(e.value).startswith(str(folder / "model.json"))


def test_lstmkit_summary_reports_a_huge_quantization_min_in_one_line(tmp_path, capsys):
    pytest.importorskip("pandas")
    from lstmkit import cli

    model, folder = _saved(tmp_path)
    model.save(folder, quantization="uint8")
    doc = json.loads((folder / "model.json").read_text())
    doc["weightsManifest"][0]["weights"][0]["quantization"]["min"] = HUGE
    write_json(folder, doc)
    assert cli.main(["summary", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "'min' and 'scale'" in err and "a huge integer" in err


def test_an_unused_original_dtype_of_any_kind_is_ignored(tmp_path):
    model, folder = _saved(tmp_path)
    model.save(folder, quantization="uint8")
    doc = json.loads((folder / "model.json").read_text())
    for spec in doc["weightsManifest"][0]["weights"]:
        spec["quantization"]["original_dtype"] = HUGE  # TF.js does not read it either
    write_json(folder, doc)
    want = tf.load_layers_model(tmp_path / "m", strict=True)
    assert [w.shape for w in want.weights] == [w.shape for w in model.weights]
