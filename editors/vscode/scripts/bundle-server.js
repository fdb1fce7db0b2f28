// Copies a `ward` binary into bin/ so that the .vsix carries its own
// server: $WARD_BIN, else the repository's release build, else its debug
// build. Without one the extension falls back to `ward` on PATH.
'use strict';
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..', '..');
const exe = process.platform === 'win32' ? 'ward.exe' : 'ward';
const candidates = [
  process.env.WARD_BIN,
  path.join(repo, 'target', 'release', exe),
  path.join(repo, 'target', 'debug', exe),
].filter(Boolean);
const bin = path.join(__dirname, '..', 'bin');
fs.rmSync(bin, { recursive: true, force: true });
const found = candidates.find((c) => fs.existsSync(c));
if (!found) {
  console.log('bundle-server: no ward binary built; the extension will use `ward` on PATH');
  process.exit(0);
}
fs.mkdirSync(bin, { recursive: true });
fs.copyFileSync(found, path.join(bin, exe));
fs.chmodSync(path.join(bin, exe), 0o755);
console.log(`bundle-server: bundled ${found}`);
