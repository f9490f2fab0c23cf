#!/usr/bin/env bash
# Set up kmsearch on a fresh Debian/Ubuntu machine: Tesseract for OCR, a virtual environment in .venv,
# torch's CPU build (a plain "torch" requirement would pull a several-GB CUDA build), and the package.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}  # set TORCH_SPEC to a CUDA build on a GPU machine

# Debian packages: Tesseract for OCR; Chromium for the browser tests (Playwright drives it; it never downloads one)
missing=""
command -v tesseract >/dev/null 2>&1 || missing="$missing tesseract-ocr tesseract-ocr-eng"
[ "${KMSEARCH_NO_BROWSER:-}" = "1" ] || command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing$missing"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q "$TORCH_SPEC"
python -m pip install -q -e ".[dev]"
# The CPU embedding backends run an ONNX export of the model; make it now (local, under a minute; a no-op when
# it exists) rather than in the first ingest or query.
exported=$(kmsearch model export)
echo "setup: ONNX export in $exported"
echo "setup: done ($(python -c 'import kmsearch; print("kmsearch", kmsearch.__version__)'))"
