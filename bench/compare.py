#!/usr/bin/env python3
"""Time `showroom build` against `hugo` on the same synthetic cars.

Usage:
    python3 bench/compare.py [N ...] [--runs 3] [--work /tmp/showroom-bench]

For each N, writes the cars with ../shared/bench (gen_site.py for Hugo, gen_feeds.py for
Showroom, same seed), lays the feeds over a copy of the example site, then builds each
site `--runs` times, alternating Hugo and Showroom so both see the same machine load.
Reports medians of wall time, peak memory (from wait4), pages per second, the ratio, and
Showroom's rebuild with nothing changed. Prints a Markdown table for BENCHMARKS.md.
Needs `hugo` (Debian package) and the benchmark build (`cargo build --profile dist`).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "bench")
SHOWROOM = os.path.join(REPO, "target", "dist", "showroom")
# How long to wait after deleting earlier outputs. ext4 without a journal (as on the
# machines here) avoids reusing recently freed inodes; when most free inodes near a
# folder were freed recently, every file created there pays a long search. Measured: a
# 10 000-car build took 3.4 s four minutes after a 20 GB deletion nearby, 1.4 s seven
# minutes after.
SETTLE_SECONDS = 420
# Copied from the repository on every run, so a benchmark always sees the current theme.
SITE_PARTS = ["config.toml", "content", "themes", "static", "templates"]


def run(cmd):
    """Runs cmd; returns (seconds, peak RSS in MiB)."""
    # stderr to a file, not a pipe: thousands of warnings would fill a pipe and stall.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        # Written pages still in memory are flushed now, untimed, so that this build's
        # writeback does not land in the next build's time.
        os.sync()
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            err = errors.read().decode(errors="replace")
            sys.exit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def count_pages(folder):
    return sum(1 for _, _, files in os.walk(folder) for f in files if f.endswith(".html"))


def prepare(n, work):
    """The Hugo site and the Showroom site for n cars. Generated cars are kept between
    runs (generating is deterministic), so a rerun deletes nothing but a few theme files."""
    base = os.path.join(work, str(n))
    site = os.path.join(base, "showroom")
    stamp = os.path.join(base, "generated")
    if not os.path.exists(stamp):
        if os.path.isdir(base):
            shutil.rmtree(base)
        os.makedirs(base)
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_site.py"), str(n), base,
                        "--rec", "frontmatter", "--only", "hugo"], check=True,
                       stdout=subprocess.DEVNULL)
        data = os.path.join(site, "data")
        os.makedirs(data)
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_feeds.py"), str(n), data],
                       check=True, stdout=subprocess.DEVNULL)
        open(stamp, "w").close()
    # The example's other data (cookie declarations); its feeds and registry are replaced.
    for name in os.listdir(os.path.join(REPO, "data")):
        if name not in ("feeds", "suppliers.toml"):
            shutil.copy(os.path.join(REPO, "data", name), os.path.join(site, "data", name))
    for part in SITE_PARTS:
        src, dst = os.path.join(REPO, part), os.path.join(site, part)
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        elif os.path.isfile(src):
            shutil.copy(src, dst)
    # One language, like the Hugo site: extra languages would multiply Showroom's pages.
    config = os.path.join(site, "config.toml")
    with open(config, encoding="utf-8") as fh:
        text = fh.read()
    dropped = re.findall(r"(?m)^\[languages\.([^\]]+)\]", text)
    text = re.sub(r"(?ms)^\[languages\.[^\]]+\].*?(?=^\[|\Z)", "", text)
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text)
    # Their translations too: a page in an unconfigured language is an error.
    for folder, _, files in os.walk(os.path.join(site, "content")):
        for name in files:
            if any(name.endswith(f".{code}.md") for code in dropped):
                os.remove(os.path.join(folder, name))
    return base, site


def remove_old_outputs(work):
    """Removes the outputs an earlier run left, then waits for ext4 to reuse their inodes
    freely (see SETTLE_SECONDS). Outputs are only ever removed here, before any build."""
    old = [os.path.join(work, n, "outputs") for n in os.listdir(work)] if os.path.isdir(work) else []
    old = [path for path in old if os.path.exists(path)]
    for path in old:
        shutil.rmtree(path)
    if old:
        os.sync()
        print(f"Removed {len(old)} earlier output folders; waiting {SETTLE_SECONDS} s before"
              " building.", file=sys.stderr, flush=True)
        time.sleep(SETTLE_SECONDS)


def bench(n, runs, prepared):
    base, site = prepared
    hugo_src = os.path.join(base, "hugo")
    outputs = os.path.join(base, "outputs")
    hugo, ours, rebuild = [], [], []
    for i in range(runs):
        # Every build writes into a folder that never existed: nothing was just deleted.
        hugo_out = os.path.join(outputs, f"hugo-{i}")
        ours_out = os.path.join(outputs, f"showroom-{i}")
        hugo.append(run(["hugo", "--quiet", "-s", hugo_src, "-d", hugo_out]))
        shutil.rmtree(os.path.join(site, ".showroom"), ignore_errors=True)
        cmd = [SHOWROOM, "build", "--root", site, "--date", "2026-11-23", "--output", ours_out]
        ours.append(run(cmd))
        rebuild.append(run(cmd))
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    row = {
        "n": n,
        "hugo_s": med(hugo, 0), "hugo_mib": med(hugo, 1), "hugo_pages": count_pages(hugo_out),
        "ours_s": med(ours, 0), "ours_mib": med(ours, 1), "ours_pages": count_pages(ours_out),
        "rebuild_s": med(rebuild, 0),
    }
    row["ratio"] = row["hugo_s"] / row["ours_s"]
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, nargs="*", default=[1000, 10000, 100000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/showroom-bench")
    a = ap.parse_args()
    if not os.path.exists(SHOWROOM):
        sys.exit("build first: cargo build --profile dist")
    # Sites first: generating writes many files but deletes none.
    sites = {n: prepare(n, a.work) for n in a.n}
    remove_old_outputs(a.work)
    print("| cars | Hugo | Hugo peak | Hugo pages/s | Showroom | Showroom peak | Showroom pages/s"
          " | speed-up | rebuild, nothing changed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in a.n:
        r = bench(n, a.runs, sites[n])
        print(f"| {n:,} | {r['hugo_s']:.2f} s | {r['hugo_mib']:.0f} MiB | "
              f"{r['hugo_pages'] / r['hugo_s']:,.0f} ({r['hugo_pages']:,} pages) | "
              f"{r['ours_s']:.2f} s | {r['ours_mib']:.0f} MiB | "
              f"{r['ours_pages'] / r['ours_s']:,.0f} ({r['ours_pages']:,} pages) | "
              f"{r['ratio']:.1f}× | {r['rebuild_s']:.2f} s ({r['rebuild_s'] / r['ours_s']:.0%}) |",
              flush=True)
    print(f"\nOutputs are kept in {a.work}/*/outputs; the next run removes them first.",
          file=sys.stderr)


if __name__ == "__main__":
    main()
