// The packaged Ward extension in a real VS Code: code-server serves the
// workbench on 127.0.0.1, Debian's Chromium (driven by playwright-core)
// renders it. The test installs the .vsix, opens the borrow-error example
// and checks what a user sees: the Problems panel, inlay hints, hovers,
// and the output of `▶ Run`. Screenshots go to WARD_E2E_SCREENSHOTS.
'use strict';
const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const repo = path.resolve(__dirname, '..', '..', '..');
const shots = process.env.WARD_E2E_SCREENSHOTS || path.join(repo, 'target', 'e2e-screenshots');
const codeServer = path.join(__dirname, 'node_modules', '.bin', 'code-server');
const chromiumPath = process.env.WARD_E2E_CHROMIUM || '/usr/bin/chromium';
const STEP = 60_000;
const EDITOR_LINES = '.editor-instance .monaco-editor .view-line';

function newestVsix() {
  if (process.env.WARD_VSIX) {
    return path.resolve(process.env.WARD_VSIX);
  }
  const dir = path.join(__dirname, '..');
  const found = fs
    .readdirSync(dir)
    .filter((f) => /^ward-.*\.vsix$/.test(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  assert.ok(found.length > 0, 'no ward-*.vsix: run `npx @vscode/vsce package` in editors/vscode first');
  return found[0];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

let tmp;
let workspace;
let server;
let context;
let page;
let serverLog = '';

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ward-e2e-'));
  workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(repo, 'examples'), workspace, { recursive: true });
  const userData = path.join(tmp, 'user');
  const extensions = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.colorTheme': 'Default Dark Modern',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'editor.inlayHints.enabled': 'on',
        'editor.minimap.enabled': false,
        'editor.hover.delay': 100,
        'window.restoreWindows': 'none',
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
      null,
      2,
    ),
  );
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_DATA_HOME: path.join(tmp, 'data') };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
  const installed = execFileSync(codeServer, [...common, '--install-extension', newestVsix(), '--force'], {
    env,
    encoding: 'utf8',
  });
  assert.match(installed, /successfully installed/, installed);
  const listed = execFileSync(codeServer, [...common, '--list-extensions', '--show-versions'], {
    env,
    encoding: 'utf8',
  });
  assert.match(listed, /^ward-lang\.ward@0\.1\.0$/m, listed);

  const port = await freePort();
  server = spawn(
    codeServer,
    [
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = (chunk) => {
    serverLog += chunk.toString();
  };
  server.stdout.on('data', log);
  server.stderr.on('data', log);
  const deadline = Date.now() + STEP;
  while (!(await healthy(port))) {
    assert.ok(Date.now() < deadline, `code-server did not come up:\n${serverLog}`);
    assert.equal(server.exitCode, null, `code-server exited:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('.statusbar').waitFor();
});

after(async () => {
  await context?.close().catch(() => {});
  server?.kill('SIGTERM');
  if (tmp) {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

async function shoot(name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** Runs a step; on failure saves a screenshot and the server's log. */
async function step(name, f) {
  try {
    await f();
  } catch (e) {
    await shoot(`failed-${name}`).catch(() => {});
    fs.writeFileSync(path.join(shots, 'code-server.log'), serverLog);
    throw e;
  }
}

/** The text as rendered: Monaco draws spaces as no-break spaces. */
function plain(text) {
  return (text ?? '').replace(/\u00a0/g, ' ');
}

/** Types into a Quick Open box (after `key` opened it) and accepts the
 * first entry showing `entry`. */
async function quickInput(key, text, entry) {
  await page.keyboard.press(key);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(text);
  if (entry !== undefined) {
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: entry }).first().waitFor();
  }
  await page.keyboard.press('Enter');
}

async function command(title) {
  await quickInput('F1', `>${title}`, title);
}

async function openFile(name) {
  await quickInput('Control+P', name, name);
  await page.locator('.tab.active', { hasText: name }).waitFor();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
}

async function goTo(line, column) {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  // Quick Open's `:` mode is Go to Line (Ctrl+G is not reliable in a
  // browser).
  await quickInput('Control+P', `:${line}:${column}`);
}

/** Reveals a symbol of the active editor through Quick Open's `@` mode. */
async function goToSymbol(name) {
  await quickInput('Control+P', `@${name}`, name);
}

/** Waits until an element under `selector` shows `text` (`how`: includes,
 * startsWith or equals; no-break spaces read as spaces). */
async function waitForText(selector, text, how = 'includes') {
  await page.waitForFunction(
    ({ selector, text, how }) =>
      [...document.querySelectorAll(selector)].some((el) => {
        const shown = el.textContent.replace(/\u00a0/g, ' ');
        return how === 'equals' ? shown === text : shown[how](text);
      }),
    { selector, text, how },
    { timeout: STEP },
  );
}

/** The rendered text of the editor line that contains `needle`. */
async function renderedLine(needle) {
  const lines = page.locator(EDITOR_LINES);
  const texts = (await lines.allTextContents()).map(plain);
  return texts.find((t) => t.includes(needle));
}

test('the Problems panel lists the borrow error with its code', async () => {
  await step('problems', async () => {
    await openFile('borrow_errors.ward');
    await page.locator('.statusbar-item', { hasText: 'Ward' }).first().waitFor();
    await command('View: Focus Problems');
    const panel = page.locator('.markers-panel');
    const row = panel.locator('.monaco-list-row', { hasText: 'W0382' }).first();
    await row.waitFor();
    const text = plain(await panel.textContent());
    assert.match(text, /borrow of moved value: `p`/);
    assert.match(text, /value moved here/);
    assert.match(text, /W0499/);
    // Every diagnostic of the file, as the Problems badge counts them (the
    // badge updates a moment after the rows).
    await waitForText('.part.panel .badge-content', '7', 'equals');
    await shoot('problems');
  });
});

test('inlay hints are rendered in the editor', async () => {
  await step('inlay-hints', async () => {
    await goTo(32, 1);
    // The source line is `let first = &mut beds;`: the type comes from a hint.
    await waitForText(EDITOR_LINES, 'let first: &mut List<int> = &mut beds;');
    assert.equal(await renderedLine('let first'), '    let first: &mut List<int> = &mut beds;');
    await shoot('inlay-hints');
  });
});

test('hovering a moved value shows its ownership state', async () => {
  await step('hover', async () => {
    // `p` in `consume(p);` on line 16.
    await goTo(16, 13);
    await command('Show or Focus Hover');
    const hover = page.locator('.monaco-hover:visible', { hasText: 'moved here' });
    await hover.waitFor();
    const text = plain(await hover.textContent());
    assert.match(text, /let p: Patient/);
    await shoot('hover');
    await page.keyboard.press('Escape');
  });
});

test('Show Syntax Tree opens the server\'s tree beside the file', async () => {
  await step('syntax-tree', async () => {
    await command('Ward: Show Syntax Tree');
    await page.locator('.tab', { hasText: 'borrow_errors.ward.tree' }).waitFor();
    await waitForText(EDITOR_LINES, '(source_file [0, 0]', 'startsWith');
    await shoot('syntax-tree');
  });
});

test('clicking ▶ Run on another example shows its output', async () => {
  await step('run', async () => {
    await openFile('vitals_monitor.ward');
    await goToSymbol('main');
    const lens = page.locator('.codelens-decoration a:visible', { hasText: '▶ Run' }).first();
    await lens.waitFor();
    await lens.click();
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await waitForText('.part.panel .monaco-editor .view-lines', '■ exit code 0');
    const text = plain(await output.first().textContent());
    assert.match(text, /▶ Run main · vitals_monitor\.ward/);
    assert.match(text, /bed-02 +HR 131/);
    await shoot('run');
  });
});

test('⏱ Profile opens the functions table and the GC pause histogram', async () => {
  await step('profile', async () => {
    // gc_graph.ward makes the collector run, so the histogram has bars.
    await openFile('gc_graph.ward');
    await goToSymbol('main');
    const lens = page.locator('.codelens-decoration a:visible', { hasText: 'Profile' }).first();
    await lens.waitFor();
    await lens.click();
    await page.locator('.tab', { hasText: 'Profile of main' }).waitFor();
    const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await view.locator('#functions td.name', { hasText: 'main' }).first().waitFor();
    assert.match(await view.locator('#gc-summary').textContent(), /^[1-9][0-9]* pauses?/);
    assert.ok((await view.locator('.histogram .bar-row').count()) >= 1, 'the histogram has a bar');
    await shoot('profile');
  });
});
