#!/usr/bin/env bash
# One command for the demo: create/update .venv with the [lab] extra, then run
# `modelarts-widgets demo` (a local ModelArts emulator + JupyterLab on the quickstart notebook).
# Extra arguments go to the demo, e.g. `bash scripts/demo.sh --port 8888 --open-browser`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_venv.sh
. scripts/_venv.sh
ensure_venv .venv lab
exec .venv/bin/modelarts-widgets demo "$@"
