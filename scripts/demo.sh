#!/usr/bin/env bash
# Set everything up, index the sample corpus, show a few searches, and serve the index (if `serve` exists).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
kmsearch ingest corpus/ --index indexes/default || [ $? -eq 2 ]  # exit 2: some files failed, the rest is indexed
kmsearch status --index indexes/default
for q in "what do we know about mobile service delivery?" \
         "electronic file management" \
         "report of the 2008 Canada study tour"; do
    echo; echo "=== $q"
    kmsearch search "$q" --index indexes/default --k 3 --passages 1
done
if kmsearch serve --help >/dev/null 2>&1; then
    exec kmsearch serve --index indexes/default --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
fi
