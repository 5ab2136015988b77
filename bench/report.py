"""The markdown report of a results dict (see bench.runner for its structure)."""

from __future__ import annotations

from typing import Any

MODE_TITLES = {
    "pinned": "one pinned core (`taskset -c 0`, one thread in every system)",
    "default": "both cores, each system's default threading",
}


def _rate(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:,.3g}"


def _cell(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "-"
    if entry["status"] != "ok":
        return entry["status"]
    cap = "†" if entry.get("capped") else ""
    rate = _rate(entry["median_samples_per_s"])
    if "ratio" not in entry:
        return f"{rate}/s{cap}"
    ratio = entry["ratio"] if entry["ratio"] is not None else entry["ratio_of_medians"]
    return f"**{ratio:.2f}x** ({rate}/s{cap})"


def workload_table(mode_res: dict[str, Any], peers: list[str]) -> list[str]:
    """Rows: workloads. Cells: lstmkit samples/s, then ratio lstmkit/peer (peer samples/s)."""
    head = ["workload", "lstmkit", *peers[1:], "vs fastest peer"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for wid, wres in mode_res["workloads"].items():
        ps = wres["peers"]
        base = ps.get("lstmkit", {})
        rates = [
            ps[p]["median_samples_per_s"] for p in peers[1:] if ps.get(p, {}).get("status") == "ok"
        ]
        fastest = "-"
        if rates and base.get("status") == "ok":
            fastest = f"{base['median_samples_per_s'] / max(rates):.2f}x"
        cells = [_cell(ps.get(p)) for p in peers]
        lines.append("| " + " | ".join([wid, *cells, fastest]) + " |")
    return lines


def whole_table(mode_res: dict[str, Any]) -> list[str]:
    """W1 whole-process medians and import times."""
    lines: list[str] = []
    wp = mode_res.get("whole_process")
    if wp:
        lines += [
            "",
            "W1 as a whole process (start, import, build, fit 10 epochs, predict; median):",
            "",
        ]
        lines += ["| system | seconds | lstmkit speed-up (system s / lstmkit s) |", "|---|---|---|"]
        base = wp.get("lstmkit", {}).get("median_s")
        for peer, e in wp.items():
            if e["status"] != "ok":
                lines.append(f"| {peer} | {e['status']} | - |")
                continue
            rel = f"{e['median_s'] / base:.2f}x" if base and peer != "lstmkit" else "-"
            lines.append(f"| {peer} | {e['median_s']:.3f} | {rel} |")
    it = mode_res.get("import_time")
    if it:
        parts = [f"{k} {v['median_s']:.3f} s" for k, v in it.items() if v.get("status") == "ok"]
        lines += [
            "",
            "Import time (median; `python_startup` is `python -c pass`): " + ", ".join(parts),
        ]
    return lines


def roofline_lines(mode_res: dict[str, Any]) -> list[str]:
    """The W5 roofline paragraph."""
    roof = mode_res.get("roofline")
    if not roof or "mix_gflops" not in roof:
        return []
    f = roof["flops_per_sample"]
    lines = [
        "",
        f"Roofline (W5): NumPy float32 matmul on W5's products reaches **{roof['mix_gflops']:.1f} "
        f"GFLOP/s** over the mix (its FLOPs over its summed time). W5 needs "
        f"{f['total'] / 1e6:.1f} MFLOP per training sample: input projection "
        f"{f['input_projection'] / 1e6:.1f}, recurrent {f['recurrent'] / 1e6:.1f}, dense "
        f"{f['dense'] / 1e3:.1f} kFLOP (each product forward, plus the gradients of its input "
        "and weight; 2mnk each; elementwise work not counted).",
        "",
        "| product | m x k x n | per batch | GFLOP/s |",
        "|---|---|---|---|",
    ]
    for r in roof["shapes"]:
        dims = f"{r['m']} x {r['k']} x {r['n']}"
        lines.append(f"| {r['gemm']} | {dims} | {r['per_batch']} | {r['gflops']:.1f} |")
    reached = roof.get("reached", {})
    if reached:
        parts = [
            f"{p} {r['gflops']:.1f} GFLOP/s ({100 * r['fraction_of_peak']:.0f}%)"
            for p, r in reached.items()
        ]
        lines += ["", "Reached on W5 (fraction of that peak): " + ", ".join(parts) + "."]
    return lines


def render(results: dict[str, Any]) -> str:
    """The whole markdown report."""
    meta = results["meta"]
    peers = meta["peers"]
    out = [
        "# lstmkit benchmark",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, "
        f"Python {meta['machine']['python']}, NumPy {meta['machine']['numpy']}",
        f"- lstmkit source: git {meta['machine'].get('lstmkit_git', 'unknown')} (working tree)",
        f"- command: `{meta['command']}`",
        f"- repeats: {meta['repeats']} (median kept; whole process: {meta['whole_repeats']})"
        + (" — TINY sizes, numbers meaningless" if meta["tiny"] else ""),
    ]
    for peer, v in meta.get("versions", {}).items():
        out.append(f"- {peer}: {v}")
    for mode, mres in results["modes"].items():
        out += ["", f"## {mode}: {MODE_TITLES.get(mode, mode)}", ""]
        out.append(
            "Cells: ratio lstmkit / peer in samples/s (> 1 means lstmkit is faster), with the "
            "peer's median samples/s; lstmkit's own median samples/s in its column. "
            "W1-W3, W5 train; W4 predicts."
        )
        out.append("")
        out += workload_table(mres, peers)
        if any(e.get("capped") for w in mres["workloads"].values() for e in w["peers"].values()):
            out += [
                "",
                "† a very slow peer: data cut to a few batches, one run (bench/runner.py CAPS).",
            ]
        out += whole_table(mres)
        out += roofline_lines(mres)
    return "\n".join(out) + "\n"
