"""The float32 FMA peak per ISA level on this host (``python -m bench.fma_peak '{}'``).

bench/fma_peak.c, written as the kernels' micro-kernel is (GCC vector extensions, multiply and
add fused by the compiler, one function per ISA level under ``target(...)``), is compiled at run
time with the system C compiler into a shared library (cached in bench/.cache, keyed by the
source and the compiler) and loaded with ctypes. Each level the CPU supports (asked of
``__builtin_cpu_supports``, as the extension asks) runs independent FMA chains; the rate is the
best of a few trials. One core, and, when the process may run on more (``default`` mode), every
allowed core at once (one thread each: ctypes releases the GIL during the call).

The JSON gives, per level: ``supported``, ``gflops`` (one core), ``gflops_all_cores``, and for
the host: the CPU (lscpu), its avx2/avx512f flags, the ISA level lstmkit's extension runs at
(``lstmkit.engine.native.fastrnn().options()['isa']``). Without a C compiler, or when the build
fails, ``status`` is ``unavailable`` with the reason; nothing raises.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "fma_peak.c"
CACHE = HERE / ".cache"

# (index in the C code, name, vector bits); the names are those of the extension's options
LEVELS = [(0, "baseline", 128), (1, "avx2", 256), (2, "avx512", 512)]
_CFLAGS = ["-O2", "-fPIC", "-shared", "-fno-strict-aliasing"]


def compiler() -> str | None:
    """The system C compiler ($CC, cc, gcc or clang), or None."""
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name.split()[0]):
            return name
    return None


def _compiler_id(cc: str) -> str:
    try:
        out = subprocess.run(
            cc.split() + ["--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    return (out.splitlines() or [cc])[0].strip()


def build() -> tuple[Path | None, str]:
    """Compile fma_peak.c (or find it cached): (library path, compiler id) or (None, reason)."""
    cc = compiler()
    if cc is None:
        return None, "no C compiler found ($CC, cc, gcc, clang)"
    ident = _compiler_id(cc)
    key = hashlib.sha256(
        SOURCE.read_bytes() + ident.encode() + " ".join(_CFLAGS).encode()
    ).hexdigest()[:16]
    for folder in (CACHE, Path(tempfile.gettempdir()) / "lstmkit-bench-cache"):
        lib = folder / f"fma_peak-{key}.so"
        if lib.exists():
            return lib, ident
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=".so", dir=folder)
            os.close(fd)
        except OSError:
            continue
        cmd = cc.split() + _CFLAGS + ["-o", tmp, str(SOURCE)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as e:
            Path(tmp).unlink(missing_ok=True)
            return None, f"{' '.join(cmd)}: {e}"
        if proc.returncode != 0:
            Path(tmp).unlink(missing_ok=True)
            return None, f"{' '.join(cmd)} failed: {proc.stderr.strip()[-1000:]}"
        os.replace(tmp, lib)  # atomic: a concurrent run sees the whole library or none
        return lib, ident
    return None, "no writable cache folder (bench/.cache, the temp dir)"


def cpu_info() -> dict[str, Any]:
    """lscpu's model name and family, and the avx2 / avx512f flags."""
    info: dict[str, Any] = {"model_name": None, "family": None, "model": None}
    flags: set[str] = set()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if key == "Model name":
            info["model_name"] = val
        elif key == "CPU family":
            info["family"] = int(val) if val.isdigit() else val
        elif key == "Model":
            info["model"] = int(val) if val.isdigit() else val
        elif key == "Flags":
            flags = set(val.split())
    info["avx2"] = "avx2" in flags
    info["fma"] = "fma" in flags
    info["avx512f"] = "avx512f" in flags
    return info


def lstmkit_isa() -> str | None:
    """The ISA level lstmkit's compiled loops run at in this process, or None (NumPy only)."""
    try:
        from lstmkit.engine import native

        ext = native.fastrnn()
        return str(ext.options()["isa"]) if ext is not None else None
    except Exception:  # the bench reports, never fails on this
        return None


def _load(lib: Path) -> ctypes.CDLL:
    dll = ctypes.CDLL(str(lib))
    for name in ("fma_peak_baseline", "fma_peak_avx2", "fma_peak_avx512"):
        fn = getattr(dll, name)
        fn.argtypes, fn.restype = [ctypes.c_long], ctypes.c_float
    dll.fma_peak_supported.argtypes, dll.fma_peak_supported.restype = [ctypes.c_int], ctypes.c_int
    dll.fma_peak_chains.argtypes, dll.fma_peak_chains.restype = [ctypes.c_int], ctypes.c_int
    return dll


def _timed(fn: Any, iters: int, threads: int) -> tuple[list[float], float, float]:
    """`threads` concurrent calls fn(iters), started together: (each thread's CPU seconds,
    wall seconds of the whole, sum of the results)."""
    cpu = [0.0] * threads
    sums = [0.0] * threads
    barrier = threading.Barrier(threads + 1) if threads > 1 else None

    def work(i: int) -> None:
        if barrier is not None:
            barrier.wait()
        c0 = time.thread_time()
        sums[i] = fn(iters)
        cpu[i] = time.thread_time() - c0

    if barrier is None:
        t0 = time.perf_counter()
        work(0)
        return cpu, time.perf_counter() - t0, sums[0]
    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    return cpu, time.perf_counter() - t0, sum(sums)


def rate(
    fn: Any, flops_per_iter: int, trial_s: float, trials: int, threads: int = 1
) -> tuple[float, float]:
    """Best GFLOP/s of `trials` runs of about `trial_s` CPU seconds each, on `threads` cores.

    Two figures: by CPU time (each thread's flops over its own CPU time, summed over the
    threads: what the cores do while they run, whatever else the machine runs) and by wall
    time (all the flops over the elapsed time: lower when other processes take the cores).
    """
    iters = 1024
    while True:  # calibrate on one thread
        cpu, wall, _ = _timed(fn, iters, 1)
        sec = cpu[0] if cpu[0] > 0 else wall
        if sec >= trial_s / 8 or iters >= 1 << 40:
            break
        iters *= 4
    iters = max(1024, int(iters * trial_s / max(sec, 1e-9)))
    best_cpu = best_wall = 0.0
    check = 0.0
    for _ in range(trials):
        cpu, wall, s = _timed(fn, iters, threads)
        check += s
        flops = iters * flops_per_iter
        by_cpu = sum(flops / c for c in cpu if c > 0)
        best_cpu = max(best_cpu, by_cpu / 1e9)
        best_wall = max(best_wall, threads * flops / wall / 1e9)
    if not check == check or check <= 0:  # the result is used: NaN or zero means broken code
        raise RuntimeError(f"fma_peak returned {check}")
    return best_cpu, best_wall


def allowed_cores() -> int:
    """Cores this process may run on (1 under ``taskset -c 0``)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def measure(tiny: bool = False) -> dict[str, Any]:
    """The JSON of the whole measurement (see the module's docstring)."""
    out: dict[str, Any] = {
        "cpu": cpu_info(),
        "lstmkit_isa": lstmkit_isa(),
        "cores": allowed_cores(),
        "trial_seconds": 0.01 if tiny else 0.2,
        "trials": 2 if tiny else 5,
        "counting": (
            "2 flops per lane per multiply-add (fused on AVX2/AVX-512, a separate mulps + "
            "addps on the SSE2 baseline), over 12 independent chains (24 on AVX-512)"
        ),
    }
    lib, ident = build()
    if lib is None:
        out.update(status="unavailable", reason=ident, levels={})
        return out
    out["compiler"] = ident
    try:
        dll = _load(lib)
    except OSError as e:
        out.update(status="unavailable", reason=f"cannot load {lib}: {e}", levels={})
        return out
    levels: dict[str, Any] = {}
    for idx, name, bits in LEVELS:
        entry: dict[str, Any] = {"bits": bits, "supported": bool(dll.fma_peak_supported(idx))}
        if entry["supported"]:
            fn = getattr(dll, f"fma_peak_{name}")
            flops = 2 * dll.fma_peak_chains(idx)
            try:
                entry["gflops"], entry["gflops_wall"] = rate(
                    fn, flops, out["trial_seconds"], out["trials"]
                )
                if out["cores"] > 1:
                    entry["gflops_all_cores"], entry["gflops_all_cores_wall"] = rate(
                        fn, flops, out["trial_seconds"], out["trials"], out["cores"]
                    )
                else:
                    entry["gflops_all_cores"] = entry["gflops"]
                    entry["gflops_all_cores_wall"] = entry["gflops_wall"]
            except RuntimeError as e:
                entry["error"] = str(e)
        else:
            entry["reason"] = "not supported by this CPU (__builtin_cpu_supports)"
        levels[name] = entry
    out["levels"] = levels
    measured = [n for n, e in levels.items() if "gflops" in e]
    out["widest"] = measured[-1] if measured else None
    out["status"] = "ok" if measured else "unavailable"
    if not measured:
        out["reason"] = "no level measured"
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the JSON of `measure` (argument: a JSON spec, e.g. '{"tiny": true}')."""
    args = argv if argv is not None else sys.argv[1:]
    spec = json.loads(args[0]) if args else {}
    try:
        res = measure(bool(spec.get("tiny", False)))
    except Exception as e:  # never crash the bench
        res = {"status": "unavailable", "reason": f"{type(e).__name__}: {e}", "levels": {}}
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
