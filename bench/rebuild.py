#!/usr/bin/env python3
"""Rebuilding into the existing public/ after one supplier's feed changed by 1 %, the
build CI runs several times an hour, beside a build of the same site into a folder that
never existed, for two showroom binaries in the same run, alternating.

    python3 bench/rebuild.py SITE BINARY [BINARY ...] [--runs 5] [--bilingual]

SITE is a Showroom site folder (bench/compare.py leaves them under
/var/tmp/showroom-bench/<n>/showroom). It is copied once per binary; every run cuts the
price of another 1 % of the rows of the first supplier's feed, rebuilds into public/ and
times it, and (untimed) syncs. A build of a copy of the site, state included, into a
folder that never existed is timed every run too, as the peer. With --bilingual the repository's Chinese language block is added to
config.toml. Prints medians and the ratio rebuild / fresh for each binary.
"""

import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import time

DATE = "2026-11-23"


def timed(cmd):
    start = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr.decode()[-2000:]}")
    subprocess.run(["sync"])
    return took


def first_feed(site):
    feeds = os.path.join(site, "data", "feeds")
    supplier = sorted(os.listdir(feeds))[0]
    folder = os.path.join(feeds, supplier)
    return os.path.join(folder, sorted(os.listdir(folder))[0])


def cut_prices(feed, run):
    """Cuts the price of every 100th row, starting at row `run`, by 1 %."""
    with open(feed, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    price = header.index("price")
    for i in range(run % 100, len(body), 100):
        amount, _, currency = body[i][price].partition(" ")
        value = float(amount.replace(",", ""))
        body[i][price] = f"{value * 0.99:.0f} {currency}".strip()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header] + body)
    with open(feed, "w", encoding="utf-8") as f:
        f.write(out.getvalue())
    return len(range(run % 100, len(body), 100)), len(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bilingual", action="store_true")
    parser.add_argument("--work", default="/var/tmp/showroom-rebuild")
    args = parser.parse_args()

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shutil.rmtree(args.work, ignore_errors=True)
    sites = []
    for i, binary in enumerate(args.binaries):
        site = os.path.join(args.work, f"site-{i}")
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("public", ".public.*", ".showroom", "reports"))
        if args.bilingual:
            with open(os.path.join(repo, "config.toml"), encoding="utf-8") as f:
                config = f.read()
            block = config[config.index("[languages.zh]"):].split("\n\n")[0]
            with open(os.path.join(site, "config.toml"), "a", encoding="utf-8") as f:
                f.write("\n" + block + "\n")
        timed([binary, "build", "--root", site, "--date", DATE])
        sites.append(site)

    rebuild = [[] for _ in args.binaries]
    fresh = [[] for _ in args.binaries]
    for run in range(args.runs):
        for i, (binary, site) in enumerate(zip(args.binaries, sites)):
            changed, rows = cut_prices(first_feed(site), run)
            rebuild[i].append(timed([binary, "build", "--root", site, "--date", DATE]))
            # The peer: the same site, state included, built into a folder that never
            # existed, in a copy of its own so that it leaves this site's cache alone.
            copy = os.path.join(args.work, f"fresh-{i}-{run}")
            top = lambda folder, names: [n for n in names if folder == site and n in ("public", ".public.staging")]
            shutil.copytree(site, copy, ignore=top)
            shutil.rmtree(os.path.join(copy, ".showroom", "cache"), ignore_errors=True)
            fresh[i].append(timed([binary, "build", "--root", copy, "--date", DATE]))
            shutil.rmtree(copy)
            subprocess.run(["sync"])
        print(f"run {run + 1}: {changed} of {rows} rows changed", flush=True)

    print(f"\n{args.site} ({'bilingual' if args.bilingual else 'one language'}), "
          f"medians of {args.runs}:")
    print("| binary | rebuild into public/ | fresh build, new folder | rebuild / fresh |")
    print("|---|---|---|---|")
    for binary, r, f in zip(args.binaries, rebuild, fresh):
        r, f = statistics.median(r), statistics.median(f)
        print(f"| {binary} | {r:.2f} s | {f:.2f} s | {r / f:.2f} |")


if __name__ == "__main__":
    main()
