import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { ServerLookup, resolveServerPath } from '../src/serverPath';

function lookup(executables: string[], over: Partial<ServerLookup> = {}): ServerLookup {
  return {
    setting: '',
    bundled: '/ext/bin/ward',
    pathEnv: '/usr/local/bin:/usr/bin',
    home: '/home/nurse',
    platform: 'linux',
    isExecutable: (f) => executables.includes(f),
    ...over,
  };
}

test('the setting wins over the bundled binary and PATH', () => {
  const r = resolveServerPath(
    lookup(['/opt/ward', '/ext/bin/ward', '/usr/bin/ward'], { setting: '/opt/ward' }),
  );
  assert.deepEqual(r, { path: '/opt/ward', source: 'setting' });
});

test('a setting with ~ is taken from the home folder', () => {
  const r = resolveServerPath(lookup(['/home/nurse/bin/ward'], { setting: '~/bin/ward' }));
  assert.deepEqual(r, { path: '/home/nurse/bin/ward', source: 'setting' });
});

test('a setting that names no executable is an error, not a fallback', () => {
  const r = resolveServerPath(lookup(['/ext/bin/ward'], { setting: '/nowhere/ward' }));
  assert.match('error' in r ? r.error : '', /ward\.server\.path.*\/nowhere\/ward/);
});

test('the bundled binary comes before PATH', () => {
  const r = resolveServerPath(lookup(['/ext/bin/ward', '/usr/bin/ward']));
  assert.deepEqual(r, { path: '/ext/bin/ward', source: 'bundled' });
});

test('PATH is searched in order, skipping empty entries', () => {
  const r = resolveServerPath(
    lookup(['/usr/bin/ward', '/usr/local/bin/ward'], { pathEnv: '::/usr/local/bin:/usr/bin' }),
  );
  assert.deepEqual(r, { path: '/usr/local/bin/ward', source: 'PATH' });
});

test('Windows looks for ward.exe with ; separators', () => {
  const r = resolveServerPath(
    lookup(['C:\\tools/ward.exe'], { platform: 'win32', pathEnv: 'C:\\other;C:\\tools', bundled: 'x' }),
  );
  assert.ok('path' in r && r.source === 'PATH', JSON.stringify(r));
});

test('nothing found says how to install the server', () => {
  const r = resolveServerPath(lookup([]));
  const error = 'error' in r ? r.error : '';
  assert.match(error, /cargo install --path server/);
  assert.match(error, /ward\.server\.path/);
});
