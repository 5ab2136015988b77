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


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.0f}%"


def fma_peak_lines(mode_res: dict[str, Any]) -> list[str]:
    """The measured FMA peak per ISA level and W4/W5's GFLOP/s as fractions of it."""
    peak = mode_res.get("fma_peak")
    if not peak:
        return []
    cpu = peak.get("cpu", {})
    flags = ", ".join(f"{k} {'yes' if cpu.get(k) else 'no'}" for k in ("avx2", "avx512f"))
    host = f"{cpu.get('model_name') or 'unknown CPU'} (family {cpu.get('family')}; {flags})"
    if peak.get("status") != "ok":
        return ["", f"FMA peak (bench/fma_peak.c) on {host}: unavailable ({peak.get('reason')})."]
    cores = peak.get("cores", 1)
    lines = [
        "",
        f"FMA peak (bench/fma_peak.c, compiled here by {peak.get('compiler')}) on {host}: "
        f"float32 multiply-adds in independent register chains, best of {peak.get('trials')} "
        f"trials of {peak.get('trial_seconds')} s, flops over the threads' CPU time (wall-time "
        f"figures in brackets: lower when other processes share the cores); {peak['counting']}. "
        f"lstmkit's compiled loops run at **{peak.get('lstmkit_isa') or 'none (NumPy)'}**.",
        "",
        f"| ISA level | bits | GFLOP/s, one core | GFLOP/s, {cores} core(s) of this mode |",
        "|---|---|---|---|",
    ]
    for name, e in peak["levels"].items():
        if "gflops" in e:
            one = f"{e['gflops']:.1f} ({e['gflops_wall']:.1f})"
            allc = f"{e['gflops_all_cores']:.1f} ({e['gflops_all_cores_wall']:.1f})"
        else:
            one = allc = e.get("error") or "not supported by this CPU"
        lines.append(f"| {name} | {e['bits']} | {one} | {allc} |")
    ref = peak.get("reference", {})
    mine, wide = ref.get("lstmkit_isa"), ref.get("widest")
    reached = peak.get("reached", {})
    if reached:

        def head(r: dict[str, Any] | None, what: str) -> str:
            return f"% of {r['level']} peak ({what})" if r else f"% of peak ({what}: none)"

        own = head(mine, "lstmkit's level")
        lines += [
            "",
            f"| workload | MFLOP/sample | system | GFLOP/s | {own} "
            f"| {head(wide, 'widest on host')} |",
            "|---|---|---|---|---|---|",
        ]
        for wid, wr in reached.items():
            mf = f"{wr['flops_per_sample'] / 1e6:.1f}"
            for p, r in wr["peers"].items():
                lines.append(
                    f"| {wid} | {mf} | {p} | {r['gflops']:.1f} | "
                    f"{_pct(r['fraction_of_lstmkit_isa'])} | {_pct(r['fraction_of_widest'])} |"
                )
        lines += [
            "",
            "FLOPs counted as 2mnk per matrix product (bench/workloads.py): W4 (predict) the "
            "forward products only (input projection and recurrent product of every step and "
            "layer, the dense layer); W5 (training) each product forward plus the gradients of "
            "its input and of its weight. Elementwise gate work, the loss and Adam are not "
            "counted, so a fraction is a lower bound of the arithmetic done.",
        ]
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
        out += fma_peak_lines(mres)
    return "\n".join(out) + "\n"
