#!/usr/bin/env bash
# Pages under load, as boj ships: wrk (2 threads, 64 connections, 10 s a route) against `boj demo`
# dated 2026-11-26 (its sample data, SQLite), each route with the bearer token of a user who may
# read it. The yardstick is a route of the same server in the same run that does no work of its
# own: a static file (`/static/intake.js`, no session, no database), through the same middleware.
# Usage:
#   perf/last.sh [path to the boj binary]   (default: the release build in the cargo target dir)
# Prints a Markdown table: requests/s and p99 latency per route, and the p99 ratio to the yardstick.
set -euo pipefail
BOJ="${1:-${CARGO_TARGET_DIR:-$HOME/.cache/boj/target}/release/boj}"
command -v wrk >/dev/null || { echo "wrk is needed (Debian: apt-get install wrk)" >&2; exit 1; }
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$BOJ" demo --listen 127.0.0.1:0 --today 2026-11-26 --data "$dir/demo" >"$dir/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 300); do grep -q kommun-2380 "$dir/out" 2>/dev/null && break; sleep 0.2; done
url="$(head -n1 "$dir/out")"
url="${url%/}"
token() { "$BOJ" token create --data "$dir/demo" --user "$1" 2>/dev/null | tail -n1; }
sam="$(token samordnare)"
forbund="$(token forbund)"
agreement="$(curl -s -H "Authorization: Bearer $forbund" "$url/api/v1/agreements" | grep -o '"id":"a_[0-9a-f]*"' | head -n1 | cut -d'"' -f4)"
run() { # label path token
  local auth=()
  [ -n "$3" ] && auth=(-H "Authorization: Bearer $3")
  curl -sf "${auth[@]}" -o /dev/null "$url$2" || { echo "$2 does not answer 200" >&2; exit 1; }
  wrk -t2 -c64 -d10s --latency "${auth[@]}" "$url$2" >"$dir/wrk"
  local rps p99
  rps="$(awk '/Requests\/sec/ {print $2}' "$dir/wrk")"
  p99="$(awk '$1 == "99%" {print $2}' "$dir/wrk")"
  echo "$1|$2|$rps|$p99"
}
ms() { # wrk's latency (e.g. 812.00us, 3.21ms, 1.02s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
rows=()
rows+=("$(run "yardstick: a static file" /static/intake.js "")")
rows+=("$(run "agreements (county strategist)" /api/v1/agreements "$forbund")")
rows+=("$(run "report list (coordinator)" "/api/v1/reports?agreement_id=$agreement" "$sam")")
rows+=("$(run "case list (coordinator)" /api/v1/cases "$sam")")
base="$(ms "$(echo "${rows[0]}" | cut -d'|' -f4)")"
printf '| Route | Requests/s | p99 | p99 ÷ yardstick |\n|---|---|---|---|\n'
for r in "${rows[@]}"; do
  IFS='|' read -r label path rps p99 <<<"$r"
  printf '| %s `%s` | %s | %s ms | %s |\n' "$label" "${path%%\?*}" "$rps" "$(ms "$p99")" \
    "$(awk -v a="$(ms "$p99")" -v b="$base" 'BEGIN { printf "%.1f", a / b }')"
done
echo
echo "$(nproc) cores, $(date -u +%F)"
