#!/usr/bin/env bash
# PKI engine throughput next to `openssl speed` on the same machine, one core each.
# Usage: bench/pki-bench.sh [seconds-per-measurement]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-3}"
command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 1; }

cargo build --release -q -p signet-pki --example pki_bench
ours="$(target/release/examples/pki_bench "$secs")"

# `openssl speed` prints "rsa 2048 bits ... sign/s verify/s" style tables; take the sign/s column.
ssl="$(openssl speed -seconds "$secs" rsa2048 ecdsap256 sm2 2>/dev/null)"
ssl_rsa="$(awk '/^rsa 2048 bits/ {print $(NF-1)}' <<<"$ssl")"
ssl_p256="$(awk '/^ *256 bits ecdsa \(nistp256\)/ {print $(NF-1)}' <<<"$ssl")"
ssl_sm2="$(awk '/^ *256 bits SM2 \(CurveSM2\)/ {print $(NF-1)}' <<<"$ssl")"

get() { awk -v k="$1" -F'\t' '$1 == k {print $2}' <<<"$ours"; }
printf '%-28s %12s %12s %8s\n' "operation" "signet/s" "openssl/s" "ratio"
row() {
  local name="$1" mine="$2" theirs="$3"
  local ratio="n/a"
  if [[ -n "$theirs" && "$theirs" != "0" ]]; then ratio="$(awk -v a="$mine" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')"; fi
  printf '%-28s %12s %12s %8s\n' "$name" "$mine" "${theirs:-?}" "$ratio"
}
row "raw sign RSA-2048 (ring)" "$(get raw_sign_rsa2048)" "$ssl_rsa"
row "raw sign P-256 (ring)"    "$(get raw_sign_p256)"    "$ssl_p256"
row "raw sign SM2 (sm2 crate)" "$(get raw_sign_sm2)"     "$ssl_sm2"
row "CMS sign RSA-2048"   "$(get cms_sign_rsa2048)" "$ssl_rsa"
row "CMS sign P-256"      "$(get cms_sign_p256)"    "$ssl_p256"
row "CMS sign SM2/SM3"    "$(get cms_sign_sm2)"     "$ssl_sm2"
row "TSA responses (P-256)" "$(get tsa_respond_p256)" ""
row "OCSP responses (P-256)" "$(get ocsp_respond_p256)" ""
echo "(openssl column: raw signatures/s from 'openssl speed'; signet column: complete CMS SignedData/s)"
