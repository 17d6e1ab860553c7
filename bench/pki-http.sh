#!/usr/bin/env bash
# Throughput of the PKI endpoints of a running `signet serve` (RFC 3161 /tsa and OCSP
# /pki/ocsp, each over HTTP with concurrent clients), and wall time of `signet sign` per level.
# Usage: bench/pki-http.sh [requests] [concurrency]
#   SIGNET_BIN=target/debug/signet bench/pki-http.sh   (default: a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-500}"
concurrency="${2:-4}"
for tool in openssl python3 curl; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }; done
if [[ -z "${SIGNET_BIN:-}" ]]; then
  cargo build --release -q -p signet
  SIGNET_BIN=target/release/signet
fi
SIGNET_BIN="$(realpath "$SIGNET_BIN")"
repo="$PWD"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export SIGNET_DATA_DIR="$work/data" SIGNET_LISTEN="127.0.0.1:$port" SIGNET_PUBLIC_URL="http://127.0.0.1:$port" SIGNET_LOG=warn
"$SIGNET_BIN" serve >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/pki/ca.pem" -o "$work/ca.pem" && break; sleep 0.2; done
cd "$work"
echo "contract body" >data.txt
openssl ts -query -data data.txt -sha256 -cert -out q.tsq 2>/dev/null
"$SIGNET_BIN" ca issue --name Bench --algo rsa2048 -o rsa.p12 --password pw >/dev/null 2>&1
"$SIGNET_BIN" seal company --name 示例科技有限公司 -o seal.png >/dev/null
openssl pkcs12 -in rsa.p12 -passin pass:pw -nokeys -clcerts -out cert.pem 2>/dev/null
curl -sf "http://127.0.0.1:$port/pki/ca/rsa.cer" -o rsa.cer
openssl ocsp -issuer rsa.cer -cert cert.pem -reqout ocsp.req -no_nonce >/dev/null 2>&1

cat >load.py <<'PY'
import concurrent.futures, sys, time, urllib.request
url, ctype, body_file, n, par = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
body = open(body_file, "rb").read()
def one(_):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype})
    with urllib.request.urlopen(req) as r:
        assert r.status == 200 and len(r.read()) > 100
start = time.time()
with concurrent.futures.ThreadPoolExecutor(par) as ex:
    list(ex.map(one, range(n)))
print(f"{n / (time.time() - start):.0f}")
PY
printf '%-40s %10s\n' "measurement" "value"
printf '%-40s %10s\n' "TSA responses/s ($concurrency clients)" \
  "$(python3 load.py "http://127.0.0.1:$port/tsa" application/timestamp-query q.tsq "$requests" "$concurrency")"
printf '%-40s %10s\n' "OCSP responses/s ($concurrency clients)" \
  "$(python3 load.py "http://127.0.0.1:$port/pki/ocsp" application/ocsp-request ocsp.req "$requests" "$concurrency")"
pdf="$repo/crates/signet-pdf/tests/fixtures/contract.pdf"
for level in B-B B-T B-LTA; do
  start=$(date +%s.%N)
  for i in $(seq 10); do
    "$SIGNET_BIN" sign "$pdf" -o "out-$level-$i.pdf" --p12 rsa.p12 --password pw --image seal.png --at 1,300,400 \
      --level "$level" --tsa "http://127.0.0.1:$port/tsa" 2>/dev/null
  done
  end=$(date +%s.%N)
  printf '%-40s %10s\n' "signet sign $level, ms per file" "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", (b - a) * 100}')"
done
