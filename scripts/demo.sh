#!/usr/bin/env bash
# Set everything up, index the sample corpus, show a few searches, then serve the API and the page.
set -euo pipefail
cd "$(dirname "$0")/.."
KMSEARCH_NO_BROWSER=1 bash scripts/setup.sh  # the demo needs no browser; the tests do
. .venv/bin/activate
INDEX=indexes/default
kmsearch ingest corpus/ --index "$INDEX" || [ $? -eq 2 ]  # exit 2: some files failed, the rest is indexed
kmsearch status --index "$INDEX"
for q in "what do we know about mobile service delivery?" \
         "electronic file management" \
         "report of the 2008 Canada study tour"; do
    echo; echo "=== $q"
    kmsearch search "$q" --index "$INDEX" --k 3 --passages 1
done
# A key that may read every group of the sample corpus (hr and executive documents are restricted).
KEY=$(kmsearch keys add "demo $(date +%F)" --role librarian --group hr --group executive --index "$INDEX" 2>/dev/null)
echo
echo "Sign in to the page with this API key (shown once): $KEY"
echo "API example: curl -H 'X-API-Key: $KEY' 'http://${HOST:-127.0.0.1}:${PORT:-8000}/api/v1/search?q=mobile+service+delivery'"
exec kmsearch serve --index "$INDEX" --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
