"""The compiled parts built with AddressSanitizer and UndefinedBehaviorSanitizer, exercised.

The two extensions (`_fastrnn`, `_fastopt`) are compiled from src/lstmkit/engine/csrc with
``-fsanitize=address,undefined -fno-omit-frame-pointer -O1`` and setup.py's other flags into a
temporary directory; a subprocess (gcc's libasan preloaded: the interpreter is not built with
it) loads them by path and calls every binding directly with NumPy arrays: forward and backward
of LSTM, GRU (both reset_after forms) and SimpleRNN, float32 and float64, with and without
masks, dropout masks, initial states, go_backwards, bias, output sequence and gradients, on one
thread and on two (batch chunks), with the micro-kernel GEMM, BLAS and a mix of both, on every
ISA the CPU has; and wrong arguments that must raise. Any out-of-bounds access, use after free
or undefined behaviour (UBSan halts on the first one) ends the subprocess with an error.

Skipped when no gcc or no libasan is found, except with LSTMKIT_REQUIRE_EXTENSION=1 (CI), where
that is a failure. Run by hand: ``python tests/test_native_sanitizers.py FASTRNN.so FASTOPT.so
[DUMP.npz]`` exercises two built modules (DUMP: every output, to compare two builds).
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CSRC = ROOT / "src" / "lstmkit" / "engine" / "csrc"
SANITIZE = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-O1"]
REQUIRED = os.environ.get("LSTMKIT_REQUIRE_EXTENSION", "") not in ("", "0")


# ---------------------------------------------------------------------------------------------
# The exercise (run in the sanitized subprocess; also usable on a normal build)
# ---------------------------------------------------------------------------------------------
def _load(name: str, path: str):
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _blas_candidates() -> list[str]:
    """The BLAS libraries NumPy loaded (as lstmkit.engine.native finds them)."""
    import numpy as np

    base = os.path.dirname(np.__file__)
    found = []
    for folder in (base + ".libs", os.path.join(base, ".dylibs")):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        found += [os.path.join(folder, n) for n in names if "blas" in n.lower()]
    return found


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
# (B, T, U, I): unit and row tails of the micro-kernel; vector chunks with a tail and a partial
# panel; K over one K block (I + U > 256); a batch that the LSTM backward's weight-gradient
# chunks (steps summed per GEMM) cut into a full and a partial chunk
_SHAPES = [(5, 4, 3, 2), (13, 6, 17, 9), (7, 3, 8, 262), (64, 6, 5, 3)]
_ACTS = [(1, 2), (1, 3), (1, 1), (4, 0)]  # (act, rec): tanh/sigmoid, .../hardSigmoid, ..., relu


def _run_cell(ext, np, cell, dbl, shape, case, out):
    """Forward (keep and not) and backward of one cell on drawn inputs; results into `out`."""
    B, T, U, I = shape
    dt = np.float64 if dbl else np.float32
    rng = np.random.default_rng(case)
    ra = cell == "gru_ra"
    ng = {"lstm": 4, "gru": 3, "gru_ra": 3, "rnn": 1}[cell]
    G = ng * U
    act, rec = _ACTS[case % len(_ACTS)]
    flags = rng.random(8) < 0.5
    gb = bool(flags[0])

    def arr(*s, scale=1.0):
        return (rng.standard_normal(s) * scale).astype(dt)

    x, W = arr(B, T, I), arr(I + U, G, scale=0.3)
    b = arr(G) if flags[1] else None
    brec = arr(G) if ra and flags[2] else None
    dm = (rng.random((B, I)) < 0.7).astype(dt) * dt(1 / 0.7) if flags[3] else None
    rdm = (rng.random((B, U)) < 0.7).astype(dt) * dt(1 / 0.7) if flags[4] else None
    M = (rng.random((T, B)) < 0.8).astype(dt) if flags[5] else None
    nk_outs = {}
    for keep in (False, True):
        nk = T if keep else 1
        A, S = np.zeros((nk, B, G), dt), np.zeros((nk, B, U), dt)
        H, C = np.zeros((T + 1, B, U), dt), np.zeros((T + 1, B, U), dt)
        if flags[6]:  # initial states
            H[0], C[0] = arr(B, U), arr(B, U)
        seq = np.zeros((B, T, U), dt) if (keep or flags[7]) else None
        ZH = np.zeros((nk, B, G), dt) if ra else None
        common = (dbl, B, T, U, I, act)
        if cell == "lstm":
            ext.lstm_fwd(*common, rec, keep, gb, x, W, b, dm, A, H, C, S, M, rdm, seq)
        elif cell == "rnn":
            ext.rnn_fwd(*common, keep, gb, x, W, b, dm, A, H, M, rdm, seq)
        else:
            ext.gru_fwd(*common, rec, ra, keep, gb, x, W, b, brec, dm, A, H, ZH, M, rdm, seq)
        nk_outs[keep] = (A, H, C, S, ZH, seq)
        out[f"fwd{int(keep)}"] = [v for v in (A, H, C, S, ZH, seq) if v is not None]
    A, H, C, S, ZH, seq = nk_outs[True]
    dY = arr(B, T, U) if flags[7] or M is None else None
    dh, dc = arr(B, U), arr(B, U)
    grads = rng.random() < 0.6  # weight gradients wanted, or only dX and the states
    dW = np.full((I + U, G), np.nan, dt) if grads or case % 3 == 0 else None
    db = np.full(((2 if ra else 1) * G,), np.nan, dt) if grads or case % 3 == 0 else None
    dX = np.full((B, T, I), np.nan, dt) if not grads or case % 2 == 0 else None
    common = (dbl, B, T, U, I, act)
    if cell == "lstm":
        ext.lstm_bwd(*common, rec, gb, x, W, dm, A, H, C, S, M, rdm, dY, dh, dc, dW, db, dX)
    elif cell == "rnn":
        ext.rnn_bwd(*common, gb, x, W, dm, A, H, M, rdm, dY, dh, dW, db, dX)
    else:
        ext.gru_bwd(*common, rec, ra, gb, x, W, dm, A, H, ZH, M, rdm, dY, dh, dW, db, dX)
    out["bwd"] = [v for v in (dh, dc, dW, db, dX) if v is not None]


def _wrong_calls(ext, np):
    """Calls that must raise (and release the buffers they took); their messages."""
    B, T, U, I = 2, 3, 4, 5

    def f4(*shape):
        return np.zeros(shape, np.float32)

    x, W, b, H = f4(B, T, I), f4(I + U, 4 * U), f4(4 * U), f4(T + 1, B, U)
    A, C, S = f4(T, B, 4 * U), f4(T + 1, B, U), f4(T, B, U)
    head = (False, B, T, U, I, 1, 2, True, False)  # lstm_fwd's scalars
    arrays = (x, W, b, None, A, H, C, S, None, None, None)

    def lstm_fwd(i=None, v=None, head=head):
        args = list(arrays)
        if i is not None:
            args[i] = v
        ext.lstm_fwd(*head, *args)

    read_only = np.frombuffer(H.tobytes(), np.float32).reshape(H.shape)
    Wg, Ag, ZH = f4(I + U, 3 * U), f4(T, B, 3 * U), f4(T, B, 3 * U)
    gru = (False, B, T, U, I, 1, 2)
    gru_bwd_db_g = (x, Wg, None, Ag, H, ZH, None, None, None, f4(B, U), None, f4(3 * U), None)
    calls = {
        "arity": lambda: ext.lstm_fwd(*head, *arrays[:-1]),
        "float64 for float32": lambda: lstm_fwd(0, x.astype(np.float64)),
        "size": lambda: lstm_fwd(1, W[:-1]),
        "None for a required array": lambda: lstm_fwd(4, None),
        "not contiguous": lambda: lstm_fwd(0, f4(B, T, 2 * I)[:, :, ::2]),
        "read-only output": lambda: lstm_fwd(5, read_only),
        "not a buffer": lambda: lstm_fwd(2, [0.0] * 4 * U),
        "bad sizes": lambda: lstm_fwd(head=(False, 0, T, U, I, 1, 2, True, False)),
        "bad activation": lambda: lstm_fwd(head=(False, B, T, U, I, 9, 2, True, False)),
        "float size": lambda: lstm_fwd(head=(False, 2.0, T, U, I, 1, 2, True, False)),
        "huge int": lambda: lstm_fwd(head=(False, B, T, U, I, 2**40, 2, True, False)),
        "brec without reset_after": lambda: ext.gru_fwd(
            *gru, False, True, False, x, Wg, None, f4(3 * U), None, Ag, H, None, None, None, None
        ),
        "ZH None with reset_after": lambda: ext.gru_fwd(
            *gru, True, True, False, x, Wg, None, None, None, Ag, H, None, None, None, None
        ),
        "db [G] with reset_after": lambda: ext.gru_bwd(*gru, True, False, *gru_bwd_db_g),
        "keyword": lambda: ext.rnn_fwd(False, B, T, U, I, 1, True, False, x=x),
    }
    messages = {}
    for what, call in calls.items():
        try:
            call()
        except (TypeError, ValueError, BufferError, OverflowError) as e:
            messages[what] = f"{type(e).__name__}: {e}"
        else:
            raise AssertionError(f"no error for {what}")
    return messages


def exercise(fastrnn_path: str, fastopt_path: str, dump: str | None = None) -> int:
    """Every binding of both modules on drawn cases; returns the number of kernel calls."""
    import numpy as np

    ext = _load("lstmkit.engine._fastrnn", fastrnn_path)
    opt = _load("lstmkit.engine._fastopt", fastopt_path)
    ext.blas_init(_blas_candidates())
    info = ext.options()
    saved = {k: info[k] for k in _OPTION_KEYS}
    results: dict[str, np.ndarray] = {}
    isas = ["baseline"] + [i for i in ("avx2", "avx512") if info.get(f"{i}_available")]
    # the micro-kernel, BLAS, and auto with a low packing limit: both within one call
    gemms = [("packed", 640 * 1024)] + ([("blas", 0), ("auto", 4096)] if info["blas"] else [])
    calls = 0
    print("isas: " + ",".join(isas))
    for isa in isas:
        for gemm, limit in gemms:
            for threads in (1, 2):
                # threads 2: every call split into chunks of at least 2 rows, a small row block
                ext.options(isa=isa, gemm=gemm, pack_limit=limit, threads=threads)
                ext.options(min_parallel_work=0, cold_parallel_work=0, min_chunk_rows=2)
                ext.options(adaptive=False, row_block_bytes=512 if threads == 2 else 64 * 1024)
                for dbl in (False, True):
                    for si, shape in enumerate(_SHAPES):
                        for cell in ("lstm", "gru", "gru_ra", "rnn"):
                            case = calls
                            out: dict[str, list] = {}
                            _run_cell(ext, np, cell, dbl, shape, case, out)
                            calls += 1
                            for k, vs in out.items():
                                for i, v in enumerate(vs):
                                    assert np.isfinite(v).all(), (isa, gemm, cell, shape, k, i)
                                    key = f"{isa}/{gemm}/{threads}/{int(dbl)}/{si}/{cell}/{k}{i}"
                                    results[key] = v
    ext.options(**saved)
    for dbl in (False, True):  # the loops' GEMM and activations on their own
        dt = np.float64 if dbl else np.float32
        rng = np.random.default_rng(7)
        for at, wt, (M, N, K) in [(0, 0, (7, 19, 300)), (1, 1, (13, 33, 5)), (0, 1, (1, 1, 1))]:
            A = rng.standard_normal((K, M) if at else (M, K)).astype(dt)
            Wm = rng.standard_normal((N, K) if wt else (K, N)).astype(dt)
            C = np.ones((M, N), dt)
            lda, ldw = A.shape[1], Wm.shape[1]
            ext.gemm(dbl, at, wt, M, N, K, A, lda, Wm, ldw, C, N, True, 2)
            results[f"gemm/{int(dbl)}/{at}{wt}"] = C
        xs = np.linspace(-30, 30, 37).astype(dt)
        for kind in range(5):
            ys = np.empty_like(xs)
            ext.activation(dbl, kind, xs, ys)
            results[f"activation/{int(dbl)}/{kind}"] = ys
        vals = [rng.standard_normal(n).astype(dt) for n in (1, 9, 100)]
        lists = [vals, [v * 0.1 for v in vals], [v * 0 for v in vals], [v * 0 + 1 for v in vals]]
        outs = [np.empty_like(v) for v in vals]
        opt.adam(dbl, *lists, outs, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-7, -0.01)
        for i, o in enumerate(outs + lists[2] + lists[3]):
            results[f"adam/{int(dbl)}/{i}"] = o
        try:
            opt.adam(dbl, vals, vals[:2], lists[2], lists[3], outs, *[0.5] * 8)
        except ValueError:
            pass
        else:
            raise AssertionError("_fastopt.adam: lists of unequal length accepted")
        try:
            opt.adam(dbl, vals, lists[1][::-1], lists[2], lists[3], outs, *[0.5] * 8)
        except ValueError:
            pass
        else:
            raise AssertionError("_fastopt.adam: arrays of the wrong size accepted")
    messages = _wrong_calls(ext, np)
    if dump:
        np.savez(dump, **results, **{"message/" + k: np.array(v) for k, v in messages.items()})
    return calls


# ---------------------------------------------------------------------------------------------
# The build and the sanitized run
# ---------------------------------------------------------------------------------------------
def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (LSTMKIT_REQUIRE_EXTENSION=1: the sanitizer build must run)")
    pytest.skip(reason)


def _setup_flags() -> tuple[list[str], list[str]]:
    """setup.py's compile flags (`_ARGS` on a POSIX system, `_EXACT` for _fastopt)."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = node.value.orelse if isinstance(node.value, ast.IfExp) else node.value
            if node.targets[0].id in ("_ARGS", "_EXACT"):
                found[node.targets[0].id] = ast.literal_eval(value)
    # the optimisation level is the sanitizer build's own
    return [f for f in found["_ARGS"] if not f.startswith("-O")], found["_EXACT"]


def _wide_flags() -> list[str]:
    """On a CPU without AVX-512, the sanitized build compiles the AVX-512 set for AVX2
    (LSTMKIT_WIDE_ON_AVX2: 512-bit vectors as pairs of 256-bit ones) and offers it as 'avx512',
    so its logic (16-lane chunks, 32-wide panels, taller GEMM tiles) runs under the sanitizers
    on every host; on an AVX-512 CPU the real set is built and exercised."""
    from lstmkit.engine import native

    ext = native.fastrnn()
    if ext is None or ext.options().get("avx512_available") or not ext.options()["avx2_available"]:
        return []
    return ["-DLSTMKIT_WIDE_ON_AVX2", "-Wno-psabi"]


@pytest.fixture(scope="module")
def sanitized(tmp_path_factory):
    """The two extensions built with the sanitizers, and gcc's libasan."""
    gcc = shutil.which("gcc")
    if gcc is None:
        _unavailable("no gcc: the sanitizer build needs it")
    libasan = subprocess.run(
        [gcc, "-print-file-name=libasan.so"], capture_output=True, text=True
    ).stdout.strip()
    if not os.path.isabs(libasan) or not os.path.exists(libasan):
        _unavailable("gcc has no libasan (install libasan / libgcc-dev)")
    args, exact = _setup_flags()
    out = tmp_path_factory.mktemp("sanitized")
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    includes = {sysconfig.get_paths()["include"], sysconfig.get_paths()["platinclude"]}
    builds = {
        "_fastrnn": ("fastrnn.c", args + _wide_flags()),
        "_fastopt": ("fastopt.c", args + exact),
    }
    procs, paths = {}, {}
    for name, (source, flags) in builds.items():
        paths[name] = str(out / (name + suffix))
        cmd = [gcc, "-shared", "-fPIC", *SANITIZE, *flags, *(f"-I{d}" for d in includes)]
        cmd += [str(CSRC / source), "-o", paths[name], "-lm", "-lpthread"]
        procs[name] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for name, proc in procs.items():  # built side by side: the cores are there for it
        log = proc.communicate()[0].decode(errors="replace")
        if proc.returncode != 0:
            if "sanitizer" in log and "cannot find" in log:
                _unavailable(f"gcc cannot link the sanitizers: {log[-500:]}")
            pytest.fail(f"the sanitized build of {name} failed:\n{log}")
    return paths["_fastrnn"], paths["_fastopt"], libasan


def _run_sanitized(fastrnn: str, fastopt: str, libasan: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["LD_PRELOAD"] = libasan
    env["ASAN_OPTIONS"] = "detect_leaks=0"  # the interpreter's own allocations are no concern
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
    env["OPENBLAS_NUM_THREADS"] = "2"
    return subprocess.run(
        [sys.executable, __file__, fastrnn, fastopt],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_sanitized_build_runs_clean(sanitized):
    proc = _run_sanitized(*sanitized)
    report = f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-12000:]}"
    assert proc.returncode == 0, report
    assert "Sanitizer" not in proc.stderr and "runtime error" not in proc.stderr, report
    assert "sanitized run ok" in proc.stdout, report
    from lstmkit.engine import native

    ext = native.fastrnn()
    # AVX-512 itself, or its set compiled for AVX2 (_wide_flags)
    wide = ext is not None and ext.options()["avx2_available"]
    want = ["baseline"] + (["avx2", "avx512"] if wide else [])
    assert f"isas: {','.join(want)}" in proc.stdout, report


if __name__ == "__main__":
    n = exercise(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    print(f"sanitized run ok: {n} kernel calls")
