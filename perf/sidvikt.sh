#!/usr/bin/env bash
# Page weights as a reader on a slow line receives them: the demo's newest issued report page, as a
# municipal official signs in and opens it, uncompressed and with brotli and gzip. Usage:
#   perf/sidvikt.sh [path to the boj binary]   (default: the debug build in the cargo target dir)
set -euo pipefail
BOJ="${1:-${CARGO_TARGET_DIR:-$HOME/.cache/boj/target}/debug/boj}"
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$BOJ" demo --listen 127.0.0.1:0 --today 2026-11-26 --data "$dir/demo" >"$dir/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 300); do grep -q kommun-2380 "$dir/out" 2>/dev/null && break; sleep 0.2; done
url="$(head -n1 "$dir/out")"
password="$(sed -n 's/.*lösenord för alla: \(.*\)):/\1/p' "$dir/out")"
jar="$dir/jar"
curl -s -c "$jar" -o /dev/null --data-urlencode "name=kommun-2303" --data-urlencode "password=$password" "${url}logga-in"
# The newest report of the first agreement the official reads.
agreement="$(curl -s -b "$jar" "${url}" | grep -o '/avtal/a_[0-9a-f]*/rapporter' | head -n1)"
report="$(curl -s -b "$jar" "${url%/}$agreement" | grep -o '/rapporter/r_[0-9a-f]*' | head -n1)"
printf '| Page | Uncompressed | brotli | gzip |\n|---|---|---|---|\n'
for page in "$report" /static/boj.css; do
  plain=$(curl -s -b "$jar" "${url%/}$page" | wc -c)
  br=$(curl -s -b "$jar" -H 'Accept-Encoding: br' "${url%/}$page" | wc -c)
  gz=$(curl -s -b "$jar" -H 'Accept-Encoding: gzip' "${url%/}$page" | wc -c)
  printf '| `%s` | %s B | %s B | %s B |\n' "${page/r_*/r_…}" "$plain" "$br" "$gz"
done
