"""Two lstmkit checkouts side by side: the same workloads, interleaved, on the same machine.

    python -m bench.compare --before ../old/src --after src --workloads W1,W2,W3,W4,W5 --rounds 7

For a change that must keep every speed (a restructure, a refactor), the before/after ratio is
what matters, and it is only meaningful when both run close in time under the same conditions:
each round runs every workload once on `before` and once on `after` (alternating which goes
first), each in its own subprocess through `bench.worker` in the chosen thread mode (pinned: one
core, one thread, as `python -m bench --mode pinned`). Per workload it reports both medians and
the median of the per-round ratios after/before (above 1: `after` is faster), with the spread of
those ratios, which shows what the machine's noise is. The CPU is named in the output.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench import threads
from bench.overhead import _cpu_name

ROOT = Path(__file__).resolve().parent.parent


def run_once(src: str, wid: str, mode: str, timeout: float) -> float | None:
    """Samples per second of one run of `wid` with lstmkit imported from `src`."""
    env = threads.env_for(mode)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(src).resolve()), str(ROOT)])
    spec = {"peer": "lstmkit", "workload": wid, "tiny": False}
    cmd = threads.prefix_for(mode) + [sys.executable, "-m", "bench.worker", json.dumps(spec)]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        print(f"  {wid} from {src}: failed: {proc.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    out = json.loads(lines[-1])
    return out.get("samples_per_s") if out.get("status") == "ok" else None


def compare(before: str, after: str, wids: list[str], rounds: int, mode: str, timeout: float):
    """{workload: {"before": [...], "after": [...], "ratios": [...]}} of samples/s."""
    runs: dict[str, dict[str, list[float]]] = {
        w: {"before": [], "after": [], "ratios": []} for w in wids
    }
    for r in range(rounds):
        for wid in wids:
            order = [("before", before), ("after", after)]
            if r % 2:
                order.reverse()
            got = {name: run_once(src, wid, mode, timeout) for name, src in order}
            if got["before"] and got["after"]:
                runs[wid]["before"].append(got["before"])
                runs[wid]["after"].append(got["after"])
                runs[wid]["ratios"].append(got["after"] / got["before"])
                print(
                    f"  round {r + 1} {wid}: before {got['before']:,.0f}/s, after "
                    f"{got['after']:,.0f}/s, ratio {got['after'] / got['before']:.3f}",
                    file=sys.stderr,
                )
    return runs


def table(runs: dict[str, dict[str, list[float]]]) -> str:
    lines = [
        "| workload | before (median) | after (median) | after / before (median of rounds) "
        "| ratio range |",
        "|---|---|---|---|---|",
    ]
    for wid, r in runs.items():
        if not r["ratios"]:
            lines.append(f"| {wid} | failed | failed | - | - |")
            continue
        lines.append(
            f"| {wid} | {statistics.median(r['before']):,.0f}/s | "
            f"{statistics.median(r['after']):,.0f}/s | **{statistics.median(r['ratios']):.3f}** | "
            f"{min(r['ratios']):.3f} .. {max(r['ratios']):.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", required=True, metavar="SRC", help="the old checkout's src/")
    p.add_argument("--after", default=str(ROOT / "src"), metavar="SRC", help="(this src/)")
    p.add_argument("--workloads", default="W1,W2,W3,W4,W5")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--mode", choices=("pinned", "default"), default="pinned")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--json", metavar="PATH", help="write every run here")
    args = p.parse_args(argv)
    wids = [w.strip() for w in args.workloads.split(",") if w.strip()]
    runs = compare(args.before, args.after, wids, args.rounds, args.mode, args.timeout)
    print(f"CPU {_cpu_name()}, mode {args.mode}, {args.rounds} rounds; samples/s\n")
    print(table(runs))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": _cpu_name(), "mode": args.mode, "runs": runs}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
