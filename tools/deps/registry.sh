#!/usr/bin/env bash
# Installs the OpenAPI contract checker (tools/api-contract) from the npm registry, exactly as
# locked in its package-lock.json. Debian ships npm apart from nodejs; nodejs from other sources
# (NodeSource) bundles it, so only install Debian's npm when the command is missing.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$top/tools/api-contract

if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  else
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
fi

# Only when the lock changed since the last install (npm ci wipes node_modules each time)
stamp=$dir/node_modules/.ekey-lock.sha256
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
fi
