#!/usr/bin/env python3
"""Summarises tests/bench/out/bringup/trials.tsv (written by bringup.sh) into
the markdown report and the gnuplot data file. Medians with min-max; the
overhead is vessel's median over the floor's median from the same run."""
import argparse
import csv
import statistics
from pathlib import Path


def fmt(xs):
    if not xs:
        return "–"
    return f"{statistics.median(xs):.1f} ({min(xs):.1f}–{max(xs):.1f})"


def fmt2(xs):
    if not xs:
        return "–"
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def col(rows, mode, size, key):
    return [float(r[key]) for r in rows if r["mode"] == mode and int(r["size"]) == size and r[key] != "NA"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--png-name", required=True)
    a = ap.parse_args()
    out = Path(a.out)
    with open(out / "trials.tsv") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    machine = (out / "machine.txt").read_text().strip().splitlines()
    sizes = sorted({int(r["size"]) for r in rows})
    ok = [r for r in rows if r["status"] == "ok"]

    dat = ["# size vessel_med vessel_min vessel_max floor_med floor_min floor_max"]
    lines = []
    for s in sizes:
        v, fl = col(ok, "vessel", s, "ready_s"), col(ok, "floor", s, "ready_s")
        ratio = f"{statistics.median(v) / statistics.median(fl):.2f}×" if v and fl else "–"
        verdict = "–"
        if v and fl:
            verdict = "met" if statistics.median(v) <= 1.10 * statistics.median(fl) else "**missed**"
            # When the two modes' ranges overlap, the run cannot tell them
            # apart: say so next to the median-based verdict.
            if max(v) >= min(fl) and max(fl) >= min(v):
                verdict += " (inconclusive: ranges overlap)"
        n_v = sum(1 for r in rows if r["mode"] == "vessel" and int(r["size"]) == s)
        n_f = sum(1 for r in rows if r["mode"] == "floor" and int(r["size"]) == s)
        lines.append(f"| {s} | {fmt(v)} | {fmt(fl)} | {ratio} | {verdict} | {len(v)}/{n_v} | {len(fl)}/{n_f} |")
        if v and fl:
            dat.append(f"{s} {statistics.median(v):.2f} {min(v):.2f} {max(v):.2f} "
                       f"{statistics.median(fl):.2f} {min(fl):.2f} {max(fl):.2f}")
    (out / "bringup.dat").write_text("\n".join(dat) + "\n")

    phases = []
    for s in sizes:
        for mode in ("vessel", "floor"):
            phases.append(f"| {s} | {mode} | {fmt(col(ok, mode, s, 'runs_s'))} | {fmt(col(ok, mode, s, 'hdfs_s'))} "
                          f"| {fmt(col(ok, mode, s, 'spark_s'))} | {fmt(col(ok, mode, s, 'ready_s'))} "
                          f"| {fmt2(col(ok, mode, s, 'pid1_cpu_s'))} | {fmt(col(ok, mode, s, 'all_cpu_s'))} |")

    raw = ["| trial | mode | workers | rep | ready s | status | load (1 min) at start | e2e containers running "
           "| PID 1 CPU s | all CPU s |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        raw.append(f"| {r['trial']} | {r['mode']} | {r['size']} | {r['rep']} | {r['ready_s']} | {r['status']} "
                   f"| {r['load1']} | {r['e2e_running']} | {r['pid1_cpu_s']} | {r['all_cpu_s']} |")

    notes_file = Path(__file__).parent / "bringup_notes.md"
    notes = notes_file.read_text().strip() if notes_file.exists() else "(none)"
    template = (Path(__file__).parent / "bringup_report.md.in").read_text()
    md = template.format(
        machine="\n".join(f"- {m}" for m in machine),
        summary="\n".join(lines),
        phases="\n".join(phases),
        raw="\n".join(raw),
        png=a.png_name,
        notes=notes,
    )
    Path(a.markdown).write_text(md)


if __name__ == "__main__":
    main()
