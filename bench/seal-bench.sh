#!/usr/bin/env bash
# Seal rendering benchmark: warm render time per style and the size cost of the bundled fonts.
# Usage: bench/seal-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p signet-seal --example bench
# Binary-size cost measured on the example binaries: the bench links every font, a build
# with --no-default-features drops the two Fandol faces.
bin=target/release/examples/bench
echo
echo "bench example binary: $(stat -c %s "$bin") bytes (with all bundled fonts)"
