import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { isRunCommand } from '../src/protocol';
import { RestartPolicy } from '../src/restartPolicy';
import { RunTranscript, runArguments, runFailure, runFooter, runHeader } from '../src/runLog';
import { statusText } from '../src/status';

test('only the server run commands are intercepted', () => {
  assert.ok(isRunCommand('ward.run'));
  assert.ok(isRunCommand('ward.profile'));
  assert.ok(isRunCommand('ward.runTest'));
  assert.ok(!isRunCommand('ward.restartServer'));
});

test('run arguments are [uri, function]', () => {
  assert.deepEqual(runArguments(['file:///a/b.ward', 'main']), { uri: 'file:///a/b.ward', fn: 'main' });
  assert.equal(runArguments(['file:///a/b.ward']), undefined);
  assert.equal(runArguments([3, 'main']), undefined);
});

test('the run log frames the program output', () => {
  assert.equal(runHeader('ward.run', 'main', '/w/examples/vitals.ward'), '▶ Run main · vitals.ward');
  assert.equal(runHeader('ward.runTest', 'parses', '/w/t.ward'), '▶ Run test parses · t.ward');
  const done = { runId: 1, exitCode: 0, stdout: '', stderr: '', durationMs: 12.345 };
  assert.equal(runFooter(done), '■ exit code 0 · 12.3 ms');
  assert.equal(
    runFooter({ ...done, exitCode: 101, stopped: 'panicked: index out of bounds' }),
    '■ stopped after 12.3 ms: panicked: index out of bounds (exit code 101)',
  );
  assert.equal(runFailure('running programs is turned off'), '■ not run: running programs is turned off');
});

test('a crashing server is restarted a few times, then left stopped', () => {
  const p = new RestartPolicy(3, 60_000);
  assert.equal(p.crashed(0), 'restart');
  assert.equal(p.crashed(1000), 'restart');
  assert.equal(p.crashed(2000), 'restart');
  assert.equal(p.crashed(3000), 'stop');
  // Crashes age out of the window.
  assert.equal(p.crashed(70_000), 'restart');
  p.reset();
  assert.equal(p.crashed(70_001), 'restart');
});

test('the status item says what state the server is in', () => {
  assert.match(statusText('starting').text, /sync~spin/);
  assert.equal(statusText('running', '0.1.0').isError, false);
  assert.match(statusText('running', '0.1.0').tooltip, /0\.1\.0/);
  const missing = statusText('missing', 'not found: install it');
  assert.ok(missing.isError);
  assert.match(missing.tooltip, /install it/);
  assert.match(statusText('crashed').tooltip, /Restart|restart/);
});

test('the footer waits for output the result overtook', () => {
  let text = '';
  const t = new RunTranscript((s) => (text += s));
  t.line('▶ Run main · a.ward');
  t.output(7, 'one\ntwo');
  const result = { runId: 7, exitCode: 0, stdout: 'one\ntwo\n', stderr: '', durationMs: 1 };
  assert.equal(t.finished(result, '■ exit code 0 · 1.0 ms'), false);
  assert.equal(text, '▶ Run main · a.ward\none\ntwo');
  t.output(7, '\n');
  assert.equal(text, '▶ Run main · a.ward\none\ntwo\n■ exit code 0 · 1.0 ms\n');
});

test("other tasks' lines are marked with their task, and still count whole", () => {
  let text = '';
  const t = new RunTranscript((s) => (text += s));
  t.output(3, 'main starts\n');
  t.output(3, 'parsed 4\nparsed 5\n', 2);
  t.output(3, 'done\n');
  assert.equal(text, 'main starts\n[task 2] parsed 4\n[task 2] parsed 5\ndone\n');
  const stdout = 'main starts\nparsed 4\nparsed 5\ndone\n';
  assert.equal(t.finished({ runId: 3, exitCode: 0, stdout, stderr: '', durationMs: 1 }, 'end'), true);
});

test('a footer after output without a final newline starts a line', () => {
  let text = '';
  const t = new RunTranscript((s) => (text += s));
  t.output(1, 'no newline');
  assert.equal(t.finished({ runId: 1, exitCode: 0, stdout: 'no newline', stderr: '', durationMs: 2 }, 'end'), true);
  assert.equal(text, 'no newline\nend\n');
});

test('flushAnyway writes a footer whose output never came', () => {
  let text = '';
  const t = new RunTranscript((s) => (text += s));
  t.finished({ runId: 2, exitCode: 1, stdout: 'lost', stderr: '', durationMs: 2 }, 'end');
  assert.equal(text, '');
  t.flushAnyway(2);
  t.flushAnyway(2);
  assert.equal(text, 'end\n');
});
