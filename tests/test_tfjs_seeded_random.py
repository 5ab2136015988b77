"""Seeded random ops and initializers give the values real TF.js 4.22 gives for the same seed.

TF.js draws seeded values from seedrandom's alea (uniform) and Marsaglia's polar method on it
(normal, truncated normal); lstmkit reproduces both (`lstmkit._random`). Every case below is
run in Node.js with real TF.js and in lstmkit, and the float32 values must agree to one ulp
(the double-precision log of V8 and of the C library may differ in the last bit).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np

import lstmkit as tf

_JS = r"""
const tf = require(process.argv[2]);
const cases = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const out = [];
for (const c of cases) {
  let t;
  try {
    if (c.op) {
      t = tf[c.op](...c.args);
    } else {
      t = tf.initializers[c.init](c.config).apply(c.shape, c.dtype || 'float32');
    }
    out.push({shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync())});
  } catch (e) {
    out.push({error: e.message});
  }
}
require('fs').writeFileSync(process.argv[4], JSON.stringify(out));
"""

OPS = [
    ("randomUniform", [[3, 4], 0, 1, "float32", 42]),
    ("randomUniform", [[7, 5], -2.5, 3, "float32", 7]),
    ("randomUniform", [[10], 0, 1, "float32", "abc"]),
    ("randomUniform", [[2, 3, 4], -10, 10, "int32", 3]),
    ("randomUniform", [[4], 0, 1, "float32", 0.5]),
    ("randomUniformInt", [[50], 0, 10, 11]),
    ("randomNormal", [[3, 4], 0, 1, "float32", 42]),
    ("randomNormal", [[5, 7], 2, 0.5, "float32", 123]),
    ("randomNormal", [[9], -1, 3, "int32", 5]),
    ("randomStandardNormal", [[11], "float32", 9]),
    ("truncatedNormal", [[6, 5], 0, 1, "float32", 42]),
    ("truncatedNormal", [[40], 1, 0.1, "float32", 99]),
]

INITS = [
    ("randomUniform", {"minval": -0.1, "maxval": 0.3, "seed": 42}, [4, 6]),
    ("randomNormal", {"mean": 0.5, "stddev": 0.2, "seed": 17}, [5, 3]),
    ("truncatedNormal", {"mean": 0, "stddev": 1, "seed": 8}, [20]),
    ("glorotNormal", {"seed": 42}, [8, 16]),
    ("glorotUniform", {"seed": 42}, [8, 16]),
    ("heNormal", {"seed": 3}, [10, 4]),
    ("heUniform", {"seed": 3}, [10, 4]),
    ("leCunNormal", {"seed": 12}, [6, 6]),
    ("leCunUniform", {"seed": 12}, [6, 6]),
    (
        "varianceScaling",
        {"scale": 2, "mode": "fanAvg", "distribution": "normal", "seed": 5},
        [7, 9],
    ),
    (
        "varianceScaling",
        {"scale": 0.5, "mode": "fanOut", "distribution": "uniform", "seed": 5},
        [3, 2, 4],
    ),
]


def _run_tfjs(tmp_path, cases: list[dict]) -> list[dict]:
    from tfjs_node import tfjs_package

    package = tfjs_package()
    node = shutil.which("node")
    assert node
    script, cases_file, out_file = tmp_path / "r.js", tmp_path / "c.json", tmp_path / "o.json"
    script.write_text(_JS)
    cases_file.write_text(json.dumps(cases))
    done = subprocess.run(
        [node, str(script), str(package), str(cases_file), str(out_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out_file.read_text())


def _same(got: np.ndarray, want: dict, where: str) -> None:
    assert "error" not in want, (where, want)
    assert list(got.shape) == want["shape"], where
    expected = np.array(want["values"], np.float64).reshape(want["shape"])
    if want["dtype"] == "int32":
        np.testing.assert_array_equal(got, expected, err_msg=where)
    else:
        # one float32 ulp: V8's and the C library's double log may differ in the last bit
        np.testing.assert_array_max_ulp(got.astype(np.float32), expected.astype(np.float32), 1)


def test_seeded_ops_and_initializers_match_real_tfjs(tmp_path):
    cases = [{"op": op, "args": args} for op, args in OPS]
    cases += [{"init": name, "config": config, "shape": shape} for name, config, shape in INITS]
    results = _run_tfjs(tmp_path, cases)
    for (op, args), want in zip(OPS, results[: len(OPS)]):
        got = getattr(tf, op)(*args)
        _same(got.numpy(), want, f"{op}{args}")
        assert got.dtype == want["dtype"], op
    for (name, config, shape), want in zip(INITS, results[len(OPS) :]):
        got = getattr(tf.initializers, name)(config).apply(shape)
        _same(np.asarray(got.numpy() if hasattr(got, "numpy") else got), want, name)


def test_seeded_values_repeat_and_seeds_differ():
    a = tf.randomNormal([100], 0, 1, "float32", 5).numpy()
    np.testing.assert_array_equal(a, tf.randomNormal([100], 0, 1, "float32", 5).numpy())
    assert not np.array_equal(a, tf.randomNormal([100], 0, 1, "float32", 6).numpy())
    # seed 0 is a seed here too (TF.js takes it for "no seed" in randomNormal)
    z = tf.randomNormal([10], 0, 1, "float32", 0).numpy()
    np.testing.assert_array_equal(z, tf.randomNormal([10], 0, 1, "float32", 0).numpy())


def test_truncated_values_stay_within_two_stddev():
    v = tf.truncatedNormal([5000], 3.0, 0.5, "float32", 21).numpy()
    assert v.min() >= 2.0 and v.max() <= 4.0
    assert abs(v.mean() - 3.0) < 0.03


def test_int32_uniform_cuts_toward_zero_as_tfjs():
    """TF.js stores randomUniform's float draws in an Int32Array: cut toward zero, so a range
    of (-1, 1) gives only zeros and [0, 10) gives 0..9."""
    assert not tf.randomUniform([50], -1, 1, "int32", 4).numpy().any()
    v = tf.randomUniform([2000], 0, 10, "int32").numpy()
    assert v.min() == 0 and v.max() == 9
