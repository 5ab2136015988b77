"""Smoke test of the benchmark runner (bench/): tiny sizes, JSON structure only, never timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import peers as bench_peers  # noqa: E402
from bench import runner, workloads  # noqa: E402


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
