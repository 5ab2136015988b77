"""Smoke test of the benchmark runner (bench/): tiny sizes, JSON structure only, never timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    fma_peak,
    report,
    runner,
    workloads,
)
from bench import peers as bench_peers  # noqa: E402


def _installed() -> list[str]:
    """Installed peers besides lstmkit, quickest to start first (none is needed to pass)."""
    order = ["tfjs-wasm", "jax", "torch", "keras", "tfjs-cpu"]
    return [p for p in order if bench_peers.module(p).available()[0]]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    peers = ",".join(["lstmkit", *_installed()[:1]])  # one installed peer at most, for speed
    cmd = [sys.executable, "-m", "bench", "--tiny", "--peers", peers, "--repeats", "1"]
    cmd += ["--whole-repeats", "1", "--mode", "pinned", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| workload |" in proc.stdout
    assert out.with_suffix(".md").read_text().startswith("# lstmkit benchmark")
    return json.loads(out.read_text())


def test_meta(results: dict) -> None:
    meta = results["meta"]
    assert meta["tiny"] is True
    assert meta["workloads"] == ["W1", "W2", "W3", "W4", "W5"]
    assert meta["peers"][0] == "lstmkit"
    assert {"cpu", "cores", "python", "numpy"} <= set(meta["machine"])


def test_workloads_have_lstmkit_results(results: dict) -> None:
    mode = results["modes"]["pinned"]
    assert set(mode["workloads"]) == {"W1", "W2", "W3", "W4", "W5"}
    for wres in mode["workloads"].values():
        assert {"n", "t", "d", "h", "layers", "batch", "epochs"} <= set(wres["config"])
        entry = wres["peers"]["lstmkit"]
        assert entry["status"] == "ok", entry
        assert entry["median_samples_per_s"] > 0
        run = entry["runs"][0]
        assert {"build_s", "warmup_s", "seconds", "samples", "samples_per_s"} <= set(run)
        for peer, other in wres["peers"].items():
            assert other["status"] in ("ok", "missing", "skipped", "error", "timeout"), (
                peer,
                other,
            )
            if peer != "lstmkit" and other["status"] == "ok":
                assert other["ratio"] > 0


def test_whole_process_import_and_roofline(results: dict) -> None:
    mode = results["modes"]["pinned"]
    assert mode["whole_process"]["lstmkit"]["status"] == "ok"
    assert mode["import_time"]["lstmkit"]["median_s"] > 0
    roof = mode["roofline"]
    assert roof["mix_gflops"] > 0
    assert roof["flops_per_sample"]["total"] > 0
    assert 0 < roof["reached"]["lstmkit"]["fraction_of_peak"]


def test_missing_peer_is_reported_not_failed() -> None:
    runs = {
        "lstmkit": [{"status": "ok", "samples_per_s": 2.0, "seconds": 1.0, "n": 2}],
        "torch": [{"status": "missing", "reason": "not installed"}],
    }
    res = runner.summarize(runs, workloads.get("W1"))
    assert res["torch"] == {"status": "missing", "reason": "not installed"}
    assert res["lstmkit"]["status"] == "ok"


@pytest.fixture(scope="module")
def peak() -> dict:
    """A tiny run of the FMA peak (bench/fma_peak.c), as the runner starts it."""
    if fma_peak.compiler() is None and os.environ.get("LSTMKIT_REQUIRE_EXTENSION") != "1":
        pytest.skip("no C compiler")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.fma_peak", json.dumps({"tiny": True})],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_fma_peak_structure_and_order(peak: dict) -> None:
    assert peak["status"] == "ok", peak.get("reason")
    assert {"model_name", "family", "avx2", "avx512f"} <= set(peak["cpu"])
    assert peak["cores"] >= 1 and peak["compiler"]
    levels = peak["levels"]
    assert list(levels) == ["baseline", "avx2", "avx512"]
    assert levels["baseline"]["supported"] is True  # every x86-64 has SSE2
    for name, e in levels.items():
        assert e["bits"] in (128, 256, 512)
        if e["supported"]:
            for key in ("gflops", "gflops_wall", "gflops_all_cores", "gflops_all_cores_wall"):
                assert e[key] > 0, (name, key, e)
        else:
            assert "gflops" not in e and e["reason"]
    if levels["avx2"]["supported"]:
        assert levels["avx2"]["gflops"] >= levels["baseline"]["gflops"]
        assert peak["widest"] in ("avx2", "avx512")
    # the CPU's flags (lscpu) and the compiler runtime agree
    if peak["cpu"]["model_name"] is not None:
        assert levels["avx512"]["supported"] == peak["cpu"]["avx512f"]
        assert levels["avx2"]["supported"] == (peak["cpu"]["avx2"] and peak["cpu"]["fma"])


def test_fma_peak_without_compiler_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fma_peak, "compiler", lambda: None)
    res = fma_peak.measure(tiny=True)
    assert res["status"] == "unavailable" and "compiler" in res["reason"]
    assert res["levels"] == {}
    assert "unavailable" in "\n".join(report.fma_peak_lines({"fma_peak": res}))


def test_fma_peak_in_bench_results(results: dict) -> None:
    mode = results["modes"]["pinned"]
    peak = mode["fma_peak"]
    assert peak["status"] in ("ok", "unavailable")
    if peak["status"] == "unavailable":
        assert fma_peak.compiler() is None, peak["reason"]
        return
    assert peak["cores"] == 1 or not runner.threads.prefix_for("pinned")
    assert peak["reference"]["widest"]["gflops"] > 0
    for wid in ("W4", "W5"):
        row = peak["reached"][wid]
        assert row["flops_per_sample"] > 0
        assert row["peers"]["lstmkit"]["gflops"] > 0
        assert row["peers"]["lstmkit"]["fraction_of_widest"] > 0
    md = "\n".join(report.fma_peak_lines(mode))
    assert "FMA peak" in md and "| W4 |" in md and "| W5 |" in md


def test_inference_flops_are_the_forward_half() -> None:
    w4 = workloads.get("W4")
    inf = workloads.inference_flops_per_sample(w4)
    assert inf["total"] == workloads.gemm_flops_per_sample(w4)["forward"]
    assert workloads.flops_per_sample(w4) == inf
    w5 = workloads.get("W5")
    assert workloads.flops_per_sample(w5) == workloads.gemm_flops_per_sample(w5)
