#!/usr/bin/env bash
# Runs `boj demo` dated TODAY on a free port and drives it with browser/smoke.mjs in Debian's
# Chromium (every role's main path, axe-core on every page). Used by .ci/run; run it yourself after
# `cd browser && npm ci`:
#   browser/demo-smoke.sh 2026-11-26               # the first year: intake, Q3, municipal readers
#   browser/demo-smoke.sh 2027-01-20 nasta-ar      # the next year: Q4, H2, the year, a correction
#   BOJ_SKARMBILDER=skarmbilder browser/demo-smoke.sh 2026-11-26   # and a screenshot of every page
# The boj binary is the debug build in CARGO_TARGET_DIR (or BOJ=path).
set -euo pipefail
cd "$(dirname "$0")/.."
today="$1"
mode="${2:-}"
BOJ="${BOJ:-${CARGO_TARGET_DIR:-target}/debug/boj}"
dir="$(mktemp -d)"
out="$dir/out"
"$BOJ" demo --listen 127.0.0.1:0 --today "$today" --data "$dir/demo" >"$out" 2>"$dir/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do
  [ -s "$out" ] && grep -q 'kommun-2380' "$out" && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/err"; exit 1; }
  sleep 0.2
done
url="$(head -n1 "$out")"
password="$(sed -n 's/.*lösenord för alla: \(.*\)):/\1/p' "$out")"
# The second-factor keys the demo prints: "name=KEY;name=KEY".
keys="$(sed -n 's/^ *\([a-z0-9-]*\) .*andra steget: nyckel \([A-Z2-7]*\).*/\1=\2/p' "$out" | paste -sd';')"
BOJ_DEMO_NYCKLAR="$keys" timeout 5m node browser/smoke.mjs "$url" "$password" $mode
