"""Command line of the benchmark: ``python -m bench`` or ``python bench/run.py``.

Example: ``python -m bench --workloads W2,W3 --peers torch,jax --mode pinned --repeats 3
--out bench/results.json`` writes bench/results.json and bench/results.md and prints the table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peers as peers_mod
from bench import report, runner, threads, workloads

ALL_PEERS = ["torch", "jax", "keras", "tfjs-wasm", "tfjs-cpu"]


def machine() -> dict[str, str | int]:
    """CPU model, core count and versions of the machine."""
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        git = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            cwd=runner.ROOT,
        ).stdout.strip()
    except OSError:
        git = ""
    return {
        "lstmkit_git": git or "unknown",
        "cpu": cpu,
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--workloads", default=",".join(workloads.WORKLOADS), help="e.g. W2,W3")
    p.add_argument("--peers", default=",".join(ALL_PEERS), help="e.g. torch,jax (tfjs = both)")
    p.add_argument("--mode", choices=[*threads.MODES, "both"], default="pinned")
    p.add_argument("--repeats", type=int, default=3, help="runs per system and workload")
    p.add_argument("--whole-repeats", type=int, default=5, help="runs of W1 as a whole process")
    p.add_argument("--out", default="bench/results.json", help="JSON path; .md written beside")
    p.add_argument("--tiny", action="store_true", help="tiny sizes (smoke test)")
    p.add_argument("--full", action="store_true", help="no data caps for very slow peers")
    p.add_argument("--no-whole", action="store_true", help="skip W1 whole process and imports")
    p.add_argument("--whole-all", action="store_true", help="W1 whole process of jax, keras too")
    p.add_argument("--timeout", type=float, default=None, help="seconds per run (default 900)")
    p.add_argument("--install-tfjs", action="store_true", help="npm install TF.js into bench/.node")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the markdown table; write JSON and markdown."""
    args = parse(argv)
    if args.install_tfjs:
        from bench.peers import tfjs_peer

        return tfjs_peer.install()
    wids = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in wids if w not in workloads.WORKLOADS]
    if unknown:
        sys.exit(f"unknown workloads {unknown}; known: {', '.join(workloads.WORKLOADS)}")
    try:
        peers = peers_mod.expand([p.strip() for p in args.peers.split(",") if p.strip()])
    except ValueError as exc:
        sys.exit(str(exc))
    modes = list(threads.MODES) if args.mode == "both" else [args.mode]
    opts = {
        "tiny": args.tiny,
        "full": args.full,
        "repeats": max(1, args.repeats),
        "whole": not args.no_whole,
        "whole_all": args.whole_all,
        "whole_repeats": max(1, args.whole_repeats),
        "timeout": args.timeout or (120.0 if args.tiny else 900.0),
    }

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    src = str(runner.ROOT / "src")
    if src not in sys.path:  # what the workers import: this repository's lstmkit
        sys.path.insert(0, src)
    for p in peers:
        ok, why = peers_mod.module(p).available()
        log(f"{p}: {'available' if ok else 'MISSING - ' + why}")
    results: dict = {
        "meta": {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": machine(),
            "peers": peers,
            "workloads": wids,
            "modes": modes,
            **{k: opts[k] for k in ("tiny", "full", "repeats", "whole_repeats")},
        },
        "modes": {},
    }
    for mode in modes:
        results["modes"][mode] = runner.run_mode(mode, peers, wids, opts, log)
    results["meta"]["versions"] = versions(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    md = report.render(results)
    out.with_suffix(".md").write_text(md)
    print(md)
    return 0


def versions(results: dict) -> dict[str, str]:
    """The version each peer reported in its first successful run."""
    found: dict[str, str] = {}
    for mres in results["modes"].values():
        for wres in mres["workloads"].values():
            for peer, e in wres["peers"].items():
                if e.get("status") == "ok" and e.get("version") and peer not in found:
                    found[peer] = e["version"]
    return found


if __name__ == "__main__":
    raise SystemExit(main())
