#!/usr/bin/env bash
# Write endpoints of several provider builds, back to back, each on a database it seeds the same
# way (10^3 tokens, DURATION*25000 codes and refresh tokens): client credentials, code exchange,
# refresh.
#
#   examples/provider/bench/writes.sh /abs/path/provider-a /abs/path/provider-b ...
#
# Each line printed: build, endpoint, and wrk's result (requests/s, p50, p99, max). Needs wrk
# and python3; seeds with the first build. DURATION seconds per run (default 10), CONNS (64).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
HERE="$ROOT/examples/provider/bench"
OUT="$ROOT/target/bench/writes"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-64}"
RESOURCE="http://127.0.0.1/bench-api"
[ $# -ge 1 ] || { echo "usage: $0 BUILD..." >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; true' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Codes live two minutes: each build seeds right before its runs.
rm -rf "$OUT"; mkdir -p "$OUT"
cat "$HERE/post.lua" "$HERE/result.lua" > "$OUT/post.lua"
for bin in "$@"; do
  name="$(basename "$bin")"
  dir="$OUT/$name"; mkdir -p "$dir"
  (cd "$dir" && "$bin" bench-seed --out "$dir/seed" --audience "$RESOURCE" --tokens 1000 \
    --codes $((DURATION * 25000)) --refresh $((DURATION * 25000)) >/dev/null)
  auth="$(python3 -c "import base64,json; c=json.load(open('$dir/seed/client.json')); print('Basic ' + base64.b64encode((c['client_id']+':'+c['client_secret']).encode()).decode())")"
  port="$(free_port)"
  (cd "$dir" && ROCKET_LOG_LEVEL=off ROCKET_OAUTH2_RESOURCE="$RESOURCE" exec "$bin" serve --port "$port" >/dev/null 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/api/ping" >/dev/null 2>&1 && break; sleep 0.05; done
  for spec in "client_credentials|grant_type=client_credentials&scope=profile|" \
              "exchange|grant_type=authorization_code&code={line}|$dir/seed/codes.txt" \
              "refresh|grant_type=refresh_token&refresh_token={line}|$dir/seed/refresh.txt"; do
    IFS='|' read -r endpoint body lines <<<"$spec"
    result="$(env THREADS=2 AUTH="$auth" BODY="$body" ${lines:+LINES_FILE="$lines"} \
      wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$OUT/post.lua" "http://127.0.0.1:$port/oauth/token" \
      | grep '^RESULT ' | sed 's/^RESULT //')"
    echo "$name $endpoint $result"
  done
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
done
