# Helpers shared by load.sh and writes.sh (sourced, not run). The caller sets BIN (the provider
# binary) and SERVER_PID="" (killed on exit by the caller's trap).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The provider's API identifier (RFC 8707 `resource`; by default `{issuer}/api`, which depends on
# the port): fixed here so that the seeded tokens can be for it.
RESOURCE="http://127.0.0.1/bench-api"

# start_server DIR [DATABASE_URL]: serves DIR's database (or the one at DATABASE_URL) on a free
# port; sets PORT and SERVER_PID.
start_server() {
  PORT="$(free_port)"
  (cd "$1" && ROCKET_LOG_LEVEL=off DATABASE_URL="${2:-}" ROCKET_OAUTH2_RESOURCE="$RESOURCE" \
    exec "$BIN" serve --port "$PORT" >/dev/null 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$PORT/api/ping" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server did not start" >&2; exit 1
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

seed() { # seed DIR ARGS...: a fresh database in DIR (or at $SEED_URL)
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && DATABASE_URL="${SEED_URL:-}" "$BIN" bench-seed --out "$dir/seed" --audience "$RESOURCE" "$@")
}

# basic CLIENT_JSON: the Authorization header value for the seeded client.
basic() { python3 -c "import base64,json,sys; c=json.load(open('$1')); print('Basic ' + base64.b64encode((c['client_id']+':'+c['client_secret']).encode()).decode())"; }
