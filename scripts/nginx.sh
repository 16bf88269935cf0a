#!/usr/bin/env bash
# Print the path of a usable nginx on stdout (and nothing else); `make run-cluster` puts it in front of the
# app hosts. Installs Debian's nginx with apt-get when it is missing and this runs as root; otherwise says
# how to install it and fails. `NGINX_BIN` points at another binary. All logging goes to stderr.
set -euo pipefail

log() { echo "nginx: $*" >&2; }

if [[ -n "${NGINX_BIN:-}" ]]; then
    echo "$NGINX_BIN"
    exit 0
fi

for candidate in "$(command -v nginx 2>/dev/null || true)" /usr/sbin/nginx; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
        echo "$candidate"
        exit 0
    fi
done

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing nginx with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    # Only the binary is wanted: the package's own service (port 80, /etc/nginx) is not started here.
    if { apt-get update -qq && apt-get install -y -qq nginx; } >&2 && [[ -x /usr/sbin/nginx ]]; then
        echo /usr/sbin/nginx
        exit 0
    fi
    log "apt-get install nginx failed"
fi

log "nginx is missing: install it (Debian/Ubuntu: sudo apt-get install -y nginx) or set NGINX_BIN to its path"
exit 1
