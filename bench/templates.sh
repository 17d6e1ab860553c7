#!/usr/bin/env bash
# Template fills per second with Signet's PDF engine (crates/signet-pdf/src/form): the 8-field
# contract template filled with Chinese text and the bundled Noto Sans CJK SC subset (font
# subsetting included in every fill), open fields / flattened / flattened + one HTML page.
#
#   bash bench/templates.sh          (from the repository root)
# Env: N (default 300) fills per case.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300}
cargo build --release -q -p signet-pdf --example fill_bench
BIN=target/release/examples/fill_bench
T=crates/signet-pdf/tests/fixtures/template.pdf
F=crates/signet-seal/fonts/hei-noto-sans-cjk-sc.otf
echo "== $(nproc) cores, one thread"
"$BIN" "$T" "$F" "$N"
"$BIN" "$T" "$F" "$N" flatten
"$BIN" "$T" "$F" "$N" flatten html
