import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { serverSettings } from '../src/settings';

test('unset settings give the server defaults', () => {
  assert.deepEqual(serverSettings(() => undefined), {
    inlayHints: { types: true, lifetimes: 'skipTrivial', drops: false, capabilities: true, zones: true },
    run: { enabled: true, allow: [], timeoutMs: 10000, maxHeapMb: 0 },
  });
});

test('settings map onto the server object', () => {
  const values: Record<string, unknown> = {
    'inlayHints.types': false,
    'inlayHints.lifetimes': 'always',
    'inlayHints.drops': true,
    'inlayHints.zones': false,
    'run.enabled': false,
    'run.allow': ['fs', ' clock ', 7, '', 'fs=/var/ward/feeds'],
    'run.timeoutMs': 2500.7,
    'run.maxHeapMb': 512,
    diagnosticsDocs: ' https://docs.example/diagnostics ',
  };
  const s = serverSettings((k) => values[k]);
  assert.equal(s.inlayHints.types, false);
  assert.equal(s.inlayHints.lifetimes, 'always');
  assert.equal(s.inlayHints.drops, true);
  assert.equal(s.inlayHints.capabilities, true);
  assert.equal(s.inlayHints.zones, false);
  assert.deepEqual(s.run, {
    enabled: false,
    allow: ['fs', 'clock', 'fs=/var/ward/feeds'],
    timeoutMs: 2500,
    maxHeapMb: 512,
  });
  assert.equal(s.diagnosticsDocs, 'https://docs.example/diagnostics');
});

test('values of the wrong type fall back to the defaults', () => {
  const values: Record<string, unknown> = {
    'inlayHints.types': 'yes',
    'inlayHints.lifetimes': 'sometimes',
    'run.timeoutMs': -5,
    'run.maxHeapMb': 'lots',
    'run.allow': 'fs',
    diagnosticsDocs: '',
  };
  const s = serverSettings((k) => values[k]);
  assert.equal(s.inlayHints.types, true);
  assert.equal(s.inlayHints.lifetimes, 'skipTrivial');
  assert.equal(s.run.timeoutMs, 10000);
  assert.equal(s.run.maxHeapMb, 0);
  assert.deepEqual(s.run.allow, []);
  assert.equal('diagnosticsDocs' in s, false);
});
