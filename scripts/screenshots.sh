#!/usr/bin/env bash
# Regenerates the signing-page screenshots in docs/pages/ (every step, phone and desktop sizes)
# by running the browser tests with SIGNET_SCREENSHOTS set. Not part of scripts/test.sh: the
# images only change when the pages do.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
(cd tests/browser && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent)
rm -rf docs/pages/*.png
mkdir -p docs/pages
SIGNET_SCREENSHOTS="$PWD/docs/pages" cargo test -p signet --test it -- pages::signing_pages pages::pages_infrastructure pages::positioning
ls docs/pages
