// The Profile view's page: the functions' table and the GC pause
// histogram, as static HTML (the webview runs no script).
import { PauseBucket, ProfileResult } from './protocol';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function ms(v: number): string {
  return v < 1 ? v.toFixed(3) : v.toFixed(2);
}

function bytes(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(1)} KiB`;
  }
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A bucket's label: its range of pause times. */
export function bucketLabel(buckets: PauseBucket[], i: number): string {
  const show = (v: number) => (v < 1 ? `${Math.round(v * 1000)} µs` : `${v} ms`);
  const upTo = buckets[i].upToMs;
  const before = i > 0 ? buckets[i - 1].upToMs : null;
  if (upTo === null) {
    return before === null ? 'all' : `> ${show(before)}`;
  }
  return `≤ ${show(upTo)}`;
}

/** The buckets from the first to the last that holds a pause. */
export function shownBuckets(buckets: PauseBucket[]): { bucket: PauseBucket; label: string }[] {
  const first = buckets.findIndex((b) => b.count > 0);
  if (first < 0) {
    return [];
  }
  let last = buckets.length - 1;
  while (last > first && buckets[last].count === 0) {
    last--;
  }
  const out = [];
  for (let i = first; i <= last; i++) {
    out.push({ bucket: buckets[i], label: bucketLabel(buckets, i) });
  }
  return out;
}

export function renderProfile(result: ProfileResult, title: string): string {
  const functions = [...result.functions].sort((a, b) => b.totalMs - a.totalMs);
  const rows = functions
    .map(
      (f) =>
        `<tr><td class="name">${escapeHtml(f.name)}</td><td>${f.calls}</td>` +
        `<td>${ms(f.totalMs)}</td><td>${ms(f.selfMs)}</td>` +
        `<td>${f.allocations}</td><td>${bytes(f.allocatedBytes)}</td></tr>`,
    )
    .join('\n');
  const taskRows = (result.tasks ?? [])
    .map(
      (t) =>
        `<tr><td class="name">${t.id === 0 ? 'main' : `task ${t.id}`}</td>` +
        `<td class="name">${escapeHtml(t.body)}</td><td>${escapeHtml(t.priority)}</td>` +
        `<td>${ms(t.runMs)}</td><td>${t.resumes}</td>` +
        `<td>${t.gcPauses}</td><td>${ms(t.gcTotalMs)}</td><td>${ms(t.gcMaxMs)}</td></tr>`,
    )
    .join('\n');
  const tasks =
    taskRows === ''
      ? ''
      : `<h3>Tasks</h3>
<table id="tasks">
<thead><tr><th>task</th><th>runs</th><th>priority</th><th>time on a worker ms</th><th>resumed</th><th>GC pauses</th><th>GC total ms</th><th>GC max ms</th></tr></thead>
<tbody>
${taskRows}
</tbody>
</table>
`;
  const gc = result.gc;
  const shown = shownBuckets(gc.histogram ?? []);
  const most = Math.max(1, ...shown.map((s) => s.bucket.count));
  const bars = shown
    .map(
      (s) =>
        `<div class="bar-row"><span class="label">${escapeHtml(s.label)}</span>` +
        `<span class="bar" style="width: ${((s.bucket.count / most) * 100).toFixed(1)}%"></span>` +
        `<span class="count">${s.bucket.count}</span></div>`,
    )
    .join('\n');
  const histogram =
    gc.count === 0
      ? '<p class="empty">No collections ran: the program did not fill the nursery.</p>'
      : `<div class="histogram" aria-label="GC pause histogram">\n${bars}\n</div>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
  table { border-collapse: collapse; margin-bottom: 1.5em; }
  th, td { padding: 2px 12px; text-align: right; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
  th:first-child, td.name { text-align: left; font-family: var(--vscode-editor-font-family); }
  .bar-row { display: flex; align-items: center; gap: 8px; margin: 2px 0; }
  .label { width: 7em; text-align: right; font-variant-numeric: tabular-nums; }
  .bar { display: inline-block; height: 1em; min-width: 2px; background: var(--vscode-charts-blue, #3794ff); }
  .count { font-variant-numeric: tabular-nums; }
  .histogram { max-width: 40em; }
</style>
</head>
<body>
<h2>${escapeHtml(title)}</h2>
<h3>Functions</h3>
<table id="functions">
<thead><tr><th>function</th><th>calls</th><th>total ms</th><th>self ms</th><th>allocations</th><th>allocated</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${tasks}<h3>GC pauses${taskRows === '' ? '' : ' (main)'}</h3>
<p id="gc-summary">${gc.count} pause${gc.count === 1 ? '' : 's'} (${gc.youngCollections} young, ${gc.oldCollections} old) · total ${ms(gc.totalMs)} ms · p50 ${ms(gc.p50Ms)} ms · p99 ${ms(gc.p99Ms)} ms · max ${ms(gc.maxMs)} ms</p>
${histogram}
</body>
</html>`;
}
