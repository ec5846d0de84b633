# Source this file from bash (`source scripts/node24.sh`) to run the project on Node 24 LTS where the machine's node
# is older.
# It installs the npm registry's `node` package (the official binary and its C headers, no other download) into
# .tools/node24 once, puts it first on PATH, and points node-gyp at its headers so native modules (better-sqlite3)
# build for it offline. With node 24 or newer on PATH already, it does nothing.
cbbd_node_version=24.21.0
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  cbbd_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  # The `node` package's install step adds the binary for this platform as node-<os>-<arch>.
  cbbd_node_dir="$cbbd_root/.tools/node24/node_modules/node/node_modules/node-$(uname -s | tr 'A-Z' 'a-z')-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')"
  if [ ! -x "$cbbd_node_dir/bin/node" ] || [ "$("$cbbd_node_dir/bin/node" --version)" != "v$cbbd_node_version" ]; then
    echo "== installing Node $cbbd_node_version from the npm registry into .tools/node24" >&2
    npm install --prefix "$cbbd_root/.tools/node24" --no-save --no-audit --no-fund --loglevel=error --ignore-scripts=false "node@$cbbd_node_version" >&2
  fi
  if [ ! -x "$cbbd_node_dir/bin/node" ]; then
    echo "scripts/node24.sh: Node $cbbd_node_version is not in $cbbd_node_dir after npm install: install Node 24 LTS yourself." >&2
    return 1 2>/dev/null || exit 1
  fi
  export PATH="$cbbd_node_dir/bin:$PATH"
  export npm_config_nodedir="$cbbd_node_dir"
  unset cbbd_root cbbd_node_dir
fi
unset cbbd_node_version
