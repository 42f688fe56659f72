#!/usr/bin/env bash
# Write endpoints of several provider builds, back to back, each on a database it seeds the same
# way (10^3 tokens, DURATION*25000 codes and refresh tokens): client credentials, code exchange,
# refresh.
#
#   examples/provider/bench/writes.sh /abs/path/provider-a /abs/path/provider-b ...
#
# Each line printed: build, endpoint, and wrk's result (requests/s, p50, p99, max). Needs wrk
# and python3; each build seeds its own database. DURATION seconds per run (default 10), CONNS (64).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
HERE="$ROOT/examples/provider/bench"
OUT="$ROOT/target/bench/writes"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-64}"
[ $# -ge 1 ] || { echo "usage: $0 BUILD..." >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; true' EXIT
# free_port, RESOURCE, start_server, stop_server, seed, basic
source "$HERE/common.sh"

# Codes live two minutes: each build seeds right before its runs.
rm -rf "$OUT"; mkdir -p "$OUT"
cat "$HERE/post.lua" "$HERE/result.lua" > "$OUT/post.lua"
for BIN in "$@"; do
  name="$(basename "$BIN")"
  dir="$OUT/$name"
  seed "$dir" --tokens 1000 --codes $((DURATION * 25000)) --refresh $((DURATION * 25000)) >/dev/null
  auth="$(basic "$dir/seed/client.json")"
  start_server "$dir"
  for spec in "client_credentials|grant_type=client_credentials&scope=profile|" \
              "exchange|grant_type=authorization_code&code={line}|$dir/seed/codes.txt" \
              "refresh|grant_type=refresh_token&refresh_token={line}|$dir/seed/refresh.txt"; do
    IFS='|' read -r endpoint body lines <<<"$spec"
    result="$(env THREADS=2 AUTH="$auth" BODY="$body" ${lines:+LINES_FILE="$lines"} \
      wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$OUT/post.lua" "http://127.0.0.1:$PORT/oauth/token" \
      | grep '^RESULT ' | sed 's/^RESULT //')"
    echo "$name $endpoint $result"
  done
  stop_server
done
