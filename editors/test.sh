#!/usr/bin/env bash
# The editor packages' tests, after `cargo test --workspace` (which checks
# the Helix and Neovim query files against the grammar):
#   1. the VS Code extension's unit tests, then `vsce package` (.vsix with
#      the server bundled);
#   2. the Neovim plugin in a headless Neovim 0.11 against `ward lsp`;
#   3. the .vsix in a real VS Code (code-server) driven by Chromium, which
#      saves screenshots to target/e2e-screenshots.
# Needs node and npm, nvim 0.11, /usr/bin/chromium and the build
# dependencies of code-server's native modules: .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

step() { printf '\n==> %s\n' "$*"; }

if [ -z "${WARD_BIN:-}" ]; then
  cargo build --quiet -p ward
  export WARD_BIN="$root/target/debug/ward"
fi

step "VS Code extension: unit tests and package"
(
  cd editors/vscode
  npm ci --no-audit --no-fund
  npm test
  rm -f ward-*.vsix
  npx @vscode/vsce package < /dev/null
)

step "Neovim plugin: headless Neovim against ward lsp"
bash editors/neovim/test/run.sh

step "VS Code end to end: code-server and Chromium"
vsix=$(ls editors/vscode/ward-*.vsix)
WARD_VSIX="$root/$vsix" WARD_E2E_SCREENSHOTS="${WARD_E2E_SCREENSHOTS:-$root/target/e2e-screenshots}" \
  bash editors/vscode/e2e/run.sh
