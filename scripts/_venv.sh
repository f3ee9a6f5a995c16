# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/demo.sh (sourced, not run).
#
# ensure_venv DIR EXTRAS [EXTRA_PIP_ARGS...]
#   Creates DIR with `${PYTHON:-python3} -m venv` if it has no python, then runs
#   `pip install -e ".[EXTRAS]" EXTRA_PIP_ARGS...` unless a stamp file in DIR says that exact
#   install already succeeded for the current pyproject.toml (so re-runs are fast and idempotent).
#   Set MW_FORCE_INSTALL=1 to reinstall anyway.

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off

ensure_venv() {
    local dir=$1 extras=$2
    shift 2
    local py=${PYTHON:-python3}
    if [ ! -x "$dir/bin/python" ]; then
        if ! command -v "$py" >/dev/null 2>&1; then
            echo "ERROR: $py not found; install Python 3.9+ (Debian: apt-get install -y python3 python3-venv)" >&2
            return 1
        fi
        if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
            echo "ERROR: $py is $("$py" -V 2>&1); Python 3.9+ is required" >&2
            return 1
        fi
        echo ">>> creating $dir with $("$py" -V 2>&1)"
        "$py" -m venv "$dir" || {
            echo "ERROR: '$py -m venv' failed (Debian: apt-get install -y python3-venv)" >&2
            return 1
        }
    fi
    local stamp_file="$dir/.modelarts-widgets-install-${extras}"
    local stamp
    stamp="$extras $* $(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ "${MW_FORCE_INSTALL:-0}" != 1 ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
        echo ">>> $dir is up to date (.[${extras}] $*)"
        return 0
    fi
    echo ">>> pip install -e .[${extras}] $* into $dir"
    rm -f "$stamp_file"
    # (grep drops pip's "Location ... is ignored" noise about find-links folders that do not exist)
    # (works under `set -e -o pipefail` too: the pipeline's status is pip's)
    local rc=0
    "$dir/bin/python" -m pip install --quiet -e ".[${extras}]" "$@" 2>&1 |
        { grep -v "is ignored: it is neither a file nor a directory" || true; } || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "ERROR: pip install into $dir failed (exit $rc)" >&2
        return 1
    fi
    echo "$stamp" >"$stamp_file"
}
