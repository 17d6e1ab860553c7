#!/usr/bin/env bash
# Flows per second (create -> start -> auto-sign -> download) with 64 concurrent clients, on
# SQLite + disk and on PostgreSQL + local disk, against a release build on loopback.
# Usage: bench/flows.sh [FLOWS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
flows=${1:-200}
clients=${2:-64}
cargo build --release --locked -q -p signet
pdf=crates/signet-pdf/tests/fixtures/contract.pdf

run() { # label, extra env...
  local label=$1; shift
  local dir; dir=$(mktemp -d)
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  env SIGNET_DATA_DIR="$dir" SIGNET_LISTEN="127.0.0.1:$port" SIGNET_LOG=warn \
      SIGNET_BOOTSTRAP_APP_ID=bench SIGNET_BOOTSTRAP_APP_KEY=bench-secret-123 \
      SIGNET_ACCOUNT_KEY_ALGORITHM=p256 "$@" target/release/signet serve >"$dir/stdout" 2>"$dir/stderr" &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  printf '%-22s ' "$label"
  python3 bench/flows.py "http://127.0.0.1:$port" bench bench-secret-123 "$pdf" --flows "$flows" --clients "$clients"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

run "sqlite + disk"
db="signet_bench_$$"
psql "${SIGNET_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -qc "create database $db"
run "postgresql + disk" SIGNET_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
psql "${SIGNET_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -qc "drop database $db"
