"""The tfjs-core ops of engine/ops' ranked, strided_slice, shape_tools, products,
scatter_gather, segments, searching, random_ops and normalization modules: TF.js's own test
values (tfjs-core src/ops/<op>_test.ts, the test named beside each case), NumPy computations,
dtypes, the *Async ops awaited and not, the random creators under tf.set_seed, and the errors.
Real TF.js itself checks many more argument forms in test_core_ops_more_tfjs.py."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

import lstmkit as tf

RNG = np.random.default_rng(11)


def _close(t, expected, dtype=None, shape=None):
    if dtype is not None:
        assert t.dtype == dtype
    if shape is not None:
        assert list(t.shape) == list(shape)
    np.testing.assert_allclose(np.asarray(t.numpy(), np.float64), expected, rtol=1e-5, atol=1e-6)


# -- TF.js's test values ------------------------------------------------------------------------


def test_tfjs_cases_shape_ops():
    # mirror_pad_test 'MirrorPad tensor1d'
    a = tf.tensor1d([1, 2, 3], "int32")
    _close(tf.mirrorPad(a, [[2, 2]], "reflect"), [3, 2, 1, 2, 3, 2, 1], "int32", [7])
    _close(tf.mirror_pad(a, [[2, 2]], "symmetric"), [2, 1, 1, 2, 3, 3, 2], "int32", [7])
    # mirror_pad_test 'MirrorPad tensor2d'
    m = tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], "int32")
    _close(
        tf.mirrorPad(m, [[1, 1], [1, 1]], "reflect"),
        np.array([5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2]).reshape(4, 5),
        "int32",
    )
    # strided_slice_test: '1d tensor negative stride', '2d tensor negative strides',
    # '1d tensor shrink axis mask', 'ellipsisMask=2', '1d tensor begin mask'
    t4 = tf.tensor1d([0, 1, 2, 3])
    _close(tf.stridedSlice(t4, [-1], [-4], [-1]), [3, 2, 1], shape=[3])
    t23 = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3])
    _close(tf.stridedSlice(t23, [1, -1], [2, -4], [2, -1]), [[6, 5, 4]], shape=[1, 3])
    _close(tf.stridedSlice(t4, [1], [3], [1], 0, 0, 0, 0, 1), 1, shape=[])
    _close(tf.stridedSlice(t4, [1], [3], [1], 1), [0, 1, 2], shape=[3])
    _close(t4.stridedSlice([0], [3], [2]), [0, 2], shape=[2])
    _close(tf.stridedSlice(t4, [10], [3], [2]), np.zeros(0), shape=[0])
    # strided_slice_test 'with ellipsisMask=2': [1, 2, 3] -> begin [0, 0] end [1, 1] ...
    x = tf.tensor3d([2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5], [2, 2, 3])
    out = tf.stridedSlice(x, [1, 0, 0], [2, 1, 3], [1, 1, 1], 0, 0, 2)
    assert list(out.shape) == [1, 2, 3]
    _close(out.reshape([-1]), [4, 4, 4, 5, 5, 5])
    # broadcast_args_test '([1,6,-1], [3,1,1,1]) -> [3,1,6,-1]'
    s = tf.broadcastArgs(tf.tensor1d([1, 6, -1], "int32"), tf.tensor1d([3, 1, 1, 1], "int32"))
    _close(s, [3, 1, 6, -1], "int32")
    # meshgrid_test: 'xy' / 'ij' shapes; values as NumPy's meshgrid
    gx, gy = tf.meshgrid([1, 2, 3], [4, 5, 6, 7])
    ex, ey = np.meshgrid([1, 2, 3], [4, 5, 6, 7])
    _close(gx, ex, "float32"), _close(gy, ey, "float32")
    ix, iy = tf.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    ex, ey = np.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    _close(ix, ex), _close(iy, ey)
    assert tf.meshgrid() == [] and len(tf.meshgrid([1, 2])) == 1
    with pytest.raises(TypeError, match="not a valid third argument to meshgrid"):
        tf.meshgrid([1], [2], {"indexing": "xx"})


def test_tfjs_cases_products():
    # cumprod_test '2D standard'
    _close(tf.tensor2d([[1, 2], [3, 4]]).cumprod(1), [[1, 2], [3, 12]], shape=[2, 2])
    # cumprod_test '1D exclusive reverse': NumPy's product from the end, shifted
    v = np.array([1.0, 2.0, 3.0, 4.0])
    expected = np.concatenate([np.cumprod(v[::-1])[::-1][1:], [1.0]])
    _close(tf.cumprod(tf.tensor1d(v), 0, True, True), expected)
    # einsum_test 'two scalars', '1D tensor and scalars: reduce', ': multiply', '1d reduce sum'
    _close(tf.einsum(",->", tf.scalar(2), tf.scalar(3)), 6, shape=[])
    _close(tf.einsum("i,->", tf.tensor1d([2, 3]), tf.scalar(4)), 20)
    _close(tf.einsum("i,->i", tf.tensor1d([2, 3]), tf.scalar(4)), [8, 12])
    _close(tf.einsum("i->", tf.tensor1d([2, 4, 6])), 12)
    a, b = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 5))
    _close(tf.einsum("bij,bjk->bik", a, b), np.einsum("bij,bjk->bik", a, b))
    with pytest.raises(ValueError, match="not implemented yet"):  # einsum_test trace
        tf.einsum("ii->", tf.tensor2d([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match=r"dimension 3 at axis 0 of input shaped \[2, 2\]"):
        tf.einsum("ij,jk->ik", tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor2d([[0, 1], [2, 3]]))
    with pytest.raises(ValueError, match="exactly one"):
        tf.einsum("ij,jk->ik->i", tf.ones([2, 2]), tf.ones([2, 2]))
    # add_n_test 'errors if list is empty', 'errors if argument is not an array'
    with pytest.raises(ValueError, match="Must pass at least one tensor to tf.addN"):
        tf.addN([])
    with pytest.raises(ValueError, match="must be a list of tensors"):
        tf.addN(tf.scalar(3))
    x = RNG.normal(size=(2, 3)).astype(np.float32)
    _close(tf.add_n([x, x, x]), 3 * x, "float32")
    # outer_product and diag against NumPy
    v1, v2 = RNG.normal(size=3), RNG.normal(size=4)
    _close(tf.outerProduct(v1, v2), np.outer(v1, v2), shape=[3, 4])
    d = tf.diag(tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"))
    assert d.dtype == "int32" and list(d.shape) == [2, 2, 2, 2]
    _close(d.reshape([4, 4]), np.diag([1, 2, 3, 4]))
    _close(
        tf.bitwiseAnd(tf.tensor1d([0, 5, 3, 14], "int32"), tf.tensor1d([5, 0, 7, 11], "int32")),
        np.bitwise_and([0, 5, 3, 14], [5, 0, 7, 11]),
        "int32",
    )


def test_tfjs_cases_gather_scatter():
    # gather_nd_test 'should work for simple slice'
    idx = tf.tensor2d([0, 4, 8], [3, 1], "int32")
    inp = tf.tensor1d([100, 101, 102, 777, 778, 779, 1000, 1001, 1002], "int32")
    _close(tf.gatherND(inp, idx), [100, 778, 1002], "int32", [3])
    # scatter_nd_test 'should work for 2d', 'should work for simple 1d'
    upd = tf.tensor2d([100, 101, 102, 777, 778, 779, 1000, 1001, 1002], [3, 3], "int32")
    out = tf.scatterND(tf.tensor1d([0, 4, 2], "int32"), upd, [5, 3])
    expected = [100, 101, 102, 0, 0, 0, 1000, 1001, 1002, 0, 0, 0, 777, 778, 779]
    _close(out.reshape([-1]), expected, "int32")
    _close(tf.scatter_nd(tf.tensor1d([3], "int32"), tf.tensor1d([101]), [5]), [0, 0, 0, 101, 0])
    # repeated rows add up (scatterND) / the last wins (tensorScatterUpdate)
    _close(tf.scatterND([[1], [1]], tf.tensor1d([2, 3]), [3]), [0, 5, 0])
    t = tf.tensorScatterUpdate(tf.tensor1d([1, 2, 3]), [[1], [1]], tf.tensor1d([7, 9]))
    _close(t, [1, 9, 3])
    # sparse_to_dense_test 'should work for scalar indices'
    r = tf.sparseToDense(tf.scalar(2, "int32"), tf.scalar(100, "int32"), [6], tf.scalar(0, "int32"))
    _close(r, [0, 0, 100, 0, 0, 0], "int32", [6])
    with pytest.raises(ValueError, match=r"gatherND: Invalid indices: \[3, 0\]"):
        tf.gatherND(tf.ones([3, 4]), tf.tensor2d([[3, 0]], [1, 2], "int32"))
    with pytest.raises(ValueError, match="must be int32 tensor, but got float32"):
        tf.gatherND(tf.ones([3, 4]), tf.tensor2d([[0, 0]]))


def test_tfjs_cases_segments_and_counts():
    # unsorted_segment_sum_test 'tensor1d', 'tensor3d', 'ignores negative segmentIds'
    r = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([0, 2, 0, 1], "int32"), 3)
    _close(r, [4, 4, 2], shape=[3])
    t3 = tf.tensor3d(list(range(1, 13)), [3, 2, 2])
    r = t3.unsortedSegmentSum(tf.tensor1d([2, 1, 2], "int32"), 3)
    _close(r.reshape([-1]), [0, 0, 0, 0, 5, 6, 7, 8, 10, 12, 14, 16], shape=[12])
    r = tf.unsorted_segment_sum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([0, 2, -1, 1], "int32"), 3)
    _close(r, [1, 4, 2])
    # bincount / denseBincount against NumPy
    x = np.array([1, 1, 2, 3, 2, 2, 9], np.int32)
    w = RNG.uniform(size=7).astype(np.float32)
    _close(tf.bincount(tf.tensor(x), tf.tensor1d([]), 5), np.bincount(x, minlength=10)[:5])
    _close(tf.bincount(tf.tensor(x), tf.tensor(w), 4), np.bincount(x, w, 10)[:4], "float32")
    m = tf.denseBincount(tf.tensor(x[:6].reshape(2, 3)), tf.tensor1d([]), 4, True)
    _close(m, [[0, 1, 1, 0], [0, 0, 1, 1]], "float32", [2, 4])
    with pytest.raises(ValueError, match="bincount: Error in bincount: input dtype must be int32"):
        tf.bincount(tf.tensor1d([1, 2]), tf.tensor1d([]), 4)
    with pytest.raises(ValueError, match="size must be non-negative, but got -1"):
        tf.bincount(tf.tensor(x), tf.tensor1d([]), -1)


def test_tfjs_cases_search_and_unique():
    # unique_test '1d tensor with int32'
    values, indices = tf.unique(tf.tensor1d([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    _close(values, [1, 2, 4, 7, 8], shape=[5])
    _close(indices, [0, 0, 1, 2, 2, 2, 3, 4, 4], "int32")
    # unique along axis 1 of a matrix (NumPy's unique keeps sorted order; TF.js first seen)
    u = tf.tensor2d([[1, 0, 1], [1, 0, 1]]).unique(1)
    _close(u.values, [[1, 0], [1, 0]]), _close(u["indices"], [0, 1, 0])
    # search_sorted against NumPy's searchsorted, row by row
    seq = np.sort(RNG.normal(size=(3, 6)), axis=1).astype(np.float32)
    vals = RNG.normal(size=(3, 4)).astype(np.float32)
    for side, fn in (("left", tf.lowerBound), ("right", tf.upperBound)):
        expected = [np.searchsorted(seq[i], vals[i], side) for i in range(3)]
        _close(fn(seq, vals), expected, "int32", [3, 4])
        _close(tf.searchSorted(seq, vals, side), expected, "int32")


def test_async_ops_work_with_and_without_await():
    # in_top_k_test 'predictions 2d array, targets 1d array, with default k'
    pred = tf.tensor2d([[20, 10, 40, 30], [30, 50, -20, 10]])
    tgt = tf.tensor1d([2, 0])
    _close(tf.inTopKAsync(pred, tgt), [1, 0], "bool", [2])
    # setdiff1d_async_test '1d int32 tensor'; boolean_mask_test '1d array, 1d mask'
    x, y = tf.tensor1d([1, 2, 3, 4], "int32"), tf.tensor1d([1, 2], "int32")

    async def main():
        out, idx = await tf.setdiff1dAsync(x, y)
        masked = await tf.booleanMaskAsync(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 1], "bool"))
        where = await tf.whereAsync(tf.tensor2d([[True, False], [False, True]]))
        top = await tf.in_top_k_async(pred, tgt, 2)
        return out, idx, masked, where, top

    out, idx, masked, where, top = asyncio.run(main())
    _close(out, [3, 4], "int32"), _close(idx, [2, 3], "int32")
    _close(masked, [1, 3], "float32", [2])
    _close(where, [[0, 0], [1, 1]], "int32", [2, 2])
    _close(top, [1, 1], "bool")  # in_top_k_test "..., with k=2"
    out2, idx2 = tf.setdiff1d_async(x, y)  # without await
    _close(out2, [3, 4]), _close(idx2, [2, 3])


# -- normalization ------------------------------------------------------------------------------


def test_prelu_batch_norm_lrn_against_numpy():
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    alpha = RNG.uniform(size=4).astype(np.float32)
    _close(tf.prelu(x, alpha), np.where(x < 0, alpha * x, x), "float32")
    mean, var = RNG.normal(size=4), RNG.uniform(0.5, 2, 4)
    off, sc = RNG.normal(size=4), RNG.normal(size=4)
    expected = (x - mean) / np.sqrt(var + 0.001) * sc + off
    _close(tf.batchNorm(x, mean, var, off, sc), expected, "float32")
    _close(tf.batch_norm3d(x, mean, var, off, sc), expected)
    _close(tf.tensor(x).batchNorm(mean, var, None, None, 0.1), (x - mean) / np.sqrt(var + 0.1))
    with pytest.raises(ValueError, match="batchNorm2d: Error in batchNorm2D: x must be rank 2"):
        tf.batchNorm2d(x, mean, var)
    # localResponseNormalization: the window sum written out with loops
    r, bias, al, beta = 1, 0.5, 0.3, 0.75
    sq = np.zeros_like(x, np.float64)
    for c in range(4):
        sq[..., c] = (x[..., max(0, c - r) : c + r + 1].astype(np.float64) ** 2).sum(-1)
    _close(tf.localResponseNormalization(x, r, bias, al, beta), x / (bias + al * sq) ** beta)
    # moving_average: v + (x - v) (1 - decay) / (1 - decay^step)
    v, xv = RNG.normal(size=3), RNG.normal(size=3)
    _close(tf.movingAverage(v, xv, 0.6, 2), v + (xv - v) * 0.4 / (1 - 0.36))
    _close(tf.moving_average(v, xv, 0.6, None, False), v + (xv - v) * 0.4)
    with pytest.raises(ValueError, match="step is required"):
        tf.movingAverage(v, xv, 0.6)


# -- random -------------------------------------------------------------------------------------


def test_random_ops_follow_set_seed_and_tfjs_dtypes():
    def draw():
        return [
            tf.randomUniformInt([50], 2, 7).numpy(),
            tf.randomStandardNormal([50]).numpy(),
            tf.randomGamma([50], 2.0, 4.0).numpy(),
            tf.random_gamma([5], 3.0, 1, "int32").numpy(),
        ]

    tf.set_seed(123)
    first = draw()
    tf.set_seed(123)
    for a, b in zip(first, draw()):
        np.testing.assert_array_equal(a, b)
    ints, normal, gamma, gamma_int = first
    assert ints.dtype == np.int32 and ints.min() >= 2 and ints.max() < 7
    assert normal.dtype == np.float32 and gamma.dtype == np.float32 and gamma_int.dtype == np.int32
    assert (gamma > 0).all()
    big = tf.randomGamma([20000], 2.0, 4.0, "float32", 5).numpy()
    assert abs(big.mean() - 0.5) < 0.02  # mean alpha / beta: beta is a rate, as TF.js
    with pytest.raises(ValueError, match="Unsupported data type bool"):
        tf.randomStandardNormal([2], "bool")
    # rand: one call of randFunction per value, stored as the typed array of the dtype
    counter = iter(range(100))
    _close(tf.rand([2, 2], lambda: next(counter) + 0.7, "int32"), [[0, 1], [2, 3]], "int32")
    _close(tf.rand([3], lambda: 0.5), [0.5, 0.5, 0.5], "float32")
    with pytest.raises(ValueError, match="shape comprised of positive integers"):
        tf.rand([-1], lambda: 0.5)


# -- ranked forms and small ops -----------------------------------------------------------------


def test_ranked_forms_check_the_rank_and_match_the_general_ops():
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    _close(tf.slice3d(x, [0, 1, 1], [2, 2, -1]), x[:, 1:3, 1:])
    _close(tf.reverse3d(x, [0, 2]), x[::-1, :, ::-1])
    _close(
        tf.pad3d(x, [[0, 1], [1, 0], [2, 2]], 5),
        np.pad(x, [[0, 1], [1, 0], [2, 2]], constant_values=5),
    )
    _close(tf.concat3d([x, x], 2), np.concatenate([x, x], 2))
    _close(tf.concat1d([[1, 2], [3]]), [1, 2, 3])
    _close(tf.slice1d([1, 2, 3, 4], 1, 2), [2, 3])
    _close(tf.pad1d([1, 2], [1, 0]), [0, 1, 2])
    with pytest.raises(ValueError, match="slice2d expects a rank-2 tensor, but got a rank-3"):
        tf.slice2d(x, [0, 0], [1, 1])
    with pytest.raises(ValueError, match="Error in reverse4D: x must be rank 4 but got rank 3"):
        tf.reverse4d(x)
    with pytest.raises(ValueError, match="pad2d: Invalid number of paddings"):
        tf.pad2d(x[0], [[1, 1]])
    c = tf.clone(x)
    assert c.numpy() is not x and np.array_equal(c.numpy(), x)
    assert tf.ensureShape(c, [2, None, 4]) is c
    with pytest.raises(ValueError, match="EnsureShape: Shape of tensor 2,3,4 is not compatible"):
        tf.ensure_shape(c, [2, 3])
