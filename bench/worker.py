"""One measurement in its own process: ``python -m bench.worker '{"peer": .., "workload": ..}'``.

Prints one JSON line: the timings with ``"status": "ok"``, or ``"missing"`` / ``"error"``.
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any

from bench import peers, workloads


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run `spec` (peer, workload, tiny, n) and return its JSON-ready result."""
    name = spec["peer"]
    mod = peers.module(name)
    ok, why = mod.available()
    if not ok:
        return {"status": "missing", "reason": why}
    w = workloads.get(spec["workload"], spec.get("tiny", False))
    x, y = workloads.make_data(w, spec.get("n"))
    if name.startswith("tfjs-"):
        result = mod.run(w, x, y, backend=name.split("-", 1)[1])
    else:
        result = mod.run(w, x, y)
    return {"status": "ok", "version": mod.version(), "n": len(x), **result}


def main(argv: list[str] | None = None) -> int:
    """Entry point: the spec is the first argument, as JSON."""
    spec = json.loads((argv if argv is not None else sys.argv[1:])[0])
    try:
        out = measure(spec)
    except Exception as exc:  # reported, not raised: the runner records the failure
        out = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        traceback.print_exc()
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
