#!/usr/bin/env bash
# The whole test suite, as README "Run the tests" and .ci/run use it:
#   1. .venv        <- pip install -e ".[test]"   (ipywidgets 8)
#   2. ruff check, ruff format --check, mypy (strict, on the package and the benchmarks)
#   3. pytest: every tier, browser and notebooks included (needs Debian's /usr/bin/chromium)
#   4. .venv-py39-ipyw7 <- pip install -e ".[test-core]" "ipywidgets>=7.7,<8" on Python 3.9
#      when the machine has it (pyenv), else .venv-ipyw7 on python3
#   5. pytest -m "not browser and not notebooks and not slow" there (the 2,000-delete load
#      test runs once, in step 3)
#   6. .venv-lab3-ipyw7 <- pip install -e ".[test-core]" + JupyterLab 3.6 / ipywidgets 7.8 /
#      Playwright (pins: scripts/constraints-lab3-ipyw7.txt) on python3
#   7. pytest tests/browser/test_browser_lab3.py there (a real browser in JupyterLab 3)
# Every step runs even if an earlier one failed; the exit status is non-zero if any failed.
# pytest's exit 5 ("no tests collected") counts as a failure, loudly.
# Env: PYTHON (interpreter for new venvs, default python3), MW_FORCE_INSTALL=1 (reinstall),
#      MW_SKIP_IPYW7=1 (skip steps 4-5), MW_SKIP_LAB3=1 (skip steps 6-7): for quick local
#      runs; never set in CI.
# Extra arguments are passed to the pytest runs of steps 3 and 5 (e.g. `bash scripts/test.sh -x
# -k smoke`), not to step 7 (one test file).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_venv.sh
. scripts/_venv.sh

ARTIFACTS=test-artifacts
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/junit-*.xml
declare -a FAILED=() TIMES=()

step() { # step NAME CMD... : run, time, record failure
    local name=$1 t0 rc
    shift
    echo
    echo "=== $name: $*"
    t0=$(date +%s)
    "$@"
    rc=$?
    TIMES+=("$(printf '%-28s %4ss  rc=%s' "$name" "$(($(date +%s) - t0))" "$rc")")
    if [ "$rc" -ne 0 ]; then FAILED+=("$name (exit $rc)"); fi
    return "$rc"
}

run_pytest() { # run_pytest PYTHON JUNIT ARGS... ; maps exit 5 to an explicit failure
    local py=$1 junit=$2 rc
    shift 2
    "$py" -m pytest --junitxml="$junit" --durations=10 "$@"
    rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "ERROR: pytest collected no tests (exit 5); treated as a failure" >&2
    fi
    return "$rc"
}

find_python39() { # prints a Python 3.9 interpreter (PATH or pyenv), or nothing
    local c
    for c in python3.9 "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.9*/bin/python3.9; do
        if "$c" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 9))' >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
}

check_ipywidgets() { # check_ipywidgets PYTHON MAJOR
    "$1" -c "import sys, ipywidgets as w; v = w.__version__; print('ipywidgets', v); \
sys.exit(0 if v.split('.')[0] == '$2' else 1)"
}

if step "venv .venv [test]" ensure_venv .venv test; then
    step "ipywidgets is 8" check_ipywidgets .venv/bin/python 8
    step "ruff check" .venv/bin/ruff check .
    step "ruff format --check" .venv/bin/ruff format --check .
    step "mypy (strict)" .venv/bin/mypy
    step "pytest (ipywidgets 8, all)" run_pytest .venv/bin/python "$ARTIFACTS/junit-ipyw8.xml" \
        --screenshot=only-on-failure --tracing=retain-on-failure \
        --output="$ARTIFACTS/playwright" "$@"
fi

if [ "${MW_SKIP_IPYW7:-0}" = 1 ]; then
    echo ">>> MW_SKIP_IPYW7=1: skipping the ipywidgets 7 run"
    if [ "${CI:-}" = true ]; then FAILED+=("MW_SKIP_IPYW7 is not allowed when CI=true"); fi
else
    # ModelArts notebook kernels commonly run Python 3.7-3.10: run this tier on the oldest
    # supported Python (3.9) when the machine has it, so 3.10+ syntax or stdlib cannot slip in.
    PY39=$(find_python39)
    V7_PINS=()
    if [ -n "$PY39" ]; then
        V7=.venv-py39-ipyw7
        V7_PINS=(-c scripts/constraints-py39-ipyw7.txt)
    else
        echo ">>> no Python 3.9 found; the ipywidgets 7 tier runs on $(python3 -V 2>&1)"
        V7=.venv-ipyw7
    fi
    if PYTHON=${PY39:-${PYTHON:-python3}} step "venv $V7 [test-core]" \
        ensure_venv "$V7" test-core "ipywidgets>=7.7,<8" "${V7_PINS[@]}"; then
        step "ipywidgets is 7" check_ipywidgets "$V7/bin/python" 7
        step "pytest (ipywidgets 7, $("$V7/bin/python" -V 2>&1))" run_pytest "$V7/bin/python" \
            "$ARTIFACTS/junit-ipyw7.xml" -m "not browser and not notebooks and not slow" \
            --ignore=tests/browser "$@"
    fi
fi

if [ "${MW_SKIP_LAB3:-0}" = 1 ]; then
    echo ">>> MW_SKIP_LAB3=1: skipping the JupyterLab 3 + ipywidgets 7 browser run"
    if [ "${CI:-}" = true ]; then FAILED+=("MW_SKIP_LAB3 is not allowed when CI=true"); fi
else
    # JupyterLab 3 + ipywidgets 7 in a real browser: the list renders, a row is ticked and deleted.
    L3=.venv-lab3-ipyw7
    if PYTHON=${PYTHON:-python3} step "venv $L3 [test-core]" ensure_venv "$L3" test-core \
        -c scripts/constraints-lab3-ipyw7.txt "jupyterlab==3.6.8" "ipywidgets==7.8.5" \
        "playwright==1.65.2" "pytest-playwright==0.10.0"; then
        step "ipywidgets is 7 (Lab 3)" check_ipywidgets "$L3/bin/python" 7
        step "pytest (JupyterLab 3 + ipywidgets 7, browser)" run_pytest "$L3/bin/python" \
            "$ARTIFACTS/junit-lab3.xml" tests/browser/test_browser_lab3.py \
            --screenshot=only-on-failure --output="$ARTIFACTS/playwright-lab3"
    fi
fi

echo
echo "=== step times"
printf '%s\n' "${TIMES[@]}"
# One closing line over every pytest run (from the JUnit XML files).
python3 - "$ARTIFACTS" <<'PY' || FAILED+=("junit summary")
import glob, sys, xml.etree.ElementTree as ET
tot = {"passed": 0, "failed": 0, "skipped": 0}
files = sorted(glob.glob(sys.argv[1] + "/junit-*.xml"))
for f in files:
    for s in ET.parse(f).getroot().iter("testsuite"):
        n, fail = int(s.get("tests", 0)), int(s.get("failures", 0)) + int(s.get("errors", 0))
        skip = int(s.get("skipped", 0))
        tot["passed"] += n - fail - skip
        tot["failed"] += fail
        tot["skipped"] += skip
        print(f"{f}: {n - fail - skip} passed, {fail} failed, {skip} skipped")
if not files:
    print("no JUnit files: pytest did not run")
print(f"total: {tot['passed']} passed, {tot['failed']} failed, {tot['skipped']} skipped")
PY
if [ "${#FAILED[@]}" -ne 0 ]; then
    echo "FAILED steps:"
    printf '  %s\n' "${FAILED[@]}"
    exit 1
fi
echo "all steps passed"
