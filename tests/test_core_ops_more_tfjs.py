"""The tfjs-core ops added in engine/ops (ranked, strided_slice, shape_tools, products,
scatter_gather, segments, searching, normalization) against real TensorFlow.js 4.22 in
Node.js: values, shape and dtype of each result, on many argument forms, and for the calls
TF.js refuses, that lstmkit refuses too. Skipped where node/npm are missing (tests/tfjs_node.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import numpy as np
import pytest

import lstmkit as tf

_JS = r"""
const tf = require(process.argv[2]);
const fs = require('fs');
const jobs = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
// a top-level null is an omitted argument; inside a list it stays null (a shape's unknown size)
const value = (a) => {
  if (a && typeof a === 'object' && a.__tensor) {
    const vals = a.values.map((v) => (v === 'NaN' ? NaN : v));
    return tf.tensor(vals, a.shape, a.dtype);
  }
  if (Array.isArray(a)) return a.map(value);
  return a;
};
const arg = (a) => (a === null ? undefined : value(a));
const enc = (y) => {
  if (y instanceof tf.Tensor) {
    return {shape: y.shape, dtype: y.dtype, values: Array.from(y.dataSync(), Number)};
  }
  if (Array.isArray(y)) return y.map(enc);
  if (y && typeof y === 'object') {
    const o = {};
    for (const k of Object.keys(y)) o[k] = enc(y[k]);
    return o;
  }
  return y;
};
(async () => {
  const out = [];
  for (const job of jobs) {
    try {
      const args = job.args.map(arg);
      let y = job.method ? args[0][job.fn](...args.slice(1)) : tf[job.fn](...args);
      if (y instanceof Promise) y = await y;
      out.push({result: enc(y)});
    } catch (e) {
      out.push({error: String(e.message)});
    }
  }
  fs.writeFileSync(process.argv[4], JSON.stringify(out));
})();
"""

RNG = np.random.default_rng(7)


def T(values: Any, dtype: str = "float32") -> np.ndarray:  # noqa: N802  (a tensor argument)
    np_dtype = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}[dtype]
    return np.asarray(values, np_dtype)


X234 = RNG.normal(size=(2, 3, 4)).astype(np.float32)
X34 = RNG.normal(size=(3, 4)).astype(np.float32)
X5 = RNG.normal(size=(5,)).astype(np.float32)
I6 = np.array([3, 1, 3, 0, 5, 1], np.int32)
X2345 = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32)

# (TF.js function, arguments); np arrays go over as tensors of their dtype
CASES: list[tuple[str, list[Any]]] = [
    ("addN", [[X34, X34 * 2, -X34]]),
    ("addN", [[T([1, 2], "int32"), T([3, 4], "int32")]]),
    ("clone", [X5]),
    ("concat1d", [[X5, X5[:2]]]),
    ("concat2d", [[X34, X34[:1]], 0]),
    ("concat3d", [[X234, X234[:, :, :2]], 2]),
    ("concat4d", [[X2345, X2345], -1]),
    ("slice1d", [X5, 1, 3]),
    ("slice2d", [X34, [1, 0], [2, -1]]),
    ("slice3d", [X234, [0, 1, 1], [2, 2, 3]]),
    ("slice4d", [X2345, [1, 0, 2, 1], [1, 3, 2, -1]]),
    ("reverse1d", [X5]),
    ("reverse2d", [X34, 1]),
    ("reverse2d", [X34]),
    ("reverse3d", [X234, [0, 2]]),
    ("reverse4d", [X2345, -2]),
    ("pad1d", [X5, [1, 2]]),
    ("pad2d", [X34, [[1, 0], [0, 2]], 7]),
    ("pad3d", [X234, [[0, 1], [1, 1], [2, 0]]]),
    ("pad4d", [X2345, [[0, 0], [1, 0], [0, 1], [1, 1]], -1]),
    ("mirrorPad", [X34, [[2, 1], [3, 3]], "reflect"]),
    ("mirrorPad", [X234, [[2, 1], [3, 3], [0, 4]], "symmetric"]),
    ("mirrorPad", [T([[1, 2], [3, 4]], "int32"), [[1, 1], [2, 0]], "symmetric"]),
    ("stridedSlice", [X234, [0, 1, -1], [2, 3, 0], [1, 1, -1]]),
    ("stridedSlice", [X234, [0, 0], [1, 2], [1, 1], 0, 0, 1]),
    ("stridedSlice", [X234, [0, 0, 1], [1, 2, 3], [1, 1, 1], 0, 0, 0, 2]),
    ("stridedSlice", [X234, [0, 0, 1], [1, 2, 3], [1, 1, 1], 5, 2, 0, 0, 4]),
    ("stridedSlice", [X234, [1, 0, 0, 2], [2, 0, 0, 3], [1, 1, 1, 1], 0, 0, 2, 4, 1]),
    ("stridedSlice", [X234, [-1, 5, -9], [-3, -9, 9], [-1, -2, 3]]),
    ("stridedSlice", [X234, [0], [1]]),
    ("stridedSlice", [T([1, 2, 3, 4, 5, 6], "int32"), [5], [0], [-2], 0, 1]),
    ("cumprod", [X34, 1]),
    ("cumprod", [X234, 0, True]),
    ("cumprod", [X234, 2, True, True]),
    ("cumprod", [X234, 1, False, True]),
    ("cumprod", [T([[1, 2], [3, 4]], "int32"), 1]),
    ("cumprod", [T([True, False, True], "bool")]),
    ("diag", [X5]),
    ("diag", [T([[1, 2], [3, 4]], "int32")]),
    ("outerProduct", [X5, X5[:3]]),
    ("meshgrid", [X5[:3], X5[:2]]),
    ("meshgrid", [X5[:3], X5[:2], {"indexing": "ij"}]),
    ("meshgrid", [[1, 2, 3], [4, 5]]),
    ("meshgrid", [T([1, 2, 3], "int32"), T([4, 5], "int32")]),
    ("einsum", ["ij,jk->ik", X34.T, X34]),
    ("einsum", ["ij->ji", X34]),
    ("einsum", ["i,i->", X5, X5]),
    ("einsum", ["bij,bjk->bik", X234, X234.transpose(0, 2, 1)]),
    ("einsum", ["ij,j->i", X34, X34[0]]),
    ("einsum", ["i,j->ij", X5, X5[:2]]),
    ("einsum", ["ijk->", X234]),
    ("einsum", ["ij,jk->ik", T([[1, 2], [3, 4]], "int32"), T([[1, 0], [2, 1]], "int32")]),
    ("ensureShape", [X34, [3, 4]]),
    ("ensureShape", [X34, [None, 4]]),
    ("randomUniformInt", [[0], 0, 5]),
    ("unique", [T([1, 1, 2, 4, 4, 4, 7, 8, 8], "int32")]),
    ("unique", [T([[1, 0, 0], [1, 0, 0], [2, 0, 0]], "int32"), 0]),
    ("unique", [T([[1, 0, 1], [1, 0, 1], [2, 0, 2]]), 1]),
    ("unique", [T([True, False, True], "bool")]),
    ("unique", [T([0.0, -0.0, np.nan, np.nan, 1.0])]),
    ("lowerBound", [T([1, 3, 3, 7]), T([0, 3, 4, 9])]),
    ("upperBound", [T([1, 3, 3, 7]), T([0, 3, 4, 9])]),
    ("searchSorted", [T([[0, 3, 9], [1, 2, 3]]), T([[2, 9], [0, 4]]), "right"]),
    ("searchSorted", [T([1, 2, 3], "int32"), T([[2]], "int32")]),
    ("gatherND", [X234, T([[0, 1], [1, 2]], "int32")]),
    ("gatherND", [X234, T([1, 2, 3], "int32")]),
    ("gatherND", [X234, T([[[1]], [[0]]], "int32")]),
    ("gatherND", [T([[1, 2], [3, 4]], "int32"), [[0, 0], [1, 1]]]),
    ("scatterND", [T([[0], [2], [0]], "int32"), T([1, 2, 3]), [4]]),
    ("scatterND", [T([[0, 1], [1, 0]], "int32"), T([[5, 6], [7, 8]]), [2, 2, 2]]),
    ("scatterND", [T([1, 0], "int32"), T([[5, 6], [7, 8]], "int32"), [2, 2]]),
    ("tensorScatterUpdate", [X34, T([[0], [2], [0]], "int32"), X34[:3] * 0 + 9]),
    ("tensorScatterUpdate", [T([1, 2, 3, 4], "int32"), T([[1], [3]], "int32"), T([9, 8], "int32")]),
    ("sparseToDense", [T([4, 5, 6, 1, 2, 3], "int32"), T([10, 11, 12, 13, 14, 15]), [8], 0]),
    ("sparseToDense", [T([[0, 1], [1, 1]], "int32"), T([5, 6], "int32"), [2, 3], 9]),
    ("sparseToDense", [T([0, 2], "int32"), T(3.5), [4], 1]),
    ("unsortedSegmentSum", [X34, T([2, 0, 2], "int32"), 3]),
    ("unsortedSegmentSum", [X5, T([1, 0, -1, 5, 1], "int32"), 3]),
    ("unsortedSegmentSum", [T([1, 2, 3, 4], "int32"), T([0, 1, 0, 1], "int32"), 2]),
    ("unsortedSegmentSum", [X34, T([[0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 0, 1]], "int32"), 2]),
    ("bincount", [I6, T([]), 4]),
    ("bincount", [I6, T([0.5, 1, 2, 3, 4, 5]), 6]),
    ("bincount", [I6, T([1, 1, 2, 3, 4, 5], "int32"), 2]),
    ("denseBincount", [I6, T([]), 4]),
    ("denseBincount", [I6, T([]), 4, True]),
    ("denseBincount", [I6.reshape(2, 3), T([]), 5]),
    ("denseBincount", [I6.reshape(2, 3), T([]), 5, True]),
    ("denseBincount", [I6.reshape(3, 2), T(np.arange(6) * 0.5).reshape(3, 2), 4]),
    ("bitwiseAnd", [T([0, 5, 3, 14], "int32"), T([5, 0, 7, 11], "int32")]),
    ("broadcastArgs", [T([1, 6, -1], "int32"), T([3, 1, 1, 1], "int32")]),
    ("broadcastArgs", [T([2, 1], "int32"), T([5, 1, 3], "int32")]),
    ("movingAverage", [X5, X5 * 2, 0.6, 2]),
    ("movingAverage", [X5, X5 * 2, 0.6, None, False]),
    ("whereAsync", [T([[True, False], [True, True]], "bool")]),
    ("booleanMaskAsync", [X234, T([True, False, True], "bool"), 1]),
    ("booleanMaskAsync", [X234, T([[True, False, True], [False, False, True]], "bool")]),
    ("setdiff1dAsync", [T([1, 2, 3, 4, 5, 2], "int32"), T([2, 5], "int32")]),
    ("inTopKAsync", [T([[1, 3, 3, 0], [4, 1, 2, 2]]), T([2, 3], "int32"), 2]),
    ("inTopKAsync", [T([[[1, 5], [2, 0]]]), T([[0, 0]], "int32")]),
    ("prelu", [X34, T([0.1, 0.2, 0.3, 0.4])]),
    ("prelu", [X234, T(0.25)]),
    ("batchNorm", [X234, X234[0, 0], np.abs(X234[1, 1]), X5[:4], X34[2]]),
    ("batchNorm", [X234, X234[0, 0], np.abs(X234[1, 1])]),
    ("batchNorm", [X34, X34, np.abs(X34), None, None, 0.1]),
    ("batchNorm2d", [X34, X34[0], np.abs(X34[1]), X34[2], None, 0.01]),
    ("batchNorm3d", [X234, X234[0, 0], np.abs(X234[1, 1])]),
    ("batchNorm4d", [X2345, X5, np.abs(X5), X5, X5]),
    ("localResponseNormalization", [X234]),
    ("localResponseNormalization", [X2345, 1, 0.5, 0.3, 0.75]),
    ("localResponseNormalization", [X2345, 2]),
]

# calls TF.js refuses
ERRORS: list[tuple[str, list[Any]]] = [
    ("addN", [[]]),
    ("addN", [[X5, X5[:2]]]),
    ("addN", [[T([1], "int32"), T([1])]]),
    ("slice2d", [X5, [0, 0], [1, 1]]),
    ("reverse3d", [X34]),
    ("pad2d", [X34, [[1, 1]]]),
    ("mirrorPad", [X34, [[3, 0], [0, 0]], "reflect"]),
    ("mirrorPad", [X34, [[0, 0]], "reflect"]),
    ("mirrorPad", [X34, [[0, 0], [0, 0]], "wrap"]),
    ("stridedSlice", [X234, [0, 0], [1, 1], [1, 1], 0, 0, 3]),
    ("stridedSlice", [X234, [0], [1], [0]]),
    ("stridedSlice", [X234, [5], [6], [1], 0, 0, 0, 0, 1]),
    ("outerProduct", [X34, X5]),
    ("einsum", ["ij,jk", X34, X34]),
    ("einsum", ["ij,jk->ik->i", X34, X34]),
    ("einsum", ["ii->", X34[:, :3]]),
    ("einsum", ["ij->ji", X34, X34]),
    ("einsum", ["ij,jk->in", X34, X34.T]),
    ("einsum", ["ij,jk->ik", X34, X34]),
    ("ensureShape", [X34, [3, 5]]),
    ("ensureShape", [X34, [3]]),
    ("gatherND", [X34, T([[0.0, 1.0]])]),
    ("gatherND", [X34, T([[0, 1, 2]], "int32")]),
    ("gatherND", [X34, T([[3, 0]], "int32")]),
    ("scatterND", [T([[0], [5]], "int32"), T([1, 2]), [4]]),
    ("scatterND", [T([[0], [1]], "int32"), T([1, 2, 3]), [4]]),
    ("tensorScatterUpdate", [X5, T([[0]], "int32"), T([1], "int32")]),
    ("sparseToDense", [T([[0, 1]], "int32"), T([5]), [4], 0]),
    ("sparseToDense", [T([0, 1], "int32"), T([5, 6, 7]), [4], 0]),
    ("bincount", [T([1, 2]), T([]), 4]),
    ("bincount", [I6, T([1, 2]), 4]),
    ("bincount", [T([-1, 2], "int32"), T([]), 4]),
    ("denseBincount", [I6.reshape(1, 2, 3), T([]), 4]),
    ("bitwiseAnd", [T([1, 2], "int32"), T([1, 2, 3], "int32")]),
    ("bitwiseAnd", [T([1, 2]), T([1, 2])]),
    ("broadcastArgs", [T([1, 2], "int32"), T([1, 3], "int32")]),
    ("broadcastArgs", [T([[1]], "int32"), T([1], "int32")]),
    ("movingAverage", [X5, X5, 0.5]),
    ("movingAverage", [X5, X5[:2], 0.5, 1]),
    ("booleanMaskAsync", [X34, T([True, False], "bool")]),
    ("setdiff1dAsync", [T([1, 2], "int32"), T([1.0])]),
    ("inTopKAsync", [X5, T(1, "int32")]),
    ("inTopKAsync", [X34, T([1, 1, 1], "int32"), 5]),
    ("batchNorm", [X34, X34, X5[:4]]),
    ("batchNorm2d", [X234, X5[:4], X5[:4]]),
    ("localResponseNormalization", [X34]),
    ("localResponseNormalization", [X234, 1.5]),
    ("unique", [T(3.0)]),
    ("randomGamma", [[2], 1, 1, "bool"]),
    ("rand", [[-1], None]),
]


def _js_arg(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        dtype = {"f": "float32", "i": "int32", "b": "bool"}[a.dtype.kind]
        values = a.reshape(-1).tolist()
        values = ["NaN" if isinstance(v, float) and np.isnan(v) else v for v in values]
        return {"__tensor": True, "values": values, "shape": list(a.shape), "dtype": dtype}
    if isinstance(a, list):
        return [_js_arg(v) for v in a]
    return a


def _py_arg(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        return tf.tensor(a)
    if isinstance(a, list):
        return [_py_arg(v) for v in a]
    return a


def _run(tmp_path, jobs: list[dict]) -> list[dict]:
    from tfjs_node import tfjs_package

    package = tfjs_package()
    script, jobs_file, out_file = tmp_path / "run.js", tmp_path / "jobs.json", tmp_path / "out.json"
    script.write_text(_JS)
    jobs_file.write_text(json.dumps(jobs))
    node = shutil.which("node")
    assert node
    done = subprocess.run(
        [node, str(script), str(package), str(jobs_file), str(out_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out_file.read_text())


def _py_call(fn: str, args: list[Any]) -> Any:
    return getattr(tf, fn)(*[_py_arg(a) for a in args])


def _compare(got: Any, want: Any, where: str) -> None:
    if isinstance(want, list):
        assert len(got) == len(want), where
        for g, w in zip(got, want):
            _compare(g, w, where)
        return
    if "values" in want and "indices" in want and "shape" not in want:
        _compare(got.values, want["values"], where + " values")
        _compare(got.indices, want["indices"], where + " indices")
        return
    assert isinstance(got, tf.Tensor), where
    assert list(got.shape) == want["shape"], (where, got.shape, want["shape"])
    assert got.dtype == want["dtype"], (where, got.dtype, want["dtype"])
    expected = np.array([np.nan if v is None else v for v in want["values"]], np.float64)
    np.testing.assert_allclose(
        got.numpy().reshape(-1).astype(np.float64), expected, rtol=2e-5, atol=2e-6, err_msg=where
    )


def _describe(fn: str, args: list[Any]) -> str:
    shown = [f"<{a.dtype} {list(a.shape)}>" if isinstance(a, np.ndarray) else repr(a) for a in args]
    return f"{fn}({', '.join(shown)})"


def test_values_shapes_and_dtypes_match_real_tfjs(tmp_path):
    results = _run(tmp_path, [{"fn": f, "args": _js_arg(a)} for f, a in CASES])
    failed = []
    for (fn, args), res in zip(CASES, results):
        where = _describe(fn, args)
        try:
            assert "error" not in res, res
            _compare(_py_call(fn, args), res["result"], where)
        except Exception as e:  # collect them all: one report names every mismatch
            failed.append(f"{where}: {type(e).__name__}: {str(e)[:300]}")
    assert not failed, "\n".join(failed)


def test_chained_methods_match_real_tfjs(tmp_path):
    calls = [
        ("cumprod", [X34, 1, True]),
        ("stridedSlice", [X234, [0, 1], [2, 3], [1, 2]]),
        ("mirrorPad", [X34, [[1, 1], [2, 0]], "reflect"]),
        ("unique", [T([3, 1, 3], "int32")]),
        ("unsortedSegmentSum", [X34, T([1, 1, 0], "int32"), 2]),
        ("prelu", [X34, T(0.3)]),
        ("batchNorm", [X34, X34[0], np.abs(X34[1])]),
        ("localResponseNormalization", [X234, 1]),
    ]
    results = _run(tmp_path, [{"fn": f, "args": _js_arg(a), "method": True} for f, a in calls])
    for (fn, args), res in zip(calls, results):
        assert "error" not in res, (fn, res)
        x = tf.tensor(args[0])
        from lstmkit._names import to_snake_case

        rest = [_py_arg(a) for a in args[1:]]
        _compare(getattr(x, fn)(*rest), res["result"], fn)
        _compare(getattr(x, to_snake_case(fn))(*rest), res["result"], fn)


def test_refusals_match_real_tfjs(tmp_path):
    results = _run(tmp_path, [{"fn": f, "args": _js_arg(a)} for f, a in ERRORS])
    for (fn, args), res in zip(ERRORS, results):
        assert "error" in res, (fn, args, res)
        with pytest.raises((ValueError, TypeError)) as info:
            r = _py_call(fn, [a if a is not None else (lambda: 0.5) for a in args])
            if fn == "rand":
                raise AssertionError(r)
        message = str(info.value)
        assert message.split(":")[0] in (fn, fn.replace("Async", ""), "batchNorm2d") or (
            fn in message
        ), (fn, message)
