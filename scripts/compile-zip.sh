#!/usr/bin/env bash
# Compile a Lambda zip's folder to bytecode with the runtime's own Python version, so that a cold
# start reads .pyc files (the function's code is read-only at run time: nothing is cached there).
# Usage: scripts/compile-zip.sh ARTIFACTS_DIR LAMBDA_PYTHON
set -euo pipefail
folder=$1
python="python$2"
if ! "$python" -c "" >/dev/null 2>&1; then
    echo "compile-zip: $python not found; the zip ships without .pyc (slower cold starts)" >&2
    exit 0
fi
"$python" -m compileall -q -j 0 "$folder" >/dev/null
