#!/usr/bin/env bash
# Load benchmark of the example provider: release build, embedded SQLite, loopback, wrk.
#
#   examples/provider/bench/load.sh            # the endpoint table (10 s per endpoint)
#   examples/provider/bench/load.sh --scale    # also /api/me at 10^3, 10^5, 10^6 live tokens
#                                              # and a hot set of 10^4 out of 10^6
#   examples/provider/bench/load.sh --soak     # also a 10-minute soak, RSS sampled
#   examples/provider/bench/load.sh --growth   # also every endpoint at 10^3 and 10^6 stored tokens
#   POSTGRES_URL=postgres://user@host:port/db examples/provider/bench/load.sh --postgres
#                                              # also two instances on PostgreSQL (the script
#                                              # drops and creates the database oauth_bench)
#   add --skip-table to run only --scale / --soak / --growth
#
# PROVIDER_BIN=path measures that binary instead of building this tree's.
# Needs wrk (Debian: apt-get install wrk) and python3. Results: target/bench/results.json,
# target/bench/report.md, SVG charts in docs/benchmarks/. Bounded: loopback only, fixed
# durations (DURATION seconds per run, default 10).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
HERE="$ROOT/examples/provider/bench"
OUT="$ROOT/target/bench"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-64}"
THREADS=2
SCALE=0; SOAK=0; GROWTH=0; POSTGRES=0; TABLE=1
for arg in "$@"; do
  case "$arg" in
    --scale) SCALE=1 ;;
    --soak) SOAK=1 ;;
    --growth) GROWTH=1 ;;
    --postgres) POSTGRES=1 ;;
    --skip-table) TABLE=0 ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

# PROVIDER_BIN: another build to measure (an older commit's, to compare back to back).
if [ -n "${PROVIDER_BIN:-}" ]; then
  BIN="$PROVIDER_BIN"
else
  cargo build --release -q -p provider
  BIN="$ROOT/target/release/provider"
fi
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
[ "$TABLE" = 1 ] && : > "$RESULTS"

SERVER_PID=""; SECOND_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  [ -n "$SECOND_PID" ] && kill "$SECOND_PID" 2>/dev/null
  true
}
trap cleanup EXIT
# free_port, RESOURCE, start_server, stop_server, seed, basic
source "$HERE/common.sh"

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

# run NAME SCRIPT PATH [ENV=VALUE...]: one wrk run, one JSON line in $RESULTS.
run() {
  local name="$1" script="$2" path="$3"; shift 3
  cat "$HERE/$script" "$HERE/result.lua" > "$OUT/$name.lua"
  local line
  line="$(env THREADS="$THREADS" "$@" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency \
    -s "$OUT/$name.lua" "http://127.0.0.1:$PORT$path" | grep '^RESULT ' | sed 's/^RESULT //')"
  local rss; rss="$(rss_kib)"
  echo "{\"name\": \"$name\", \"rss_kib\": $rss, \"result\": $line}" | tee -a "$RESULTS"
}

# run_both NAME SCRIPT PATH [ENV=VALUE...]: one wrk (1 thread, half the connections) against
# each of the two instances ($PORT, $PORT_B) at once, `@` in ENV replaced by `a` and `b` (each
# its own lines); one JSON line with the summed requests/s and the larger of the two p99s.
run_both() {
  local name="$1" script="$2" path="$3"; shift 3
  cat "$HERE/$script" "$HERE/result.lua" > "$OUT/$name.lua"
  local a="$OUT/$name.a" b="$OUT/$name.b"
  env THREADS=1 "${@//@/a}" wrk -t1 -c$((CONNS / 2)) -d"${DURATION}s" --latency -s "$OUT/$name.lua" \
    "http://127.0.0.1:$PORT$path" > "$a" &
  local first=$!
  env THREADS=1 "${@//@/b}" wrk -t1 -c$((CONNS / 2)) -d"${DURATION}s" --latency -s "$OUT/$name.lua" \
    "http://127.0.0.1:$PORT_B$path" > "$b"
  wait "$first"
  local line
  line="$(python3 - "$a" "$b" <<'PY'
import json, sys
runs = [json.loads(next(l for l in open(f) if l.startswith("RESULT "))[7:]) for f in sys.argv[1:]]
total = {k: sum(r[k] for r in runs) for k in ("requests", "rps", "non2xx", "socket_errors")}
total.update({k: max(r[k] for r in runs) for k in ("seconds", "p50_ms", "p99_ms", "max_ms")})
print(json.dumps(total))
PY
)"
  echo "{\"name\": \"$name\", \"rss_kib\": $(rss_kib), \"result\": $line}" | tee -a "$RESULTS"
}

# --- The endpoint table --------------------------------------------------------------------
WORK="$OUT/main"
if [ "$TABLE" = 1 ]; then
PER_RUN=$((DURATION * 25000))
echo "seeding $PER_RUN codes and refresh tokens..."
seed "$WORK" --tokens 1000 --codes "$PER_RUN" --refresh "$PER_RUN"
AUTH="$(basic "$WORK/seed/client.json")"
TOKEN="$(head -n 1 "$WORK/seed/tokens.txt")"
start_server "$WORK"
run ping get.lua /api/ping
run me get.lua /api/me LINES_FILE="$WORK/seed/tokens.txt"
run token_client_credentials post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=client_credentials&scope=profile"
run code_exchange post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=authorization_code&code={line}" LINES_FILE="$WORK/seed/codes.txt"
run refresh post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=refresh_token&refresh_token={line}" LINES_FILE="$WORK/seed/refresh.txt"
run introspection post.lua /oauth/introspect AUTH="$AUTH" BODY="token=$TOKEN"
stop_server
fi

# --- Scale: validation at 10^3, 10^5, 10^6 live tokens ------------------------------------
if [ "$SCALE" = 1 ]; then
  for n in 1000 100000 1000000; do
    echo "seeding $n tokens..."
    seed "$OUT/scale-$n" --tokens "$n"
    start_server "$OUT/scale-$n"
    run "me_at_$n" get.lua /api/me LINES_FILE="$OUT/scale-$n/seed/tokens.txt"
    if [ "$n" = 1000000 ]; then
      # A hot set: 10^4 of the 10^6 live tokens in use.
      head -n 10000 "$OUT/scale-$n/seed/tokens.txt" > "$OUT/scale-$n/seed/hot.txt"
      run "me_hot_at_$n" get.lua /api/me LINES_FILE="$OUT/scale-$n/seed/hot.txt"
    fi
    stop_server
  done
fi

# --- Cost growth: each endpoint at 10^3 and at 10^6 stored tokens ---------------------------
# Requests pick their token (validation, introspection), code and refresh token at random out
# of the seeded ones, so at 10^6 they touch the whole database, not a hot few.
if [ "$GROWTH" = 1 ]; then
  PER_RUN=$((DURATION * 25000))
  for n in 1000 1000000; do
    echo "seeding $n tokens, $PER_RUN codes and refresh tokens..."
    seed "$OUT/growth-$n" --tokens "$n" --codes "$PER_RUN" --refresh "$PER_RUN"
    DIR="$OUT/growth-$n/seed"
    AUTH="$(basic "$DIR/client.json")"
    start_server "$OUT/growth-$n"
    run "growth_validation_$n" get.lua /api/me LINES_FILE="$DIR/tokens.txt"
    run "growth_issuance_$n" post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=client_credentials&scope=profile"
    run "growth_exchange_$n" post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=authorization_code&code={line}" LINES_FILE="$DIR/codes.txt"
    run "growth_refresh_$n" post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=refresh_token&refresh_token={line}" LINES_FILE="$DIR/refresh.txt"
    run "growth_introspection_$n" post.lua /oauth/introspect AUTH="$AUTH" BODY="token={line}" LINES_FILE="$DIR/tokens.txt" REUSE=1
    stop_server
  done
fi

# --- PostgreSQL: two instances on one database, each behind half the connections ------------
if [ "$POSTGRES" = 1 ]; then
  [ -n "${POSTGRES_URL:-}" ] || { echo "--postgres needs POSTGRES_URL" >&2; exit 2; }
  command -v psql >/dev/null || { echo "--postgres needs psql" >&2; exit 1; }
  PG_BENCH="${POSTGRES_URL%/*}/oauth_bench"
  psql "$POSTGRES_URL" -qc "DROP DATABASE IF EXISTS oauth_bench" -c "CREATE DATABASE oauth_bench"
  echo "seeding PostgreSQL with 1000 tokens and $((DURATION * 25000)) refresh tokens..."
  SEED_URL="$PG_BENCH" seed "$OUT/pg" --tokens 1000 --refresh $((DURATION * 25000))
  AUTH="$(basic "$OUT/pg/seed/client.json")"
  # Each instance rotates its own refresh tokens (a token presented twice is a replay).
  awk 'NR % 2 == 1' "$OUT/pg/seed/refresh.txt" > "$OUT/pg/seed/refresh.a"
  awk 'NR % 2 == 0' "$OUT/pg/seed/refresh.txt" > "$OUT/pg/seed/refresh.b"
  start_server "$OUT/pg" "$PG_BENCH"; FIRST_PID="$SERVER_PID"; FIRST_PORT="$PORT"
  start_server "$OUT/pg" "$PG_BENCH"; SECOND_PID="$SERVER_PID"; PORT_B="$PORT"
  SERVER_PID="$FIRST_PID"; PORT="$FIRST_PORT"
  run_both pg_ping get.lua /api/ping
  run_both pg_me get.lua /api/me LINES_FILE="$OUT/pg/seed/tokens.txt"
  run_both pg_token_client_credentials post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=client_credentials&scope=profile"
  run_both pg_refresh post.lua /oauth/token AUTH="$AUTH" BODY="grant_type=refresh_token&refresh_token={line}" LINES_FILE="$OUT/pg/seed/refresh.@"
  kill "$SECOND_PID"; wait "$SECOND_PID" 2>/dev/null || true; SECOND_PID=""
  stop_server
fi

# --- Soak: 10 minutes of validation and issuance, RSS every 10 s ---------------------------
# SOAK_DIR: a seeded directory to soak on (e.g. target/bench/scale-1000000 after --scale, for
# 10^6 live tokens); by default the endpoint table's, seeded with 10^3 tokens if missing.
if [ "$SOAK" = 1 ]; then
  SOAK_WORK="${SOAK_DIR:-$WORK}"
  [ -d "$SOAK_WORK/seed" ] || seed "$SOAK_WORK" --tokens 1000
  AUTH="$(basic "$SOAK_WORK/seed/client.json")"
  start_server "$SOAK_WORK"
  : > "$OUT/soak.jsonl"
  cat "$HERE/post.lua" "$HERE/result.lua" > "$OUT/soak_token.lua"
  THREADS=1 AUTH="$AUTH" BODY="grant_type=client_credentials&scope=profile" \
    wrk -t1 -c16 -d600s -s "$OUT/soak_token.lua" "http://127.0.0.1:$PORT/oauth/token" >/dev/null &
  LOAD1=$!
  cat "$HERE/get.lua" "$HERE/result.lua" > "$OUT/soak_me.lua"
  LINES_FILE="$SOAK_WORK/seed/tokens.txt" wrk -t1 -c16 -d600s -s "$OUT/soak_me.lua" \
    "http://127.0.0.1:$PORT/api/me" >/dev/null &
  LOAD2=$!
  for t in $(seq 0 10 600); do
    echo "{\"t\": $t, \"rss_kib\": $(rss_kib)}" >> "$OUT/soak.jsonl"
    sleep 10
  done
  wait "$LOAD1" "$LOAD2" || true
  stop_server
fi

python3 "$HERE/report.py" "$OUT" "$ROOT/docs/benchmarks"
