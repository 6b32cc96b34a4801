#!/usr/bin/env bash
# Sets up (if needed) and builds the sample issue: build/2024-12.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/bulletin-print build issues/2024/12.yaml -o build/2024-12.pdf
