#!/usr/bin/env bash
# Load benchmark of the example provider: release build, embedded SQLite, loopback, wrk.
#
#   examples/provider/bench/load.sh            # the endpoint table (10 s per endpoint)
#   examples/provider/bench/load.sh --scale    # also /api/me at 10^3, 10^5, 10^6 live tokens
#                                              # and a hot set of 10^4 out of 10^6
#   examples/provider/bench/load.sh --soak     # also a 10-minute soak, RSS sampled
#   examples/provider/bench/load.sh --growth   # also every endpoint at 10^3 and 10^6 stored tokens
#   add --skip-table to run only --scale / --soak / --growth
#
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
SCALE=0; SOAK=0; GROWTH=0; TABLE=1
for arg in "$@"; do
  case "$arg" in
    --scale) SCALE=1 ;;
    --soak) SOAK=1 ;;
    --growth) GROWTH=1 ;;
    --skip-table) TABLE=0 ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

cargo build --release -q -p provider
BIN="$ROOT/target/release/provider"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
[ "$TABLE" = 1 ] && : > "$RESULTS"

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The provider's API identifier (RFC 8707 `resource`; by default `{issuer}/api`, which depends on
# the port): fixed here so that the seeded tokens can be for it.
RESOURCE="http://127.0.0.1/bench-api"

# start_server DIR: serves DIR's database on a free port; sets PORT and SERVER_PID.
start_server() {
  PORT="$(free_port)"
  (cd "$1" && ROCKET_LOG_LEVEL=off DATABASE_URL= ROCKET_OAUTH2_RESOURCE="$RESOURCE" \
    exec "$BIN" serve --port "$PORT" >/dev/null 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$PORT/api/ping" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server did not start" >&2; exit 1
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

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

seed() { # seed DIR ARGS...: a fresh database in DIR
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && DATABASE_URL= "$BIN" bench-seed --out "$dir/seed" --audience "$RESOURCE" "$@")
}

basic() { python3 -c "import base64,json,sys; c=json.load(open('$1')); print('Basic ' + base64.b64encode((c['client_id']+':'+c['client_secret']).encode()).decode())"; }

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

# --- Soak: 10 minutes of validation and issuance, RSS every 10 s ---------------------------
if [ "$SOAK" = 1 ]; then
  [ -d "$WORK/seed" ] || seed "$WORK" --tokens 1000
  AUTH="$(basic "$WORK/seed/client.json")"
  start_server "$WORK"
  : > "$OUT/soak.jsonl"
  cat "$HERE/post.lua" "$HERE/result.lua" > "$OUT/soak_token.lua"
  THREADS=1 AUTH="$AUTH" BODY="grant_type=client_credentials&scope=profile" \
    wrk -t1 -c16 -d600s -s "$OUT/soak_token.lua" "http://127.0.0.1:$PORT/oauth/token" >/dev/null &
  LOAD1=$!
  cat "$HERE/get.lua" "$HERE/result.lua" > "$OUT/soak_me.lua"
  LINES_FILE="$WORK/seed/tokens.txt" wrk -t1 -c16 -d600s -s "$OUT/soak_me.lua" \
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
