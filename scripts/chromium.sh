#!/usr/bin/env bash
# Print the path of a usable Chromium on stdout (and nothing else).
# Prints nothing if it fell back to Playwright's own browser download.
# All logging goes to stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "chromium: $*" >&2; }

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
    echo "$CHROMIUM_PATH"
    exit 0
fi

if [[ -x /usr/bin/chromium ]]; then
    echo /usr/bin/chromium
    exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if { apt-get update -qq && apt-get install -y -qq chromium; } >&2 && [[ -x /usr/bin/chromium ]]; then
        echo /usr/bin/chromium
        exit 0
    fi
    log "apt-get install chromium failed; falling back to Playwright's browser"
fi

log "installing Playwright's chromium"
.venv/bin/python -m playwright install chromium >&2
