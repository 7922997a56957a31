#!/bin/sh
# Outpost agent launcher: runs the bundled agent with this machine's Node.js (20 or later).
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "The Outpost agent needs Node.js 20 or later: https://nodejs.org/" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "The Outpost agent needs Node.js 20 or later; this machine has $(node --version)." >&2
  exit 1
fi
exec node "$here/outpost-agent.cjs" "$@"
