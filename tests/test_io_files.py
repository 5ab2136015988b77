"""Model folders on disk: layouts written, paths refused, sizes checked, atomic saves,
the weight codec (dtypes, quantization, shards) and JS-compatible JSON text."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.io import ModelFormatError, handlers, model_json
from lstmkit.io import weights as wio
from tfjs_fixtures import FIXTURES

L = tf.layers
REPO = Path(__file__).resolve().parents[1]


def _model():
    model = tf.load_layers_model(FIXTURES / "lstm_default")
    return model, np.cos(0.3 * np.arange(2 * 4 * 2)).reshape(2, 4, 2).astype(np.float32)


def _saved(tmp_path, **kwargs) -> Path:
    model, _ = _model()
    return model.save(tmp_path / "m", **kwargs)


def _doc(folder: Path) -> dict:
    return json.loads((folder / "model.json").read_text())


def _write_doc(folder: Path, doc: dict) -> None:
    (folder / "model.json").write_text(json.dumps(doc))


# -- layouts --------------------------------------------------------------------------------------


def test_saving_twice_gives_identical_bytes(tmp_path):
    model, _ = _model()
    model.save(tmp_path / "a", include_optimizer=True, metadata={"k": 1})
    model.save(tmp_path / "b", include_optimizer=True, metadata={"k": 1})
    for name in ("model.json", "weights.bin"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_shards_follow_the_converter_layout(tmp_path):
    folder = _saved(tmp_path, shard_size=100)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "group1-shard1of4.bin",
        "group1-shard2of4.bin",
        "group1-shard3of4.bin",
        "group1-shard4of4.bin",
        "model.json",
    ]
    assert [(folder / n).stat().st_size for n in names[:4]] == [100, 100, 100, 4]
    assert _doc(folder)["weightsManifest"][0]["paths"] == names[:4]
    joined = b"".join((folder / n).read_bytes() for n in names[:4])
    assert joined == (FIXTURES / "lstm_default" / "weights.bin").read_bytes()
    model, x = _model()
    np.testing.assert_array_equal(
        tf.load_layers_model(folder).predict(x).numpy(), model.predict(x).numpy()
    )


def test_default_shard_size_is_four_mebibytes(tmp_path):
    model = tf.sequential([L.dense(units=1100, input_shape=[1000])])  # 4.4 MB of float32
    folder = model.save(tmp_path / "m", shard_size=True)
    sizes = [p.stat().st_size for p in sorted(folder.glob("*.bin"))]
    assert sizes == [4 * 1024 * 1024, 4 * 1100 * 1001 - 4 * 1024 * 1024]


def test_a_save_replaces_the_previous_model_whole(tmp_path):
    model, _ = _model()
    model.save(tmp_path / "m", shard_size=50)
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json", "weights.bin"]
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary folders left


def test_a_save_keeps_the_folders_other_files_as_tfjs_does(tmp_path, monkeypatch):
    """TF.js's file:// writer leaves other files alone (tfjs-examples' sentiment writes
    metadata.json into the model folder, then saves); the swap keeps them, hard-linked."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "metadata.json").write_text('{"mine": 1}')
    model, x = _model()
    model.save(folder, shard_size=50)
    model.save(f"file://{folder}")
    assert sorted(p.name for p in folder.iterdir()) == [
        "metadata.json",
        "model.json",
        "weights.bin",
    ]
    assert (folder / "metadata.json").read_text() == '{"mine": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary folders left
    np.testing.assert_array_equal(
        tf.load_layers_model(folder).predict(x).numpy(), model.predict(x).numpy()
    )
    # a folder with sub-folders, or the working directory, is refused, nothing moved
    (folder / "runs").mkdir()
    with pytest.raises(ValueError, match=r"folders or symlinks \(runs/\)"):
        model.save(folder)
    assert (folder / "runs").is_dir() and (folder / "metadata.json").exists()
    (folder / "runs").rmdir()
    monkeypatch.chdir(folder)
    with pytest.raises(ValueError, match="working directory"):
        model.save(".")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("a file")
    with pytest.raises(ValueError, match="not a folder"):
        model.save(tmp_path / "f")


def test_a_failing_save_leaves_the_previous_model(tmp_path, monkeypatch):
    model, _ = _model()
    model.save(tmp_path / "m", metadata={"version": 1})
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}
    calls = []

    def write_then_fail(path, data):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError("disk full")
        Path(path).write_bytes(data)

    monkeypatch.setattr(handlers, "_write_file", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        model.save(tmp_path / "m", metadata={"version": 2})
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_a_killed_save_leaves_the_previous_model(tmp_path):
    """The process dies midway (no cleanup runs): the target still holds the old model."""
    model, x = _model()
    model.save(tmp_path / "m")
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}
    script = textwrap.dedent(f"""
        import os
        import lstmkit as tf
        from lstmkit.io import handlers
        real = handlers._write_file
        def die(path, data):
            real(path, data[: len(data) // 2])
            os._exit(3)
        handlers._write_file = die
        model = tf.load_layers_model({str(FIXTURES / "lstm_default")!r})
        model.save({str(tmp_path / "m")!r}, shard_size=64)
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    assert subprocess.run([sys.executable, "-c", script], env=env).returncode == 3
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "m"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".m.saving-")
    np.testing.assert_array_equal(
        tf.load_layers_model(tmp_path / "m").predict(x).numpy(), model.predict(x).numpy()
    )
    model.save(tmp_path / "m")  # the next save deletes the killed one's folder
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_browser_download_layout_loads(tmp_path):
    folder = _saved(tmp_path)
    doc = _doc(folder)
    doc["weightsManifest"][0]["paths"] = ["./model.weights.bin"]
    (folder / "weights.bin").rename(folder / "model.weights.bin")
    order = ["modelTopology", "format", "generatedBy", "convertedBy", "weightsManifest"]
    _write_doc(folder, {k: doc[k] for k in order})
    model, x = _model()
    np.testing.assert_array_equal(
        tf.load_layers_model(f"file://{folder}/model.json").predict(x).numpy(),
        model.predict(x).numpy(),
    )


def test_several_groups_with_straddling_shards(tmp_path):
    folder = _saved(tmp_path)
    doc = _doc(folder)
    data = (folder / "weights.bin").read_bytes()
    specs = doc["weightsManifest"][0]["weights"]
    cut = 4 * (24 + 36)  # kernel + recurrent kernel in group 1
    groups = [(specs[:2], data[:cut]), (specs[2:], data[cut:])]
    manifest = []
    for g, (group_specs, raw) in enumerate(groups):
        shards = wio.shard(raw, 7)  # 7-byte shards: every float straddles
        paths = [f"g{g}/s{i}.bin" for i in range(len(shards))]
        (folder / f"g{g}").mkdir()
        for p, s in zip(paths, shards):
            (folder / p).write_bytes(s)
        manifest.append({"paths": paths, "weights": group_specs})
    (folder / "weights.bin").unlink()
    doc["weightsManifest"] = manifest
    _write_doc(folder, doc)
    model, x = _model()
    np.testing.assert_array_equal(
        tf.load_layers_model(folder).predict(x).numpy(), model.predict(x).numpy()
    )


# -- hostile paths and sizes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "../weights.bin",
        "a/../../weights.bin",
        "..\\weights.bin",
        "C:weights.bin",
        "http://example.com/w.bin",
        "",
        ".",
        "./",
        "w\0.bin",
        "\ud800.bin",
    ],
)
def test_weight_paths_must_stay_in_the_folder(tmp_path, path):
    folder = _saved(tmp_path)
    doc = _doc(folder)
    doc["weightsManifest"][0]["paths"] = [path]
    _write_doc(folder, doc)
    with pytest.raises(ModelFormatError, match="weight path") as e:
        tf.load_layers_model(folder)
    assert str(folder / "model.json") in str(e.value)


def test_symlinks_leaving_the_folder_are_refused(tmp_path):
    folder = _saved(tmp_path)
    outside = tmp_path / "outside.bin"
    (folder / "weights.bin").rename(outside)
    (folder / "weights.bin").symlink_to(outside)
    with pytest.raises(ModelFormatError, match="leads outside the model folder"):
        tf.load_layers_model(folder)
    (folder / "weights.bin").unlink()
    (folder / "inside.bin").write_bytes(outside.read_bytes())
    (folder / "weights.bin").symlink_to("inside.bin")  # a link that stays inside is fine
    tf.load_layers_model(folder)


def test_missing_and_non_regular_files(tmp_path):
    folder = _saved(tmp_path)
    (folder / "weights.bin").unlink()
    with pytest.raises(ModelFormatError, match="weights.bin: weight file not found"):
        tf.load_layers_model(folder)
    (folder / "weights.bin").mkdir()
    with pytest.raises(ModelFormatError, match="not a regular file"):
        tf.load_layers_model(folder)
    with pytest.raises(ModelFormatError, match="nowhere.*cannot read"):
        tf.load_layers_model(tmp_path / "nowhere")


@pytest.mark.parametrize("delta", [-1, 1, -304])
def test_truncated_or_extra_bytes(tmp_path, delta):
    folder = _saved(tmp_path)
    raw = (folder / "weights.bin").read_bytes()
    (folder / "weights.bin").write_bytes(raw[:delta] if delta < 0 else raw + b"\0" * delta)
    with pytest.raises(ModelFormatError, match="declares 304 bytes") as e:
        tf.load_layers_model(folder)
    assert "truncated" in str(e.value) if delta < 0 else "extra bytes" in str(e.value)


@pytest.mark.parametrize(
    "shape, problem",
    [
        ([-1, 12], "invalid dimension"),
        ([2.5, 12], "invalid dimension"),
        ([True, 12], "invalid"),
        ([2**40, 12], "invalid dimension"),
        ([65536, 65536], "more than"),
        ("12", "'shape' must be"),
        ([1] * 65, "'shape' must be"),
        ([100000, 12], r"Shape mismatch: \[2, 12\] vs. \[100000, 12\]"),  # before any read
    ],
)
def test_bad_shapes_are_refused_before_allocation(tmp_path, shape, problem):
    folder = _saved(tmp_path)
    doc = _doc(folder)
    doc["weightsManifest"][0]["weights"][0]["shape"] = shape
    _write_doc(folder, doc)
    with pytest.raises(ModelFormatError, match=problem):
        tf.load_layers_model(folder)


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"dtype": "float64"}, "unsupported dtype"),
        ({"dtype": "complex64"}, "unsupported dtype"),
        ({"name": 3}, "string 'name'"),
        ({"group": 1}, "'group' must"),
        ({"quantization": {"dtype": "int4"}}, "quantization"),
        ({"quantization": {"dtype": "uint8", "min": 0}}, "'min' and 'scale'"),
        ({"quantization": {"dtype": "uint8", "min": 0, "scale": float("nan")}}, "invalid JSON"),
    ],
)
def test_bad_entries_are_refused(tmp_path, change, problem):
    folder = _saved(tmp_path)
    doc = _doc(folder)
    doc["weightsManifest"][0]["weights"][0].update(change)
    _write_doc(folder, doc)
    with pytest.raises(ModelFormatError, match=problem):
        tf.load_layers_model(folder)


def test_duplicate_names_are_refused(tmp_path):
    folder = _saved(tmp_path)
    doc = _doc(folder)
    doc["weightsManifest"][0]["weights"][1]["name"] = "lstm_LSTM1/kernel:0"
    _write_doc(folder, doc)
    with pytest.raises(ModelFormatError, match="duplicate weight name 'lstm_LSTM1/kernel'"):
        tf.load_layers_model(folder)


def test_absurd_layer_sizes_are_refused_before_allocation(tmp_path):
    folder = _saved(tmp_path)
    doc = _doc(folder)
    doc["modelTopology"]["config"]["layers"][0]["config"]["units"] = 10**9
    _write_doc(folder, doc)
    with pytest.raises(ModelFormatError, match="more than the .* the weight files hold"):
        tf.load_layers_model(folder)
    with pytest.raises(ModelFormatError, match="more than"):
        tf.load_layers_model(folder, strict=False)


@pytest.mark.parametrize(
    "text, problem",
    [
        (b"{", "invalid JSON"),
        (b"[1,2]", "must hold a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"modelTopology": 3}', "'modelTopology' is missing"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b'{"modelTopology": {"class_name": "Nope"}}', "cannot build the model"),
        (
            b'{"modelTopology": {"class_name": "Sequential", "config": {"layers": '
            b'[{"class_name": "Dense", "config": {"units": "many"}}]}}}',
            "cannot build the model",
        ),
        (b'{"modelTopology": {}, "weightsManifest": {}}', "must be a list"),
    ],
)
def test_bad_model_json(tmp_path, text, problem):
    (tmp_path / "model.json").write_bytes(text)
    with pytest.raises(ModelFormatError, match=problem) as e:
        tf.load_layers_model(tmp_path)
    assert isinstance(e.value, ValueError) and str(e.value).startswith(str(tmp_path / "model.json"))


# -- weight codec ---------------------------------------------------------------------------------


def test_codec_round_trips_every_dtype():
    entries = [
        ("f", np.array([[1.5, -2.25], [np.inf, -0.0]], np.float32), None),
        ("i", np.array([-(2**31), 2**31 - 1, 0], np.int32), None),
        ("b", np.array([[True, False, True]]), None),
        ("s", np.array([["", "ab"], ["ünï", "\U0001f600"]], dtype=object), "optimizer"),
        ("scalar", np.array(7, np.int32), "optimizer"),
        ("empty", np.zeros((0, 3), np.float32), None),
    ]
    specs, data = wio.encode_weights(entries)
    assert specs[0] == {"name": "f", "shape": [2, 2], "dtype": "float32"}
    assert specs[3] == {"name": "s", "shape": [2, 2], "dtype": "string", "group": "optimizer"}
    assert data[16:28] == np.array([-(2**31), 2**31 - 1, 0], "<i4").tobytes()
    assert data[28:31] == b"\x01\x00\x01"
    assert data[31:35] == b"\0\0\0\0" and data[35:41] == b"\x02\0\0\0ab"
    group = wio.parse_manifest([{"paths": ["x"], "weights": specs}], "m.json")[0]
    decoded = wio.decode_group(group, data, "m.json")
    for (name, want, _), (spec, got) in zip(entries, decoded):
        assert spec.name == name and got.shape == want.shape
        assert got.tolist() == want.tolist()
    assert decoded[3][1].dtype == object and decoded[2][1].dtype == np.bool_


def test_uint8_quantization_matches_the_converter_example():
    """write_weights.py's docstring: [0, -0.1, 1.2] -> [20, 0, 255], min -0.10196, scale 0.0051."""
    data, meta = wio.quantize(np.array([0, -0.1, 1.2], np.float32), "uint8")
    assert list(data) == [20, 0, 255]
    assert math.isclose(meta["min"], -0.10196078817, rel_tol=1e-6)
    assert math.isclose(meta["scale"], 0.00509803940852, rel_tol=1e-6)


@pytest.mark.parametrize("qdtype, levels", [("uint8", 255), ("uint16", 65535)])
def test_affine_quantization_keeps_zero_exact_and_error_small(qdtype, levels):
    values = np.random.default_rng(1).normal(size=1000).astype(np.float32)
    values[10] = 0.0
    specs, data = wio.encode_weights([("w", values, None)], {"w": qdtype})
    q = specs[0]["quantization"]
    assert specs[0]["dtype"] == "float32" and list(q) == ["dtype", "min", "scale", "original_dtype"]
    assert len(data) == values.size * (1 if qdtype == "uint8" else 2)
    group = wio.parse_manifest([{"paths": ["x"], "weights": specs}], "m.json")[0]
    back = wio.decode_group(group, data, "m.json")[0][1]
    assert back[10] == 0.0
    assert np.max(np.abs(back - values)) <= q["scale"] / 2 + 1e-6
    assert math.isclose(q["scale"], (values.max() - values.min()) / levels, rel_tol=1e-6)


def test_positive_and_constant_tensors_quantize_as_the_converter():
    data, meta = wio.quantize(np.array([2.0, 3.0, 4.0], np.float32), "uint8")  # 0 not in range
    assert meta["min"] == 2.0 and list(data) == [0, 128, 255]
    data, meta = wio.quantize(np.full(4, 0.5, np.float32), "uint16")
    assert meta == {"dtype": "uint16", "min": 0.5, "scale": 1.0} and data == b"\0" * 8
    with pytest.raises(ValueError, match="NaN"):
        wio.quantize(np.array([np.nan, 1.0], np.float32), "uint8")


def test_float16_and_pattern_plans(tmp_path):
    plan = wio.quantization_plan(
        ["a/kernel", "a/bias", "b/kernel"], {"uint8": "*/kernel", "float16": True}
    )
    assert plan == {"a/kernel": "uint8", "b/kernel": "uint8", "a/bias": "float16"}
    for bad in ["int8", {"uint8": True, "float16": True}, 3]:
        with pytest.raises(ValueError):
            wio.quantization_plan(["a"], bad)
    folder = _saved(tmp_path, quantization="float16")
    specs = _doc(folder)["weightsManifest"][0]["weights"]
    assert specs[0]["quantization"] == {"dtype": "float16", "original_dtype": "float32"}
    assert (folder / "weights.bin").stat().st_size == 152
    model, x = _model()
    np.testing.assert_allclose(
        tf.load_layers_model(folder).predict(x).numpy(), model.predict(x).numpy(), atol=2e-3
    )


def test_optimizer_state_is_never_quantized(tmp_path):
    model, x = _model()
    model.compile(optimizer="adam", loss="meanSquaredError")
    model.fit(x, np.ones((2, 1), np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "m", include_optimizer=True, quantization="uint8")
    specs = _doc(tmp_path / "m")["weightsManifest"][0]["weights"]
    assert all(("quantization" in s) == (s.get("group") is None) for s in specs)


def test_quantized_int32_dequantizes_with_js_rounding():
    spec = {
        "name": "i",
        "shape": [3],
        "dtype": "int32",
        "quantization": {"dtype": "uint8", "min": -1.0, "scale": 0.5},
    }
    group = wio.parse_manifest([{"paths": ["x"], "weights": [spec]}], "m.json")[0]
    got = wio.decode_group(group, bytes([0, 1, 5]), "m.json")[0][1]
    assert got.tolist() == [-1, 0, 2]  # Math.round(-0.5) is -0, Math.round(1.5) is 2


# -- JSON text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (1.0, "1"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (-0.0, "0"),
        (float("nan"), "null"),
        (float("-inf"), "null"),
        (0.1, "0.1"),
        (True, "true"),
        (np.float32(0.1), "0.10000000149011612"),
        (np.int64(3), "3"),
        ((1, None), "[1,null]"),
        ({"b": 1, "2": 2, "10": 3, "01": 4}, '{"2":2,"10":3,"b":1,"01":4}'),
        ("é\u2028\x1f\ud800", '"é\u2028\\u001f\\ud800"'),
    ],
)
def test_json_text_is_js(value, text):
    assert model_json.dumps(value) == text


def test_json_reader_is_strict():
    for bad in [b"[NaN]", b"[Infinity]", b"[1,]", b"{'a':1}"]:
        with pytest.raises(ModelFormatError, match="invalid JSON"):
            model_json.loads(bad, "x.json")
    assert model_json.loads("\ufeff[1]".encode()) == [1]
    nested = "[" * (model_json.MAX_DEPTH + 1) + "]" * (model_json.MAX_DEPTH + 1)
    with pytest.raises(ModelFormatError, match="nested deeper"):
        model_json.loads(nested)
