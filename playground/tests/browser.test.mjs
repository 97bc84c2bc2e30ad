// The playground in a real browser: the system's Chromium driven by playwright-core
// (scripts/test-web installs both and builds the page first). Checks what a coordinator relies
// on: every example program loads clean and passes its scenario tests, every example encounter
// gives byte for byte the decision `offramp route` prints, a broken program shows the
// diagnostic at the line and column `offramp check` gives, the map draws, and the page asks no
// other host for anything. Screenshots go to $PLAYGROUND_SHOTS (default target/playground-shots).
//
// Environment: PLAYGROUND_DIR (the built page, default dist/playground), OFFRAMP_BIN (the
// command, default $CARGO_TARGET_DIR/debug/offramp), CHROMIUM (default /usr/bin/chromium).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { bin, command, root } from '../../bindings/wasm/tests/command.mjs';

const site = resolve(root, process.env.PLAYGROUND_DIR ?? 'dist/playground');
const shots = resolve(root, process.env.PLAYGROUND_SHOTS ?? 'target/playground-shots');
const scratch = mkdtempSync(join(tmpdir(), 'offramp-playground-'));

let browser;
let context;
// Requests for anything but the page's own files: the page must make none.
const foreign = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // Root in CI containers cannot use Chromium's sandbox.
    args: ['--no-sandbox'],
  });
  context = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://') || url.startsWith('http://127.0.0.1:') || url.startsWith('data:')) {
      return route.continue();
    }
    foreign.push(url);
    return route.abort();
  });
});

after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

// Opens the page and waits until the core has loaded and the first example is shown. Errors in
// the page fail the test that opened it.
async function open(url = pathToFileURL(join(site, 'index.html')).href) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, problems };
}

// The command's answer for each encounter (one JSON text each), line by line.
function commandDecisions(name, directory, encounters) {
  const input = join(scratch, `${name}.jsonl`);
  writeFileSync(input, encounters.map((e) => e.json).join('\n') + '\n');
  const args = ['route', '--program', join(root, 'examples/programs', `${name}.toml`), '--errors', 'inline'];
  if (directory) args.push('--providers', join(root, 'examples/providers', `${directory}.json`));
  args.push(input);
  return command(args).split('\n');
}

// An example encounter as the page lays it out in its editor: one field a line.
function laidOut(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

const examples = (page) => page.evaluate(() => window.OFFRAMP_EXAMPLES);

test('every example program loads without diagnostics, passes its scenario tests and draws its map', async () => {
  const { page, problems } = await open();
  const { programs } = await examples(page);
  assert.equal(programs.length, 10);
  for (const p of programs) {
    await page.selectOption('#example', p.name);
    await page.waitForFunction((text) => document.getElementById('program').value === text, p.text);
    const shown = await page.$$eval('#diagnostics li.error, #diagnostics li.warning', (l) => l.map((i) => i.textContent));
    assert.deepEqual(shown, [], p.name);
    assert.equal(await page.getAttribute('#diagnostics', 'data-errors'), '0', p.name);
    const results = await page.$eval('#scenario-results', (el) => ({ ...el.dataset, text: el.textContent }));
    assert.equal(results.failed, '0', `${p.name}: ${results.text}`);
    assert.ok(Number(results.passed) > 0, `${p.name}: no scenario ran`);
    assert.equal(await page.getAttribute('#map', 'data-drawn'), 'true', p.name);
    assert.ok((await page.$$('#map svg *')).length > 10, `${p.name}: the map is empty`);
    assert.equal(await page.$eval('#directory-choice', (s) => s.value), p.directory ?? '', p.name);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("every example encounter gives byte for byte the decision `offramp route` prints", async () => {
  const { page, problems } = await open();
  const { programs } = await examples(page);
  let compared = 0;
  for (const p of programs) {
    await page.selectOption('#example', p.name);
    const want = commandDecisions(p.name, p.directory, p.encounters);
    for (let i = 0; i < p.encounters.length; i++) {
      await page.selectOption('#encounter-example', String(i));
      const where = `${p.name}, example ${i + 1} (${p.encounters[i].label})`;
      const got = await page.$eval('#decision', (el) => ({ ...el.dataset }));
      assert.equal(got.source, laidOut(p.encounters[i].json), `${where}: the page did not route it`);
      if (want[i].startsWith('{"error":')) {
        assert.equal(got.decision, '', where);
        assert.ok(got.error, where);
      } else {
        assert.equal(got.decision, want[i], where);
        compared++;
      }
    }
  }
  assert.ok(compared > 150, `only ${compared} decisions compared`);
  await page.selectOption('#example', 'lead-king-county');
  await page.selectOption('#encounter-example', '0');
  await page.screenshot({ path: join(shots, 'playground.png') });
  await page.screenshot({ path: join(shots, 'playground-full.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a broken program shows its diagnostic at the line and column `offramp check` gives', async () => {
  const { page, problems } = await open();
  await page.selectOption('#example', 'lead-king-county');
  const text = await page.inputValue('#program');
  const broken = text.replace('timezone = "America/Los_Angeles"', 'timezone = "America/Atlantis"');
  assert.notEqual(broken, text);
  const file = join(scratch, 'broken.toml');
  writeFileSync(file, broken);
  let stderr = '';
  try {
    execFileSync(bin, ['check', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    stderr = e.stderr;
  }
  const [, line, column] = stderr.match(/broken\.toml:(\d+):(\d+): error/) ?? [];
  assert.ok(line, `offramp check did not report the error: ${stderr}`);

  await page.fill('#program', broken); // typing: the check runs when the author pauses
  await page.waitForSelector('#diagnostics li.error');
  const errors = await page.$$eval('#diagnostics li.error', (l) => l.map((i) => ({ ...i.dataset, text: i.textContent })));
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.deepEqual([errors[0].line, errors[0].column], [line, column]);
  assert.match(errors[0].text, /time zone|timezone/i);
  const marked = await page.$$eval('#program-marks mark.error', (m) => m.map((x) => x.textContent));
  assert.deepEqual(marked, ['America/Atlantis']);
  assert.equal(await page.getAttribute('#decision', 'data-decision'), '');
  // The map waits for a longer pause, then shows there is nothing to draw.
  await page.waitForFunction(() => document.getElementById('map').dataset.drawn === 'false');
  // Its place button shows it in the editor.
  await page.click('#diagnostics li.error .place');
  const selected = await page.$eval('#program', (t) => t.value.slice(t.selectionStart, t.selectionEnd));
  assert.equal(selected, 'America/Atlantis');
  await page.screenshot({ path: join(shots, 'broken-program.png') });

  // Mending it brings the decision back.
  await page.fill('#program', text);
  await page.waitForFunction(() => document.getElementById('decision').dataset.decision !== '');
  assert.equal(await page.getAttribute('#diagnostics', 'data-errors'), '0');
  await page.waitForFunction(() => document.getElementById('map').dataset.drawn === 'true');
  assert.deepEqual(problems, []);
  await page.close();
});

test('an encounter typed wrong names the field, and the form writes the JSON', async () => {
  const { page, problems } = await open();
  await page.selectOption('#example', 'lead-king-county');
  await page.fill('#encounter', '{"id": "t1", "at": "2026-03-02T14:05:00-08:00", "age": "thirty"}');
  await page.waitForFunction(() => document.getElementById('encounter-error').textContent !== '');
  assert.match(await page.textContent('#encounter-error'), /InvalidEncounter.*\bage\b/);
  assert.equal(await page.getAttribute('#decision', 'data-decision'), '');

  // The form: a misdemeanour possession seen on patrol.
  await page.fill('#encounter', '{"id": "t2", "at": "2026-03-02T14:05:00-08:00"}');
  await page.waitForFunction(() => document.getElementById('decision').dataset.decision !== '');
  await page.selectOption('#encounter-form select[name=responder]', 'law_enforcement');
  await page.selectOption('#encounter-form select[name=source]', 'on_view');
  await page.selectOption('#encounter-form select[name=nibrs]', '35A');
  await page.selectOption('#encounter-form select[name=level]', 'misdemeanor');
  await page.check('#encounter-form input[name=needs][value=sud]');
  const encounter = JSON.parse(await page.inputValue('#encounter'));
  assert.deepEqual(encounter, {
    id: 't2',
    at: '2026-03-02T14:05:00-08:00',
    responder: 'law_enforcement',
    source: 'on_view',
    needs: ['sud'],
    offenses: [{ nibrs: '35A', level: 'misdemeanor' }],
  });
  const decision = JSON.parse(await page.getAttribute('#decision', 'data-decision'));
  assert.equal(decision.disposition, 'pre_arrest_diversion');
  assert.match(await page.textContent('#explanation'), /officer intervention/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('`offramp playground --serve` serves the page, which works under its Content-Security-Policy', async () => {
  const server = spawn(bin, ['playground', '--serve', '0', '--dir', site], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    // The command prints its URL once it listens.
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
      server.stdout.on('data', (chunk) => {
        out += chunk;
        const found = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
        if (found) {
          clearTimeout(timer);
          resolve(found[0]);
        }
      });
      server.on('exit', (code) => reject(new Error(`the server stopped (${code}): ${out}`)));
    });
    const { page, problems } = await open(url);
    const response = await page.request.get(`${url}offramp/offramp_wasm_bg.wasm`);
    assert.equal(response.headers()['content-type'], 'application/wasm');
    assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    await page.selectOption('#example', 'qrt-hamilton-county');
    const decision = JSON.parse(await page.getAttribute('#decision', 'data-decision'));
    assert.equal(decision.program.id, 'qrt-hamilton-county');
    assert.ok(decision.eligible.some((p) => (p.providers ?? []).length > 0), 'no partner listed');
    assert.equal(await page.getAttribute('#map', 'data-drawn'), 'true');
    // A policy violation is reported on the console: there must be none.
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    server.kill('SIGTERM');
  }
});

test('a program opened from a file replaces the text, and saving gives it back', async () => {
  const { page, problems } = await open();
  const file = join(scratch, 'mine.toml');
  const mine = (await page.evaluate(() => window.OFFRAMP_EXAMPLES.programs[3].text)).replace('id = "lead-king-county"', 'id = "my-draft"');
  writeFileSync(file, mine);
  await page.setInputFiles('#program-file', file);
  await page.waitForFunction((text) => document.getElementById('program').value === text, mine);
  await page.waitForFunction(() => document.getElementById('decision').dataset.decision.includes('"my-draft"'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-program')]);
  assert.equal(download.suggestedFilename(), 'my-draft.toml');
  const saved = join(scratch, 'saved.toml');
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, 'utf8'), mine);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the page asks no other host for anything', () => {
  assert.deepEqual(foreign, []);
});
