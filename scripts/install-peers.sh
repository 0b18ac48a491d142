#!/usr/bin/env bash
# Installs PostHog's official implementations (pinned in tests/peers/package-lock.json):
# the differential oracles and benchmark peers. Idempotent: skips when already installed.
set -euo pipefail
cd "$(dirname "$0")/../tests/peers"
stamp=node_modules/.installed-from-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
command -v npm >/dev/null || { echo "install-peers: npm not found (Node.js 20 is needed for the peer tests)" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
