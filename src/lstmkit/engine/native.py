"""The one loader of the compiled parts: `_fastrnn` (the recurrent time loops) and `_fastopt`.

Both extensions are optional (setup.py builds them when a C compiler is there). Everything that
decides whether they run lives here: the switch (`use_extension`, ``LSTMKIT_NO_EXTENSION=1``),
the worker threads (`set_num_threads`), the BLAS the loops call (the one NumPy ships), and the
pool of large work buffers the loops reuse between calls (`release_buffers`). The modules that
call the kernels (`engine.rnn.native_cells` for the cells, `optimizers` for the updates) get
them from `fastrnn()` and `fastopt()`, which return None when the compiled code must not run.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

import numpy as np

__all__ = [
    "extension_info",
    "fastopt",
    "fastrnn",
    "release_buffers",
    "set_deterministic",
    "set_isa",
    "set_num_threads",
    "use_extension",
]

_UNTRIED = object()
_ext: Any = _UNTRIED
_ext_enabled = os.environ.get("LSTMKIT_NO_EXTENSION", "").strip() in ("", "0")


def _blas_candidates() -> list[str]:
    """The BLAS libraries a NumPy wheel ships (already loaded with NumPy), tried first."""
    base = os.path.dirname(np.__file__)
    found = []
    for folder in (base + ".libs", os.path.join(base, ".dylibs")):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        found += [os.path.join(folder, n) for n in names if "blas" in n.lower()]
    return found


def _default_threads() -> int:
    """LSTMKIT_NUM_THREADS, else OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, else the usable cores."""
    for var in ("LSTMKIT_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        value = os.environ.get(var, "").split(",")[0].strip()
        if value:
            try:
                return max(1, int(value))
            except ValueError:
                pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _load_extension() -> Any:
    """The compiled module (imported once, with its BLAS located), or None when not built."""
    global _ext
    if _ext is _UNTRIED:
        try:
            from . import _fastrnn  # type: ignore[attr-defined]
        except ImportError:
            _ext = None
        else:
            _check_isa_variable()
            _fastrnn.blas_init(_blas_candidates())
            _fastrnn.options(threads=_default_threads())
            _ext = _fastrnn
    return _ext


ISA_LEVELS = ("baseline", "avx2", "avx512")
"""The instruction sets the compiled loops are built for, narrowest first."""


def _check_isa_variable() -> None:
    want = os.environ.get("LSTMKIT_ISA", "").strip()
    if want and want not in (*ISA_LEVELS, "best"):
        raise ValueError(
            f"LSTMKIT_ISA={want!r}: expected one of {', '.join(ISA_LEVELS)} or best (the widest "
            "level the loops run at by default); unset it or fix its value."
        )


def set_isa(level: str | None = None) -> str:
    """The instruction set the compiled loops run at ('baseline', 'avx2', 'avx512', or
    'best': the default); returns the old one ('' when the extension is not built).

    Each level is compiled in (runtime dispatch: no -march flag); a level the CPU lacks is
    refused with a ValueError. By default the loops run at AVX2+FMA where the CPU has it:
    the AVX-512 set is opt-in (``set_isa('avx512')`` or ``LSTMKIT_ISA=avx512``) until it has
    been measured on an AVX-512 host. ``LSTMKIT_ISA`` (read when the loops are first loaded)
    caps the default lower, e.g. ``LSTMKIT_ISA=baseline`` for the SSE2 loops everywhere."""
    ext = _load_extension()
    if ext is None:
        return ""
    previous = str(ext.options()["isa"])
    if level is not None:
        if level not in (*ISA_LEVELS, "best"):
            raise ValueError(
                f"set_isa({level!r}): expected one of {', '.join(ISA_LEVELS)} or 'best'."
            )
        ext.options(isa=level)
    return previous


def set_num_threads(n: int) -> None:
    """Threads the compiled loops may use: a call with enough work splits its batch into row
    chunks run on threads (or, for GEMMs large enough for BLAS, lets BLAS use its threads);
    after a call where a thread lagged (its core busy), calls run on one thread for a while.
    The worker threads live from the first split call on; after a call each spins for up to
    2 ms waiting for the next one (a training loop's next call comes sooner), then sleeps, as
    OpenMP's workers do. Default: ``LSTMKIT_NUM_THREADS``, else ``OMP_NUM_THREADS`` /
    ``OPENBLAS_NUM_THREADS``, else the cores this process may run on; 1 keeps every call on
    the calling thread."""
    ext = _load_extension()
    if ext is not None:
        ext.options(threads=max(1, int(n)))


def set_deterministic(enabled: bool | None = None) -> bool:
    """Whether the compiled loops give the same bits whatever the machine's load (the default);
    returns the old setting (True when the extension is not built: NumPy is exact anyway).

    Deterministic, a call's numbers depend on its shapes, the data, the ISA, the thread
    setting (`set_num_threads`) and BLAS's own thread count, never on timing: the batch chunks
    and the order their weight gradients are summed in are fixed by shape and setting, and a
    call whose GEMMs go to BLAS keeps BLAS's thread count for the whole call.
    ``set_deterministic(False)`` lets such a call switch BLAS to one thread when its steps run
    slow (another process holds a core), which is faster on a loaded machine but makes the
    last bits depend on the load (OpenBLAS's sums depend on its thread count). Calls small
    enough for the built-in GEMM are unaffected: they are deterministic either way.
    """
    ext = _load_extension()
    if ext is None:
        return True
    previous = bool(ext.options()["deterministic"])
    if enabled is not None:
        ext.options(deterministic=bool(enabled))
    return previous


def use_extension(enabled: bool | None = None) -> bool:
    """Whether the kernels run the compiled loops when they are built; returns the old setting.

    ``use_extension(False)`` forces the NumPy loops (as ``LSTMKIT_NO_EXTENSION=1`` in the
    environment does from the start); ``use_extension(True)`` allows the compiled ones again.
    """
    global _ext_enabled
    previous = _ext_enabled
    if enabled is not None:
        _ext_enabled = bool(enabled)
    return previous


def extension_info() -> dict | None:
    """The compiled loops' settings (ISA, GEMM choice, the BLAS found), None when not built."""
    ext = _load_extension()
    return None if ext is None else dict(ext.options())


class _BufferPool:
    """Large per-call work buffers, reused by the next calls of the same shape.

    A W5-sized LSTM keeps ~180 MB of buffers per call; fresh ones cost page faults (about a
    tenth of the call). A buffer comes back only when nothing can use it any more: at the end
    of an inference call, or when the tape node holding the backward is garbage-collected.
    Small buffers are not pooled (the allocator reuses them anyway).
    """

    MIN_BYTES = 1 << 20
    MAX_BYTES = 512 << 20

    def __init__(self) -> None:
        self.free: dict[tuple, list[np.ndarray]] = {}
        self.nbytes = 0

    def take(self, shape: tuple, dtype) -> np.ndarray:
        stack = self.free.get((shape, np.dtype(dtype)))
        if stack:
            buf = stack.pop()
            self.nbytes -= buf.nbytes
            return buf
        return np.empty(shape, dtype)

    def give(self, bufs: list) -> None:
        for buf in bufs:
            if buf is None or buf.nbytes < self.MIN_BYTES:
                continue
            if self.nbytes + buf.nbytes > self.MAX_BYTES:
                self.clear()
            self.free.setdefault((buf.shape, buf.dtype), []).append(buf)
            self.nbytes += buf.nbytes

    def give_when_dead(self, owner: Any, bufs: list) -> None:
        weakref.finalize(owner, self.give, bufs).atexit = False

    def clear(self) -> None:
        self.free.clear()
        self.nbytes = 0


POOL = _BufferPool()


def release_buffers() -> int:
    """Free the work buffers the compiled loops keep for reuse; returns the bytes released.

    Calls of the same shapes reuse large buffers (up to 512 MB in all; ~180 MB after a
    W5-sized LSTM) instead of faulting in fresh memory. Call this after training a large model
    to give that memory back; the next call allocates again.
    """
    released = POOL.nbytes
    POOL.clear()
    return released


_fastopt_module: Any = _UNTRIED


def fastrnn() -> Any:
    """The compiled time loops when they may run (built and switched on), else None."""
    return _load_extension() if _ext_enabled else None


def fastopt() -> Any:
    """The compiled optimizer updates when they may run (built and switched on), else None."""
    global _fastopt_module
    if not _ext_enabled:
        return None
    if _fastopt_module is _UNTRIED:
        try:
            from . import _fastopt  # type: ignore[attr-defined]
        except ImportError:
            _fastopt_module = None
        else:
            _fastopt_module = _fastopt
    return _fastopt_module
