"""tf.data (TF.js's Dataset API) and Keras's pad_sequences / timeseries_dataset_from_array.

Expected values are computed independently: batches with NumPy, windows and padding with an
explicit loop, sizes from TF.js's rules (and, when Node.js and the bundled TF.js are there,
from real TF.js 4.22).
"""

from __future__ import annotations

import asyncio
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


def arr(t):
    return t.numpy() if isinstance(t, tf.Tensor) else np.asarray(t)


# -- batch ------------------------------------------------------------------------------------


def test_batch_stacks_rows_like_numpy_and_keeps_the_small_last_batch():
    rows = np.arange(14, dtype=np.float64).reshape(7, 2)
    got = tf.data.array(rows.tolist()).batch(3).to_array()
    assert [b.shape for b in got] == [(3, 2), (3, 2), (1, 2)]
    for b, start in zip(got, (0, 3, 6)):
        assert b.dtype == "float32"  # plain numbers become float32, as tf.tensor
        np.testing.assert_array_equal(b.numpy(), rows[start : start + 3].astype(np.float32))
    dropped = tf.data.array(rows.tolist()).batch(3, smallLastBatch=False)
    assert dropped.size == 2 and len(dropped.toArray()) == 2
    assert tf.data.array(rows.tolist()).batch(3).size == 3


def test_batch_recurses_into_dicts_lists_and_tuples():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(5, 3, 2)).astype(np.float32)
    ys = rng.integers(0, 4, size=5)
    flags = [True, False, True, True, False]
    items = [
        {"xs": xs[i], "meta": {"y": int(ys[i]), "flag": flags[i]}, "pair": (xs[i], [i, 2 * i])}
        for i in range(5)
    ]
    (first, second) = tf.data.array(items).batch(3).toArray()
    np.testing.assert_array_equal(first["xs"].numpy(), xs[:3])
    np.testing.assert_array_equal(first["meta"]["y"].numpy(), ys[:3].astype(np.float32))
    assert first["meta"]["flag"].dtype == "bool"
    assert first["meta"]["flag"].numpy().tolist() == flags[:3]
    assert isinstance(first["pair"], tuple)
    np.testing.assert_array_equal(first["pair"][0].numpy(), xs[:3])
    np.testing.assert_array_equal(first["pair"][1].numpy(), [[0, 0], [1, 2], [2, 4]])
    np.testing.assert_array_equal(second["xs"].numpy(), xs[3:])
    # a list holding tensors is a structure ([xs, ys]); a list of numbers is data
    pairs = [[tf.tensor1d([i, i]), tf.scalar(i)] for i in range(3)]
    (b,) = tf.data.array(pairs).batch(3).to_array()
    assert isinstance(b, list) and b[0].shape == (3, 2) and b[1].shape == (3,)


def test_batch_dtypes_follow_tfjs():
    ints = [np.array([1, 2], np.int64), np.array([3, 4], np.int64)]
    assert tf.data.array(ints).batch(2).to_array()[0].dtype == "int32"
    t = [tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32")]
    assert tf.data.array(t).batch(2).to_array()[0].dtype == "int32"
    assert tf.data.array([True, False]).batch(2).to_array()[0].dtype == "bool"


def test_batch_errors_say_what_and_how():
    with pytest.raises(ValueError, match="batchSize needs to be positive"):
        tf.data.array([1]).batch(0)
    with pytest.raises(ValueError, match=r"different shapes.*pad_sequences"):
        tf.data.array([np.ones(2), np.ones(3)]).batch(2).to_array()
    with pytest.raises(ValueError, match="strings"):
        tf.data.array(["a", "b"]).batch(2).to_array()
    with pytest.raises(ValueError, match="lacks the key 'b'"):
        tf.data.array([{"a": 1, "b": 2}, {"a": 1}]).batch(2).to_array()
    with pytest.raises(TypeError, match="list of items"):
        tf.data.array(5)


def test_unbatch_inverts_batch():
    items = [{"x": np.full(2, i, np.float32), "y": (float(i),)} for i in range(5)]
    back = tf.data.array(items).batch(2).unbatch().to_array()
    assert len(back) == 5
    for i, e in enumerate(back):
        np.testing.assert_array_equal(e["x"].numpy(), np.full(2, i))
        assert float(e["y"][0].numpy()) == i


# -- transformations and sizes ----------------------------------------------------------------


def test_transformations_give_tfjs_elements_and_sizes():
    d = tf.data.array([1, 2, 3])
    cases = {
        "take5": (d.take(5), [1, 2, 3], 3),
        "take2": (d.take(2), [1, 2], 2),
        "skip1": (d.skip(1), [2, 3], 2),
        "skip5": (d.skip(5), [], 0),
        "repeat2": (d.repeat(2), [1, 2, 3, 1, 2, 3], 6),
        "repeat0": (d.repeat(0), [], 0),
        "concat": (d.concatenate(tf.data.array([4])), [1, 2, 3, 4], 4),
        "filter": (d.filter(lambda x: x % 2 == 1), [1, 3], None),
        "map": (d.map(lambda x: x * 10), [10, 20, 30], 3),
        "prefetch": (d.prefetch(2), [1, 2, 3], 3),
    }
    for name, (ds, elements, size) in cases.items():
        assert ds.to_array() == elements, name
        assert ds.size == size, name
    assert d.repeat().size == math.inf and d.repeat(-1).size == math.inf
    assert d.repeat().take(7).to_array() == [1, 2, 3, 1, 2, 3, 1]
    assert tf.data.array([]).repeat().to_array() == []  # TF.js would never return
    with pytest.raises(ValueError, match="infinite"):
        d.repeat().to_array()
    with pytest.raises(ValueError, match="bufferSize"):
        d.prefetch(None)


def test_zip_nested_structures_stop_at_the_shortest():
    z = tf.data.zip(
        {"a": tf.data.array([1, 2, 3]), "b": [tf.data.array([4, 5]), tf.data.array([6, 7, 8])]}
    )
    assert z.to_array() == [{"a": 1, "b": [4, 6]}, {"a": 2, "b": [5, 7]}]
    assert z.size == 2
    t = tf.data.zip((tf.data.array([1, 2]), tf.data.array([3, 4])))
    assert t.to_array() == [(1, 3), (2, 4)]
    with pytest.raises(TypeError, match="must be Datasets"):
        tf.data.zip({"a": tf.data.array([1]), "b": 5})
    with pytest.raises(TypeError, match="list, tuple or dict"):
        tf.data.zip(tf.data.array([1]))


def test_shuffle_is_a_seeded_windowed_permutation():
    items = list(range(40))
    ds = tf.data.array(items).shuffle(5, seed=3)
    first, second = ds.to_array(), ds.to_array()
    assert sorted(first) == items and sorted(second) == items
    assert first != second  # a new order each iteration
    assert tf.data.array(items).shuffle(5, seed=3).to_array() == first  # same seed, same orders
    fixed = tf.data.array(items).shuffle(5, "abc", reshuffleEachIteration=False)
    assert fixed.to_array() == fixed.to_array()
    # a window of 5: element i is output at position >= i - 4
    for pos, value in enumerate(first):
        assert value <= pos + 4
    assert tf.data.array(items).shuffle(1).to_array() == items
    tf.set_seed(11)
    a = tf.data.array(items).shuffle(40).to_array()
    tf.set_seed(11)
    assert tf.data.array(items).shuffle(40).to_array() == a
    with pytest.raises(ValueError, match="bufferSize"):
        tf.data.array(items).shuffle(None)


# -- sources ----------------------------------------------------------------------------------


def test_generator_forms():
    calls = []

    def gen():
        calls.append(1)
        for i in range(3):
            yield {"xs": [i], "ys": i}

    ds = tf.data.generator(gen)
    assert ds.size is None
    assert [e["ys"] for e in ds.to_array()] == [0, 1, 2]
    assert len(ds.batch(2).to_array()) == 2 and len(calls) == 2  # one call per iteration

    class Counter:  # TF.js's iterator protocol: next() -> {value, done}
        def __init__(self):
            self.i = 0

        def next(self):
            self.i += 1
            return (
                {"value": self.i, "done": False} if self.i <= 3 else {"value": None, "done": True}
            )

    assert tf.data.generator(Counter).to_array() == [1, 2, 3]

    async def agen():
        for i in range(3):
            await asyncio.sleep(0)
            yield i * 2

    assert tf.data.generator(agen).to_array() == [0, 2, 4]
    assert tf.data.generator(lambda: [5, 6]).to_array() == [5, 6]
    with pytest.raises(TypeError, match="not tf.data.generator"):
        tf.data.generator(gen())
    n = iter(range(3))
    f = tf.data.func(lambda: (lambda v: {"value": v, "done": v is None})(next(n, None)))
    assert f.to_array() == [0, 1, 2]


def test_async_methods_and_iterator_protocol():
    async def double(x):
        await asyncio.sleep(0)
        return x * 2

    ds = tf.data.array([1, 2, 3]).mapAsync(double)
    assert ds.to_array() == [2, 4, 6]
    seen = []

    async def collect(x):
        seen.append(x)

    async def main():
        await ds.forEachAsync(collect)
        whole = await ds.toArray()
        it = await ds.iterator()
        results = [await it.next() for _ in range(4)]
        return whole, results

    whole, results = asyncio.run(main())  # also inside a running event loop
    assert seen == [2, 4, 6] and whole == [2, 4, 6]
    assert results == [
        {"value": 2, "done": False},
        {"value": 4, "done": False},
        {"value": 6, "done": False},
        {"value": None, "done": True},
    ]
    assert list(tf.data.array([1, 2]).iterator()) == [1, 2]
    assert tf.data.array([1, 2]).toArrayForTest() == [1, 2]
    r = tf.data.array([7]).iterator().next()  # `const {value, done} = await it.next()`
    assert (r.value, r.done) == (7, False) and r == {"value": 7, "done": False}
    with pytest.raises(AttributeError):
        r.other  # noqa: B018


def test_array_takes_python_iterables_once():
    ds = tf.data.array(range(4))
    assert ds.size == 4 and ds.toArray() == [0, 1, 2, 3] and ds.toArray() == [0, 1, 2, 3]
    gen = tf.data.array(i * i for i in range(3))  # read now, so it can be iterated again
    assert gen.toArray() == gen.toArray() == [0, 1, 4]
    rows = tf.data.array(np.arange(6).reshape(3, 2)).batch(3).toArray()[0]
    np.testing.assert_array_equal(rows.numpy(), np.arange(6).reshape(3, 2))
    with pytest.raises(TypeError, match="expected a list of items"):
        tf.data.array({"a": 1})
    with pytest.raises(TypeError, match="expected a list of items"):
        tf.data.array(5)


# -- Keras preprocessing ----------------------------------------------------------------------


def pad_by_loop(seqs, maxlen, padding, truncating, value, dtype):
    if maxlen is None:
        maxlen = max(len(s) for s in seqs)
    sample = next((np.asarray(s).shape[1:] for s in seqs if len(s)), ())
    out = np.full((len(seqs), maxlen, *sample), value, dtype=dtype)
    for i, s in enumerate(seqs):
        s = list(s)
        if len(s) > maxlen:
            s = s[len(s) - maxlen :] if truncating == "pre" else s[:maxlen]
        offset = maxlen - len(s) if padding == "pre" else 0
        for j, v in enumerate(s):
            out[i, offset + j] = v
    return out


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 3, 8])
def test_pad_sequences_matches_an_explicit_loop(padding, truncating, maxlen):
    rng = np.random.default_rng(5)
    seqs = [rng.integers(1, 9, size=n).tolist() for n in (0, 1, 4, 6, 3)]
    for kwargs in ({}, {"value": -1.5, "dtype": "float32"}):
        got = tf.preprocessing.pad_sequences(
            seqs, maxlen=maxlen, padding=padding, truncating=truncating, **kwargs
        )
        want = pad_by_loop(
            seqs,
            maxlen,
            padding,
            truncating,
            kwargs.get("value", 0.0),
            kwargs.get("dtype", "int32"),
        )
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    vectors = [rng.normal(size=(n, 2)) for n in (2, 5)]
    got = tf.utils.pad_sequences(vectors, maxlen=4, dtype="float32", padding=padding)
    np.testing.assert_array_equal(got, pad_by_loop(vectors, 4, padding, "pre", 0.0, "float32"))


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="non-iterable"):
        tf.preprocessing.pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="padding type"):
        tf.preprocessing.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="dtype=object"):
        tf.preprocessing.pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="shape"):
        tf.preprocessing.pad_sequences([np.ones((2, 2)), np.ones((2, 3))])


def windows_by_loop(data, targets, length, stride, rate, start, end):
    start = start or 0
    end = len(data) if end is None else end
    xs, ys = [], []
    p = 0
    while True:
        last = start + p + (length - 1) * rate
        if last >= end or (targets is not None and p >= len(targets)):
            break
        xs.append([data[start + p + k * rate] for k in range(length)])
        if targets is not None:
            ys.append(targets[start + p])
        p += stride
    return np.array(xs), np.array(ys)


def test_keras_module_paths_and_to_categorical():
    assert tf.preprocessing.sequence.pad_sequences is tf.utils.pad_sequences
    assert tf.preprocessing.timeseries_dataset_from_array is tf.utils.timeseries_dataset_from_array
    from lstmkit.preprocessing.sequence import pad_sequences

    assert pad_sequences([[1]], maxlen=2).tolist() == [[0, 1]]
    labels = np.array([[2], [0], [1], [2]])  # (n, 1): the trailing 1 is dropped, as in Keras
    onehot = tf.utils.to_categorical(labels)
    assert onehot.shape == (4, 3) and onehot.dtype == np.float32
    np.testing.assert_array_equal(onehot, np.eye(3, dtype=np.float32)[[2, 0, 1, 2]])
    grid = tf.utils.to_categorical(tf.tensor([[0, 1], [1, 3]], dtype="int32"), num_classes=5)
    assert grid.shape == (2, 2, 5) and grid[1, 1].tolist() == [0, 0, 0, 1, 0]
    assert tf.utils.to_categorical([1, -1], 3).tolist() == [[0, 1, 0], [0, 0, 1]]  # as NumPy
    with pytest.raises(ValueError, match="class 3 is out of range for num_classes=3"):
        tf.utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="whole numbers"):
        tf.utils.to_categorical([0.5])


@pytest.mark.parametrize(
    "length,stride,rate,start,end,batch",
    [(3, 1, 1, None, None, 4), (4, 2, 3, 2, 40, 5), (5, 3, 2, 7, None, 128), (2, 1, 1, 0, 9, 1)],
)
def test_timeseries_windows_match_an_explicit_loop(length, stride, rate, start, end, batch):
    data = np.arange(50 * 2, dtype=np.float32).reshape(50, 2)
    targets = np.arange(50, dtype=np.float32) * 10
    ds = tf.utils.timeseries_dataset_from_array(
        data, targets, length, stride, rate, batch_size=batch, start_index=start, end_index=end
    )
    want_x, want_y = windows_by_loop(data, targets, length, stride, rate, start, end)
    got = ds.to_array()
    assert ds.size == len(got) == math.ceil(len(want_x) / batch)
    assert all(len(b[0].shape) == 3 and b[0].shape[0] <= batch for b in got)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in got]), want_x)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in got]), want_y)


def test_timeseries_targets_none_unbatched_and_shuffled():
    data = np.arange(30, dtype=np.float32)
    only_x = tf.preprocessing.timeseries_dataset_from_array(data, None, 4, batch_size=8).to_array()
    want_x, _ = windows_by_loop(data, None, 4, 1, 1, None, None)
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in only_x]), want_x)
    single = tf.preprocessing.timeseries_dataset_from_array(data, data * 2, 4, batch_size=None)
    first = single.to_array()[0]
    np.testing.assert_array_equal(first[0].numpy(), [0, 1, 2, 3])
    assert float(first[1].numpy()) == 0.0
    # the forecasting form: the target is the row after the window
    nxt = tf.preprocessing.timeseries_dataset_from_array(data[:-4], data[4:], 4, batch_size=64)
    (x, y) = nxt.to_array()[0]
    np.testing.assert_array_equal(x.numpy()[:, -1] + 1, y.numpy())
    shuffled = tf.preprocessing.timeseries_dataset_from_array(
        data, data * 2, 4, batch_size=5, shuffle=True, seed=7
    )
    pairs = {
        (tuple(xb), float(yb))
        for b in shuffled.to_array()
        for xb, yb in zip(b[0].numpy().tolist(), b[1].numpy())
    }
    want_x, want_y = windows_by_loop(data, data * 2, 4, 1, 1, None, None)
    assert pairs == {(tuple(a), float(b)) for a, b in zip(want_x.tolist(), want_y)}
    again = tf.preprocessing.timeseries_dataset_from_array(
        data, data * 2, 4, batch_size=5, shuffle=True, seed=7
    )
    order = [b[1].numpy().tolist() for b in again.to_array()]
    repeat = tf.preprocessing.timeseries_dataset_from_array(
        data, data * 2, 4, batch_size=5, shuffle=True, seed=7
    )
    assert order == [b[1].numpy().tolist() for b in repeat.to_array()]  # same seed, same order
    assert order != [b[1].numpy().tolist() for b in again.to_array()]  # reshuffled next time
    assert sorted(sum(order, [])) != sum(order, [])


def test_timeseries_argument_errors_as_keras():
    data = np.zeros(10)
    with pytest.raises(ValueError, match="start_index must be lower"):
        tf.utils.timeseries_dataset_from_array(data, None, 2, start_index=10)
    with pytest.raises(ValueError, match="end_index must be lower"):
        tf.utils.timeseries_dataset_from_array(data, None, 2, end_index=10)
    with pytest.raises(ValueError, match="end_index must be higher than start_index"):
        tf.utils.timeseries_dataset_from_array(data, None, 2, start_index=5, end_index=3)
    with pytest.raises(ValueError, match="sampling_rate must be higher than 0"):
        tf.utils.timeseries_dataset_from_array(data, None, 2, sampling_rate=0)
    with pytest.raises(ValueError, match="sequence_stride must be lower"):
        tf.utils.timeseries_dataset_from_array(data, None, 2, sequence_stride=10)


# -- against real TF.js -----------------------------------------------------------------------

_JS = r"""
const tf = require(process.argv[2]);
const entries = (x, f) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, f(v)]));
const deep = (x) => x instanceof tf.Tensor
  ? {shape: x.shape, dtype: x.dtype, values: x.arraySync()}
  : Array.isArray(x) ? x.map(deep)
  : (x && typeof x === 'object') ? entries(x, deep)
  : x;
(async () => {
  const d = tf.data.array([1, 2, 3, 4, 5]);
  const cases = {
    rows: tf.data.array([[1, 2], [3, 4], [5, 6]]).batch(2),
    dicts: tf.data.array([{a: 1, b: [1, 2], c: {d: true}}, {a: 2, b: [3, 4], c: {d: false}},
                          {a: 3, b: [5, 6], c: {d: true}}]).batch(2, false),
    zipped: tf.data.zip({xs: tf.data.array([[1], [2], [3]]),
                         ys: tf.data.array([4, 5, 6])}).batch(2),
    take: d.take(2), skip: d.skip(2), repeat: d.repeat(2), concat: d.concatenate(d),
    filter: d.filter(x => x > 2), batch: d.batch(2), drop: d.batch(2, false),
  };
  const out = {};
  for (const [k, ds] of Object.entries(cases)) {
    out[k] = {size: ds.size, elements: deep(await ds.toArray())};
  }
  console.log(JSON.stringify(out));
})();
"""


def _py_cases():
    d = tf.data.array([1, 2, 3, 4, 5])
    return {
        "rows": tf.data.array([[1, 2], [3, 4], [5, 6]]).batch(2),
        "dicts": tf.data.array(
            [
                {"a": 1, "b": [1, 2], "c": {"d": True}},
                {"a": 2, "b": [3, 4], "c": {"d": False}},
                {"a": 3, "b": [5, 6], "c": {"d": True}},
            ]
        ).batch(2, False),
        "zipped": tf.data.zip(
            {"xs": tf.data.array([[1], [2], [3]]), "ys": tf.data.array([4, 5, 6])}
        ).batch(2),
        "take": d.take(2),
        "skip": d.skip(2),
        "repeat": d.repeat(2),
        "concat": d.concatenate(d),
        "filter": d.filter(lambda x: x > 2),
        "batch": d.batch(2),
        "drop": d.batch(2, False),
    }


def _plain(x):
    if isinstance(x, tf.Tensor):
        return {"shape": list(x.shape), "dtype": x.dtype, "values": x.numpy().tolist()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def test_batching_and_sizes_match_real_tfjs(tmp_path):
    tfjs = tfjs_package()
    node = shutil.which("node")
    script = tmp_path / "data.js"
    script.write_text(_JS)
    run = subprocess.run(
        [node, str(script), str(tfjs)], capture_output=True, text=True, timeout=120, check=True
    )
    line = [s for s in run.stdout.splitlines() if s.startswith("{")][-1]
    want = json.loads(line)
    for name, ds in _py_cases().items():
        got = {"size": ds.size, "elements": _plain(ds.to_array())}
        assert got == want[name], name
