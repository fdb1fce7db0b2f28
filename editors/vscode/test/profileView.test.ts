import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { bucketLabel, escapeHtml, renderProfile, shownBuckets } from '../src/profileView';
import { PauseBucket, ProfileResult } from '../src/protocol';

const BOUNDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

function buckets(counts: Record<number, number>): PauseBucket[] {
  return [...BOUNDS, null].map((upToMs, i) => ({ upToMs, count: counts[i] ?? 0 }));
}

const profile: ProfileResult = {
  functions: [
    { name: 'classify', calls: 6, selfMs: 0.02, totalMs: 0.03, allocations: 0, allocatedBytes: 0 },
    { name: 'main', calls: 1, selfMs: 0.5, totalMs: 1.25, allocations: 40, allocatedBytes: 3000 },
    { name: '<closure>', calls: 2, selfMs: 0.01, totalMs: 0.01, allocations: 1, allocatedBytes: 16 },
  ],
  gc: {
    count: 5,
    totalMs: 0.2,
    p50Ms: 0.03,
    p99Ms: 0.09,
    maxMs: 0.09,
    youngCollections: 4,
    oldCollections: 1,
    histogram: buckets({ 1: 1, 2: 3, 3: 1 }),
  },
};

test('bucket labels name their upper bound', () => {
  const b = buckets({});
  assert.equal(bucketLabel(b, 0), '≤ 10 µs');
  assert.equal(bucketLabel(b, 6), '≤ 1 ms');
  assert.equal(bucketLabel(b, 13), '> 100 ms');
});

test('the histogram shows the buckets from the first to the last pause', () => {
  const shown = shownBuckets(buckets({ 1: 1, 4: 2 }));
  assert.deepEqual(
    shown.map((s) => [s.label, s.bucket.count]),
    [
      ['≤ 20 µs', 1],
      ['≤ 50 µs', 0],
      ['≤ 100 µs', 0],
      ['≤ 200 µs', 2],
    ],
  );
  assert.deepEqual(shownBuckets(buckets({})), []);
});

test('the page lists functions by total time and draws the pauses', () => {
  const html = renderProfile(profile, 'Profile of main · vitals.ward');
  const order = ['>main<', '>classify<', '>&lt;closure&gt;<'].map((n) => html.indexOf(n));
  assert.ok(order.every((i) => i > 0), 'every function is listed, escaped');
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'by total time');
  assert.match(html, /5 pauses \(4 young, 1 old\)/);
  assert.equal((html.match(/class="bar-row"/g) ?? []).length, 3);
  assert.match(html, /width: 100\.0%/);
  assert.match(html, /2\.9 KiB/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<script/);
});

test('a run without collections says so', () => {
  const html = renderProfile({ ...profile, gc: { ...profile.gc, count: 0, histogram: buckets({}) } }, 't');
  assert.match(html, /No collections ran/);
});

test('html is escaped', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test("a program with tasks gets a table of them: each one's body, time on a worker and GC pauses", () => {
  const html = renderProfile(
    {
      ...profile,
      tasks: [
        { id: 0, priority: 'Normal', body: 'main', runMs: 2.5, resumes: 3, gcPauses: 1, gcTotalMs: 0.02, gcMaxMs: 0.02 },
        { id: 2, priority: 'High', body: 'main::{closure}', runMs: 0.75, resumes: 1, gcPauses: 0, gcTotalMs: 0, gcMaxMs: 0 },
      ],
    },
    'Profile of main · pipeline.ward',
  );
  assert.match(html, /<table id="tasks">/);
  assert.match(html, /<td class="name">task 2<\/td><td class="name">main::\{closure\}<\/td><td>High<\/td>/);
  assert.match(html, /GC pauses \(main\)/);
  const plain = renderProfile(profile, 't');
  assert.doesNotMatch(plain, /id="tasks"/);
});
