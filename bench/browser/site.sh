#!/bin/sh
# Builds the example site, in both its languages, with N generated cars (default
# 100 000), for search.mjs and lighthouse.mjs:
#
#   bench/browser/site.sh [N] [WORK] [OUT]     (prints the output folder)
#
# The cars come from ../shared/bench/gen_feeds.py (the same cars bench/compare.py
# uses, kept in WORK/<N>/feeds between runs); the site is the repository's own
# config, content, data and theme laid over them, built with target/release/showroom.
set -eu
N=${1:-100000}
WORK=${2:-/var/tmp/showroom-bench/search}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "$REPO/.." && pwd)/shared/bench
BASE="$WORK/$N"
SITE="$BASE/site"
# A folder that never existed builds fastest (see "ext4" above in BENCHMARKS.md).
OUT=${3:-$BASE/public}
mkdir -p "$BASE"
if [ ! -f "$BASE/generated" ]; then
  rm -rf "$BASE/data"
  mkdir -p "$BASE/data"
  python3 "$SHARED/gen_feeds.py" "$N" "$BASE/data" >/dev/null
  touch "$BASE/generated"
fi
rm -rf "$SITE"
mkdir -p "$SITE/data"
for part in config.toml content themes static templates; do
  [ -e "$REPO/$part" ] && cp -r "$REPO/$part" "$SITE/$part"
done
for f in "$REPO"/data/*; do
  case $(basename "$f") in feeds | suppliers.toml) ;; *) cp -r "$f" "$SITE/data/" ;; esac
done
ln -s "$BASE/data/feeds" "$SITE/data/feeds"
cp "$BASE/data/suppliers.toml" "$SITE/data/suppliers.toml"
"$REPO/target/release/showroom" build --root "$SITE" --date 2026-11-23 --output "$OUT" >&2
echo "$OUT"
