#!/usr/bin/env bash
# Idempotent setup: Python venv + the project with its [dev] extra (pyproject.toml), and bun (from npm, since Reflex's
# own bun download needs internet access we do not have).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
STAMP="$VENV/.installed"
BUN_VERSION=1.4.4
AXE_VERSION=4.14.1
BUN="$PWD/.tools/node_modules/.bin/bun"

log() { echo "bootstrap: $*" >&2; }

# 1. virtualenv
if [[ ! -x "$VENV/bin/python" ]]; then
    if command -v python3.11 >/dev/null 2>&1; then
        PY=python3.11
    else
        PY=python3
    fi
    log "creating $VENV with $PY"
    "$PY" -m venv "$VENV"
    rm -f "$STAMP"
fi

# 2. the store's packages, runtime and [dev] (tests, lint, the QA kit), all pinned in pyproject.toml;
#    again whenever pyproject.toml is newer than the stamp. Editable: the code is this directory.
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
    log "installing the project with its [dev] extra (pyproject.toml)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'
    touch "$STAMP"
fi

# 3. bun from npm
if [[ ! -x "$BUN" ]] || [[ "$("$BUN" --version 2>/dev/null)" != "$BUN_VERSION" ]]; then
    log "installing bun@$BUN_VERSION from npm into .tools/"
    mkdir -p .tools
    npm install --prefix .tools --no-audit --no-fund --loglevel=error "bun@$BUN_VERSION" >&2
    "$BUN" --version >/dev/null
fi

# 4. axe-core from npm: the e2e suite injects it to check every page's accessibility
if [[ ! -f .tools/node_modules/axe-core/axe.min.js ]]; then
    log "installing axe-core@$AXE_VERSION from npm into .tools/"
    npm install --prefix .tools --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION" >&2
fi
