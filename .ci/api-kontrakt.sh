#!/usr/bin/env bash
# The API contract against a running demo (issue 17): schemathesis (pinned, from PyPI, in a
# throwaway virtual environment) generates requests from `/api/openapi.json` for each role's token,
# with every check, a fixed seed and a bounded number of examples per operation. Fails on any 5xx,
# any response that breaks the documented schema, any undocumented status.
#
# First it checks itself: a run against the document with one response schema made false (a
# mutation) must fail, or the harness proves nothing. (First, because the admin's run may disable
# accounts, its own included.)
#
# Usage: .ci/api-kontrakt.sh [path to the boj binary]   (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
BOJ="${1:-${CARGO_TARGET_DIR:-$HOME/.cache/boj/target}/debug/boj}"
EXEMPEL="${BOJ_KONTRAKT_EXEMPEL:-12}"
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT

venv="${BOJ_KONTRAKT_VENV:-$HOME/.cache/boj/schemathesis-4.32.5}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  timeout 5m "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5"
fi
st="$venv/bin/schemathesis"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$BOJ" demo --listen "127.0.0.1:$port" --today 2026-11-26 --data "$dir/demo" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 1 300); do grep -q kommun-2380 "$dir/out" 2>/dev/null && break; sleep 0.2; done
url="http://127.0.0.1:$port"
curl -sf "$url/api/openapi.json" -o "$dir/openapi.json"

run() { # role schema [extra args]
  local role="$1" schema="$2"; shift 2
  local token
  token="$("$BOJ" token create --data "$dir/demo" --user "$role" 2>/dev/null | tail -n1)"
  timeout 10m "$st" --config-file .ci/schemathesis.toml run "$schema" --url "$url" \
    --checks all --max-examples "$EXEMPEL" --seed 20261205 --generation-database none \
    --no-color --output-truncate true --suppress-health-check all --workers 1 \
    -H "Authorization: Bearer $token" "$@"
}

# The harness catches a contract broken on purpose: the health check's `status` documented as a
# number.
echo "== schemathesis against a deliberately false document (must fail)"
python3 - "$dir/openapi.json" "$dir/falsk.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["components"]["schemas"]["Health"]["properties"]["status"] = {"type": "integer"}
json.dump(d, open(sys.argv[2], "w"))
PY
if run admin "$dir/falsk.json" --include-path /api/v1/health >"$dir/st-falsk" 2>&1; then
  echo "schemathesis passed a document that is false: the contract check proves nothing" >&2
  exit 1
fi
grep -q "Response violates schema" "$dir/st-falsk" || { tail -n 40 "$dir/st-falsk"; echo "the false document failed for another reason" >&2; exit 1; }
echo "caught, as it should be"

status=0
for role in samordnare stodperson1 forbund kommun-2380 admin; do
  echo "== schemathesis as $role"
  if ! run "$role" "$dir/openapi.json" >"$dir/st-$role" 2>&1; then
    sed -n '/= FAILURES =/,/= WARNINGS =/p' "$dir/st-$role" | head -n 400
    sed -n '/= SUMMARY =/,$p' "$dir/st-$role"
    status=1
  else
    grep -E "passed|failures|Test cases" "$dir/st-$role" | tail -n 3
  fi
done
[ "$status" = 0 ] || { echo "schemathesis found failures" >&2; exit 1; }

