#!/usr/bin/env bash
# Load benchmark of resource-server mode: the notes API (examples/resource-server) in front of
# the example provider, release builds, loopback, wrk (the provider's wrk scripts).
#
#   examples/resource-server/bench/load.sh
#
# Runs (DURATION seconds each, default 10):
#   health            GET /api/health, unprotected, no token
#   public_jwt        GET /api/notes/public, the unprotected twin of /api/notes (same answer,
#                     same request: the JWT is sent and ignored): the baseline
#   notes_jwt         GET /api/notes with one JWT access token (validated once, then remembered)
#   notes_jwt_many    the same with TOKENS different JWTs, picked at random
#   notes_jwt_cold    those JWTs with cache_capacity = 1: nearly every request verifies a signature
#   public_opaque     the twin with the opaque token sent
#   notes_opaque      GET /api/notes with an opaque token, introspected (answer reused 30 s)
# TOKENS (default 1000) sets how many JWTs the provider mints first (password grant: slow).
# Results: target/bench/resource_server.jsonl.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
LUA="$ROOT/examples/provider/bench"
OUT="$ROOT/target/bench"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-64}"
THREADS=2
AUDIENCE="http://notes.bench"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

cargo build --release -q -p provider -p resource-server
PROVIDER="$ROOT/target/release/provider"
NOTES="$ROOT/target/release/resource-server"
mkdir -p "$OUT"
RESULTS="$OUT/resource_server.jsonl"
: > "$RESULTS"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "$1 did not answer" >&2; exit 1; }

# provider DIR [ENV=VALUE...]: starts a provider on DIR's database; sets PROVIDER_URL.
provider() {
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  local port; port="$(free_port)"
  # The notes API's identifier is a resource the provider issues tokens for (RFC 8707): the
  # tokens below ask for it with `resource`.
  (cd "$dir" && env ROCKET_LOG_LEVEL=off DATABASE_URL= ROCKET_OAUTH2_RESOURCES="[\"$AUDIENCE\"]" "$@" \
    "$PROVIDER" serve --port "$port" >/dev/null 2>&1) &
  PIDS+=($!)
  PROVIDER_URL="http://127.0.0.1:$port"
  wait_for "$PROVIDER_URL/api/ping"
  (cd "$dir" && DATABASE_URL= "$PROVIDER" demo > demo.json 2>/dev/null)
}

# notes ISSUER [ENV=VALUE...]: starts the notes API; sets NOTES_URL and NOTES_PID.
notes() {
  local issuer="$1"; shift
  local port; port="$(free_port)"
  # Built together with the provider, Rocket has its `secrets` feature, which a release build
  # will not run without a key (the notes API itself keeps no secrets).
  env ROCKET_SECRET_KEY="$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')" \
    ROCKET_PORT="$port" ROCKET_LOG_LEVEL=off ROCKET_OAUTH2_RESOURCE_SERVER_ISSUER="$issuer" \
    ROCKET_OAUTH2_RESOURCE_SERVER_AUDIENCE="$AUDIENCE" "$@" "$NOTES" >/dev/null 2>&1 &
  NOTES_PID=$!
  PIDS+=("$NOTES_PID")
  NOTES_URL="http://127.0.0.1:$port"
  wait_for "$NOTES_URL/api/health"
}

# tokens DIR N FILE: N access tokens of the demo user, one per line.
tokens() {
  python3 - "$1/demo.json" "$PROVIDER_URL" "$2" > "$3" <<'PY'
import base64, json, sys, urllib.parse, urllib.request
demo, url, n = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
auth = base64.b64encode(f"{demo['client_id']}:{demo['client_secret']}".encode()).decode()
body = urllib.parse.urlencode({"grant_type": "password", "username": "demo",
                               "password": "demo-password", "scope": "profile",
                               "resource": "http://notes.bench"}).encode()
for _ in range(n):
    req = urllib.request.Request(url + "/oauth/token", body, {"Authorization": "Basic " + auth})
    print(json.load(urllib.request.urlopen(req))["access_token"])
PY
}

# run NAME PATH [ENV=VALUE...]: one wrk run against the notes API, one JSON line.
run() {
  local name="$1" path="$2"; shift 2
  cat "$LUA/get.lua" "$LUA/result.lua" > "$OUT/$name.lua"
  local line
  line="$(env "$@" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency \
    -s "$OUT/$name.lua" "$NOTES_URL$path" | grep '^RESULT ' | sed 's/^RESULT //')"
  local rss; rss="$(awk '/VmRSS/ {print $2}' "/proc/$NOTES_PID/status")"
  echo "{\"name\": \"$name\", \"rss_kib\": $rss, \"result\": $line}" | tee -a "$RESULTS"
}

# JWT access tokens, validated against the provider's keys.
provider "$OUT/rs-jwt" ROCKET_OAUTH2_ACCESS_TOKEN_FORMAT=jwt ROCKET_OAUTH2_ACCESS_TOKEN_AUDIENCE="$AUDIENCE"
tokens "$OUT/rs-jwt" "${TOKENS:-1000}" "$OUT/rs-jwt/tokens.txt"
ONE="$(head -1 "$OUT/rs-jwt/tokens.txt")"
notes "$PROVIDER_URL"
curl -fs -H "Authorization: Bearer $ONE" "$NOTES_URL/api/notes" >/dev/null
run health /api/health
run public_jwt /api/notes/public AUTH="Bearer $ONE"
run notes_jwt /api/notes AUTH="Bearer $ONE"
run notes_jwt_many /api/notes LINES_FILE="$OUT/rs-jwt/tokens.txt"
kill "$NOTES_PID"
notes "$PROVIDER_URL" ROCKET_OAUTH2_RESOURCE_SERVER_CACHE_CAPACITY=1
run notes_jwt_cold /api/notes LINES_FILE="$OUT/rs-jwt/tokens.txt"
kill "$NOTES_PID"

# Opaque tokens, introspected as a registered resource server.
provider "$OUT/rs-opaque"
CLIENT="$(cd "$OUT/rs-opaque" && DATABASE_URL= "$PROVIDER" clients create --resource-server --json \
  '{"client_name":"Notes API","grant_types":["client_credentials"],"response_types":[]}')"
ID="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$CLIENT")"
SECRET="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_secret"])' "$CLIENT")"
tokens "$OUT/rs-opaque" 1 "$OUT/rs-opaque/tokens.txt"
OPAQUE="$(head -1 "$OUT/rs-opaque/tokens.txt")"
notes "$PROVIDER_URL" ROCKET_OAUTH2_RESOURCE_SERVER_CLIENT_ID="$ID" ROCKET_OAUTH2_RESOURCE_SERVER_CLIENT_SECRET="$SECRET"
curl -fs -H "Authorization: Bearer $OPAQUE" "$NOTES_URL/api/notes" >/dev/null
run public_opaque /api/notes/public AUTH="Bearer $OPAQUE"
run notes_opaque /api/notes AUTH="Bearer $OPAQUE"
