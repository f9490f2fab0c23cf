#!/usr/bin/env bash
# Set everything up, then run the whole test suite (unit, integration with the real model, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
python -m pytest -p no:cacheprovider -q -rs "$@"  # -rs: every skip and its reason, in the log
