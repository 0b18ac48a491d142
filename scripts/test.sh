#!/usr/bin/env bash
# The project's test command (see README): installs what the tests need on a fresh machine
# (the npm peers used as differential oracles), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-peers.sh
cargo test --workspace "$@"
