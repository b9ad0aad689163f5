#!/usr/bin/env python3
"""Time `showroom deploy` at N cars with 1 % of the prices changed, beside a full upload.

Usage:
    python3 bench/deploy.py [N] [--work /var/tmp/showroom-deploy-bench] [--showroom BIN]
                            [--rounds R] [--reuse]

Writes N cars with ../shared/bench/gen_feeds.py (same seed as bench/compare.py), lays them
over a copy of the example site in one language (as bench/compare.py does), builds it
twice with BIN (default target/release/showroom): `out-a` as generated, `out-b` with
every hundredth car's price raised by 100 (`--reuse` keeps outputs already built). Then
runs `cargo bench --bench deploy`, which starts an S3-compatible server (s3s-fs, as the
tests do) on 127.0.0.1 and, R times (default 3), each time from an empty bucket, deploys
with the library:

  1. out-a into the empty bucket: the plain full upload;
  2. out-b over it: the delta against the remote manifest;
  3. out-b again with nothing changed;
  4. (in the last round only: s3s-fs walks its whole folder for each page of a listing)
     out-a over out-b, with the remote manifest removed first: the delta found by
     listing the bucket and looking (HEAD) at same-size objects;

and prints a Markdown table (requests by method, files and bytes uploaded, median
seconds) for BENCHMARKS.md. The bucket is a folder under TMPDIR: a 100 000-car bucket
takes about 3.2 GB (s3s-fs keeps two small files beside each object), so TMPDIR=/dev/shm
keeps a busy disk out of the figures.
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "bench")
SITE_PARTS = ["config.toml", "content", "themes", "static", "templates"]
DATE = "2026-11-23"


def prepare(n, work):
    site = os.path.join(work, str(n), "site")
    data = os.path.join(site, "data")
    if not os.path.exists(os.path.join(work, str(n), "generated")):
        shutil.rmtree(os.path.join(work, str(n)), ignore_errors=True)
        os.makedirs(data)
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_feeds.py"), str(n), data],
                       check=True, stdout=subprocess.DEVNULL)
        open(os.path.join(work, str(n), "generated"), "w").close()
    for name in os.listdir(os.path.join(REPO, "data")):
        if name not in ("feeds", "suppliers.toml"):
            shutil.copy(os.path.join(REPO, "data", name), os.path.join(data, name))
    for part in SITE_PARTS:
        src, dst = os.path.join(REPO, part), os.path.join(site, part)
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        elif os.path.isfile(src):
            shutil.copy(src, dst)
    config = os.path.join(site, "config.toml")
    with open(config, encoding="utf-8") as fh:
        text = fh.read()
    dropped = re.findall(r"(?m)^\[languages\.([^\]]+)\]", text)
    text = re.sub(r"(?ms)^\[languages\.[^\]]+\].*?(?=^\[|\Z)", "", text)
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text)
    for folder, _, files in os.walk(os.path.join(site, "content")):
        for name in files:
            if any(name.endswith(f".{code}.md") for code in dropped):
                os.remove(os.path.join(folder, name))
    return site


def change_prices(feeds, every=100):
    """Raises the price of every `every`-th car of each feed by 100; returns how many."""
    changed = 0
    for supplier in sorted(os.listdir(feeds)):
        path = os.path.join(feeds, supplier, "inventory.csv")
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        col = rows[0].index("price")
        for i, row in enumerate(rows[1:]):
            if i % every == 0:
                amount, currency = row[col].rsplit(" ", 1)
                row[col] = f"{int(float(amount.replace(',', ''))) + 100} {currency}"
                changed += 1
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    return changed


def build(showroom, site, out):
    shutil.rmtree(os.path.join(site, ".showroom"), ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([showroom, "build", "--root", site, "--date", DATE, "--output", out],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--work", default="/var/tmp/showroom-deploy-bench")
    parser.add_argument("--showroom")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    showroom = args.showroom or next(
        (p for p in (os.path.join(REPO, "target", "release", "showroom"),) if os.path.exists(p)),
        None)
    if showroom is None:
        sys.exit("build showroom first: cargo build --release")
    site = prepare(args.n, args.work)
    base = os.path.dirname(site)
    out_a, out_b = os.path.join(base, "out-a"), os.path.join(base, "out-b")
    feeds = os.path.join(site, "data", "feeds")
    pristine = os.path.join(base, "feeds-pristine")
    if not os.path.isdir(pristine):
        shutil.copytree(feeds, pristine)
    built = all(os.path.exists(os.path.join(o, "manifest.json")) for o in (out_a, out_b))
    if not (args.reuse and built):
        shutil.rmtree(feeds)
        shutil.copytree(pristine, feeds)
        build(showroom, site, out_a)
        changed = change_prices(feeds)
        build(showroom, site, out_b)
        print(f"{args.n} cars, {changed} prices changed; outputs in {out_a} and {out_b}",
              file=sys.stderr)
    env = dict(os.environ, SHOWROOM_DEPLOY_BENCH=f"{out_a}:{out_b}",
               SHOWROOM_DEPLOY_BENCH_ROUNDS=str(args.rounds))
    subprocess.run(["cargo", "bench", "--bench", "deploy"], cwd=REPO, env=env, check=True)


if __name__ == "__main__":
    main()
