"""tf.data.csv: TF.js's CSVDataset, checked against hand-written rows and, when Node.js and the
bundled TF.js are there, against real TF.js 4.22 on the same file."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from tfjs_node import tfjs_package

REPO = Path(__file__).resolve().parents[1]

TEXT = (
    'a,b,"c d",lab,flag\n1,2.5,x,1,true\n3,,"y,z",0,0\n 0x10,1e2,"q""r",1,yes\n'
    "-Infinity,inf,  ,2.7,1\n"
)
CONFIG = {"columnConfigs": {"lab": {"isLabel": True, "dtype": "int32"}, "flag": {"dtype": "bool"}}}


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(TEXT)
    return path


def test_rows_labels_and_value_parsing(csv_file):
    ds = tf.data.csv(f"file://{csv_file}", CONFIG)
    assert ds.columnNames() == ["a", "b", "c d", "lab", "flag"] and ds.size is None
    rows = ds.toArray()
    assert rows[0] == {"xs": {"a": 1, "b": 2.5, "c d": "x", "flag": 1}, "ys": {"lab": 1}}
    assert rows[1] == {"xs": {"a": 3, "b": None, "c d": "y,z", "flag": 0}, "ys": {"lab": 0}}
    # hex as JavaScript's Number() reads it; a doubled quote inside quotes stays doubled
    assert rows[2] == {"xs": {"a": 16, "b": 100, "c d": 'q""r', "flag": 0}, "ys": {"lab": 1}}
    # JavaScript's Infinity is a number, Python's 'inf' is not; blanks read as 0; int32 floors
    assert rows[3]["xs"]["a"] == -math.inf and rows[3]["xs"]["b"] == "inf"
    assert rows[3]["xs"]["c d"] == 0 and rows[3]["ys"] == {"lab": 2}
    assert ds.toArray() == rows  # each iteration reads the file again
    plain = tf.data.csv(str(csv_file)).take(1).toArray()  # no labels: one flat dict
    assert plain == [{"a": 1, "b": 2.5, "c d": "x", "lab": 1, "flag": "true"}]


def test_configured_columns_defaults_and_batching(csv_file):
    ds = tf.data.csv(csv_file, configured_columns_only=True, column_configs={"b": {"default": 7}})
    assert ds.column_names() == ["b"]
    assert ds.to_array() == [{"b": 2.5}, {"b": 7}, {"b": 100}, {"b": "inf"}]
    ds = tf.data.csv(
        csv_file, {"columnConfigs": {"lab": {"isLabel": True}}, "configuredColumnsOnly": True}
    )
    first = ds.batch(2).toArray()[1]
    assert first["xs"] == {} and first["ys"]["lab"].dtype == "float32"
    np.testing.assert_allclose(first["ys"]["lab"].numpy(), [1, 2.7], rtol=1e-7)


def test_a_csv_dataset_trains_a_model(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    y = x @ [0.5, -1.0, 2.0]
    lines = ["x0,x1,x2,y"] + [",".join(f"{v:.5f}" for v in (*r, t)) for r, t in zip(x, y)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    ds = (
        tf.data.csv(str(tmp_path / "d.csv"), {"columnConfigs": {"y": {"isLabel": True}}})
        .map(lambda e: {"xs": list(e["xs"].values()), "ys": list(e["ys"].values())})
        .batch(16)
    )
    tf.set_seed(0)
    model = tf.sequential([tf.layers.dense({"units": 1, "inputShape": [3]})])
    model.compile({"optimizer": tf.train.adam(0.1), "loss": "meanSquaredError"})
    h = model.fitDataset(ds, {"epochs": 5, "verbose": 0})
    assert h.params["steps"] is None and h.history["loss"][-1] < h.history["loss"][0]


def test_errors_as_tfjs_says_them(tmp_path, csv_file):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(ValueError, match="Invalid row in csv file. Should have 2 elements"):
        tf.data.csv(bad).toArray()
    with pytest.raises(ValueError, match='The key "z" provided in columnConfigs'):
        tf.data.csv(csv_file, {"columnConfigs": {"z": {}}}).toArray()
    with pytest.raises(ValueError, match="does not match the length of the header"):
        tf.data.csv(csv_file, {"columnNames": ["a"]}).toArray()
    with pytest.raises(ValueError, match="Column names must be provided"):
        tf.data.csv(csv_file, {"hasHeader": False}).toArray()
    with pytest.raises(ValueError, match="Required column b is empty"):
        tf.data.csv(csv_file, {"columnConfigs": {"b": {"required": True}}}).toArray()
    with pytest.raises(ValueError, match="Duplicate column names found: a"):
        tf.data.csv(csv_file, {"columnNames": ["a", "a", "b", "c", "d"]}).toArray()
    with pytest.raises(ValueError, match="Delimiter should not be provided"):
        tf.data.csv(csv_file, {"delimWhitespace": True, "delimiter": ";"})
    with pytest.raises(ValueError, match="local files only"):
        tf.data.csv("https://example.com/data.csv")
    with pytest.raises(ValueError, match="did you mean columnConfigs"):
        tf.data.csv(csv_file, {"columnConfig": {}})
    with pytest.raises(FileNotFoundError, match="no file"):
        tf.data.csv(tmp_path / "missing.csv").toArray()


def test_whitespace_delimiter_and_no_header(tmp_path):
    path = tmp_path / "w.txt"
    path.write_text("1  2 3\n4 5   6\n")
    ds = tf.data.csv(
        path, {"hasHeader": False, "columnNames": ["p", "q", "r"], "delimWhitespace": True}
    )
    assert ds.toArray() == [{"p": 1, "q": 2, "r": 3}, {"p": 4, "q": 5, "r": 6}]


_JS = r"""
const tf = require(process.argv[2]);
const plain = (v) => v instanceof tf.Tensor ? {shape: v.shape, values: v.arraySync()}
  : v === undefined ? null : (typeof v === 'number' && !isFinite(v)) ? {inf: String(v)}
  : (v && typeof v === 'object')
    ? Object.fromEntries(Object.entries(v).map(([k, w]) => [k, plain(w)]))
  : v;
(async () => {
  const src = 'file://' + process.argv[3];
  const out = {
    labelled: await tf.data.csv(src, JSON.parse(process.argv[4])).toArray(),
    plain: await tf.data.csv(src).toArray(),
    names: await tf.data.csv(src).columnNames(),
  };
  console.log(JSON.stringify(plain(out)));
})();
"""


def _plain(v):
    if isinstance(v, tf.Tensor):
        return {"shape": list(v.shape), "values": v.numpy().tolist()}
    if isinstance(v, float) and not math.isfinite(v):
        return {"inf": "Infinity" if v > 0 else "-Infinity"}
    if isinstance(v, dict):
        return {k: _plain(w) for k, w in v.items()}
    if isinstance(v, list):
        return {str(i): _plain(w) for i, w in enumerate(v)}  # as Object.entries of an array
    return v


def test_same_elements_as_real_tfjs(tmp_path, csv_file):
    tfjs = tfjs_package()
    node = shutil.which("node")
    script = tmp_path / "csv.js"
    script.write_text(_JS)
    run = subprocess.run(
        [node, str(script), str(tfjs), str(csv_file), json.dumps(CONFIG)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    want = json.loads([s for s in run.stdout.splitlines() if s.startswith("{")][-1])
    got = {
        "labelled": tf.data.csv(csv_file, CONFIG).toArray(),
        "plain": tf.data.csv(csv_file).toArray(),
        "names": tf.data.csv(csv_file).columnNames(),
    }
    assert _plain(got) == want
