#!/usr/bin/env bash
# Installs what the tests need (Debian packages, a Python virtualenv with the validators, a running
# PostgreSQL and an S3-compatible server on loopback), then runs every test of the workspace.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
packages=(poppler-utils qpdf libnss3-tools softhsm2 opensc openssl postgresql-client
          fonts-noto-cjk fonts-lxgw-wenkai python3-venv chromium nodejs libreoffice-writer-nogui)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python tools in a project virtualenv ----------------------------------------------------
venv="$root/.venv"
stamp="$venv/.requirements-test.sha256"
want=$(sha256sum scripts/requirements-test.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing Python test tools into .venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-test.txt
  echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"

# --- Browser tests: playwright-core and axe-core from npm (chromium is Debian's) ---------------
# Debian's nodejs ships npm separately; other nodejs builds bundle it.
command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
if [ ! -d tests/browser/node_modules/playwright-core ] || [ tests/browser/package-lock.json -nt tests/browser/node_modules ]; then
  log "installing the browser-test packages (npm ci)"
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

# --- PostgreSQL on 127.0.0.1:5432 ------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
export SIGNET_TEST_PG_URL="${SIGNET_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
psql "$SIGNET_TEST_PG_URL" -qtAc 'select 1' >/dev/null

# --- S3-compatible server (moto) on a free loopback port --------------------------------------
s3_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_log=$(mktemp)
moto_server -H 127.0.0.1 -p "$s3_port" >"$moto_log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$s3_port/" >/dev/null 2>&1 && break
  sleep 0.2
done
export SIGNET_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"

# --- the tests ---------------------------------------------------------------------------------
log "running the test suite"
cargo test --workspace --locked "$@"
