"""Orchestration: run every (mode, workload, peer) in its own subprocess, interleaved, repeated."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import peers as peers_mod
from bench import threads, whole, workloads

ROOT = Path(__file__).resolve().parent.parent

# Peers far too slow for the full workload within a run of about 20 minutes: their data set is
# cut to this many samples (whole batches, so samples/s stays comparable) and they run once, or
# with 0 they are skipped. --full lifts every cap. Measured here on one core: TF.js cpu trains W3
# at about 6 samples/s and predicts W4 at 8/s; TF.js wasm trains W5 at about 1.1/s (one batch of
# 128 with its warm-up took 4 minutes); FINDINGS.md has TF.js cpu at 0.6/s on W5.
CAPS: dict[tuple[str, str], int] = {
    ("tfjs-cpu", "W2"): 512,
    ("tfjs-cpu", "W3"): 64,
    ("tfjs-cpu", "W4"): 0,
    ("tfjs-cpu", "W5"): 0,
    ("tfjs-wasm", "W3"): 256,
    ("tfjs-wasm", "W4"): 2560,
    ("tfjs-wasm", "W5"): 0,
}

Log = Callable[[str], None]


def run_worker(
    spec: dict[str, Any], mode: str, timeout: float, script: str = "bench.worker"
) -> dict[str, Any]:
    """One subprocess in `mode`; its last JSON line (or a status saying what went wrong)."""
    env = threads.env_for(mode)
    env["PYTHONPATH"] = whole.python_path(ROOT)
    cmd = threads.prefix_for(mode) + [sys.executable, "-m", script, json.dumps(spec)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"no result within {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {
            "status": "error",
            "error": proc.stderr.strip()[-2000:] or f"exit {proc.returncode}",
        }
    out = json.loads(lines[-1])
    out["process_s"] = time.perf_counter() - t0
    if out.get("status") == "error":
        out["error"] = out.get("error") or proc.stderr.strip()[-2000:]
    return out


def summarize(runs: dict[str, list[dict[str, Any]]], w: workloads.Workload) -> dict[str, Any]:
    """Per peer: status, medians, and the ratio lstmkit / peer in samples/s.

    `ratio` is the median over rounds of the paired ratio (the lstmkit run and the peer run of
    the same round, close in time); `ratio_of_medians` divides the two medians.
    """
    base = [r.get("samples_per_s") if r["status"] == "ok" else None for r in runs["lstmkit"]]
    out: dict[str, Any] = {}
    for peer, rs in runs.items():
        ok = [r for r in rs if r["status"] == "ok"]
        if not ok:
            last = rs[-1] if rs else {"status": "missing"}
            out[peer] = {k: v for k, v in last.items() if k in ("status", "reason", "error")}
            continue
        sps = [r["samples_per_s"] for r in ok]
        entry: dict[str, Any] = {
            "status": "ok",
            "version": ok[0].get("version"),
            "n": ok[0]["n"],
            "capped": ok[0]["n"] < w.n,
            "median_samples_per_s": statistics.median(sps),
            "median_seconds": statistics.median(r["seconds"] for r in ok),
            "runs": rs,
        }
        if peer != "lstmkit" and out.get("lstmkit", {}).get("status") == "ok":
            pairs = [
                b / r["samples_per_s"]
                for b, r in zip(base, rs)
                if b is not None and r["status"] == "ok"
            ]
            entry["ratio"] = statistics.median(pairs) if pairs else None
            entry["ratio_of_medians"] = (
                out["lstmkit"]["median_samples_per_s"] / entry["median_samples_per_s"]
            )
        out[peer] = entry
    return out


def run_workload(
    wid: str, peers: list[str], mode: str, opts: dict[str, Any], log: Log
) -> dict[str, Any]:
    """All peers on one workload: rounds of lstmkit then each peer, `repeats` times."""
    w = workloads.get(wid, opts["tiny"])
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in peers}
    for r in range(opts["repeats"]):
        for peer in peers:
            past = runs[peer]
            if past and past[-1]["status"] in ("missing", "timeout", "skipped"):
                continue  # not there, or far too slow: once is enough
            spec: dict[str, Any] = {"peer": peer, "workload": wid, "tiny": opts["tiny"]}
            cap = None if opts["full"] or opts["tiny"] else CAPS.get((peer, wid))
            if cap == 0:
                past.append({"status": "skipped", "reason": "too slow (see CAPS; --full runs it)"})
                log(f"[{mode}] {wid} {peer}: skipped, too slow")
                continue
            if cap is not None:
                if r > 0:
                    continue  # capped peers run once
                spec["n"] = cap
            res = run_worker(spec, mode, opts["timeout"])
            past.append(res)
            if res["status"] == "ok":
                msg = f"{res['samples_per_s']:,.1f} samples/s ({res['seconds']:.2f} s)"
            else:
                msg = res["status"] + ": " + str(res.get("reason") or res.get("error", ""))[-300:]
            log(f"[{mode}] {wid} round {r + 1} {peer}: {msg}")
    return {"config": w.to_dict(), "peers": summarize(runs, w)}


def run_roofline(mode: str, tiny: bool, timeout: float) -> dict[str, Any]:
    """The W5 sgemm roofline in `mode`'s threads."""
    return run_worker({"tiny": tiny}, mode, timeout, script="bench.roofline")


def attach_roofline(roof: dict[str, Any], w5: dict[str, Any] | None) -> None:
    """Add each system's reached GFLOP/s and fraction of the NumPy sgemm peak on W5."""
    if "mix_gflops" not in roof or not w5:
        return
    flops = roof["flops_per_sample"]["total"]
    reached = {}
    for peer, entry in w5["peers"].items():
        if entry.get("status") == "ok":
            gf = flops * entry["median_samples_per_s"] / 1e9
            reached[peer] = {"gflops": gf, "fraction_of_peak": gf / roof["mix_gflops"]}
    roof["reached"] = reached


def run_fma_peak(mode: str, tiny: bool, timeout: float) -> dict[str, Any]:
    """The FMA peak per ISA level (bench/fma_peak.c) in `mode`'s threads and cores."""
    res = run_worker({"tiny": tiny}, mode, timeout, script="bench.fma_peak")
    if res.get("status") == "error":  # the worker itself failed: reported, never raised
        return {"status": "unavailable", "reason": res.get("error", ""), "levels": {}}
    return res


def isa_level(isa: str | None) -> str | None:
    """The fma_peak level of an extension's `options()['isa']` ('avx512f' -> 'avx512')."""
    if not isa:
        return None
    return "avx512" if isa.startswith("avx512") else isa


def attach_fma_peak(peak: dict[str, Any], workloads_res: dict[str, Any]) -> None:
    """Add, for W4 and W5, each system's GFLOP/s and its fraction of the measured FMA peaks.

    The peak is that of the cores the mode lets a process use (one core pinned, all allowed
    cores in the default mode: `gflops_all_cores`), at two ISA levels: the one lstmkit's
    extension runs at (`lstmkit_isa`) and the widest the host has (`widest`).
    """
    levels = peak.get("levels", {})
    if peak.get("status") != "ok":
        return
    mine, widest = isa_level(peak.get("lstmkit_isa")), peak.get("widest")
    ref = {
        "lstmkit_isa": mine if mine in levels and "gflops" in levels[mine] else None,
        "widest": widest,
    }
    peak["reference"] = {
        k: {"level": v, "gflops": levels[v]["gflops_all_cores"]} if v else None
        for k, v in ref.items()
    }
    reached: dict[str, Any] = {}
    for wid in ("W4", "W5"):
        wres = workloads_res.get(wid)
        if not wres:
            continue
        w = workloads.Workload(**wres["config"])
        flops = workloads.flops_per_sample(w)["total"]
        rows: dict[str, Any] = {}
        for p, entry in wres["peers"].items():
            if entry.get("status") != "ok":
                continue
            gf = flops * entry["median_samples_per_s"] / 1e9
            row: dict[str, Any] = {"gflops": gf}
            for k, r in peak["reference"].items():
                row[f"fraction_of_{k}"] = gf / r["gflops"] if r else None
            rows[p] = row
        reached[wid] = {"flops_per_sample": flops, "peers": rows}
    peak["reached"] = reached


def run_mode(mode: str, peers: list[str], wids: list[str], opts: dict[str, Any], log: Log) -> dict:
    """Everything selected, in one thread mode."""
    out: dict[str, Any] = {"workloads": {}}
    for wid in wids:
        out["workloads"][wid] = run_workload(wid, peers, mode, opts, log)
    env = threads.env_for(mode)
    env["PYTHONPATH"] = whole.python_path(ROOT)
    prefix = threads.prefix_for(mode)
    avail = [p for p in peers if peers_mod.module(p).available()[0]]
    if "W1" in wids and opts["whole"]:
        some = [p for p in avail if opts["whole_all"] or p in whole.WHOLE_PEERS]
        out["whole_process"] = whole.whole_process(
            some, prefix, env, ROOT, opts["whole_repeats"], log
        )
        out["import_time"] = whole.import_times(avail, prefix, env, ROOT, opts["whole_repeats"])
    if "W5" in wids:
        roof = run_roofline(mode, opts["tiny"], opts["timeout"])
        attach_roofline(roof, out["workloads"].get("W5"))
        out["roofline"] = roof
    if "W4" in wids or "W5" in wids:
        peak = run_fma_peak(mode, opts["tiny"], opts["timeout"])
        attach_fma_peak(peak, out["workloads"])
        out["fma_peak"] = peak
        log(f"[{mode}] FMA peak: {fma_summary(peak)}")
    return out


def fma_summary(peak: dict[str, Any]) -> str:
    """One line: GFLOP/s per measured level, or why there is none."""
    if peak.get("status") != "ok":
        return "unavailable: " + str(peak.get("reason", ""))[-300:]
    parts = []
    for name, e in peak["levels"].items():
        if "gflops" in e:
            parts.append(f"{name} {e['gflops']:.1f} GFLOP/s/core ({e['gflops_all_cores']:.1f} all)")
        else:
            parts.append(f"{name} not supported")
    return ", ".join(parts)
