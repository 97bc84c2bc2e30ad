// Tests of the WebAssembly build through Node (`node --test`), after scripts/build-wasm:
// the example programs check clean, every example encounter routes to the same bytes as the
// `offramp route` command prints, and errors carry their line, column and field.
//
// OFFRAMP_BIN names the command to compare with (scripts/test-web builds it); by default
// $CARGO_TARGET_DIR/debug/offramp, or target/debug/offramp.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { bin, command, root } from './command.mjs';

const require = createRequire(import.meta.url);
const offramp = require(join(root, 'bindings/wasm/pkg/offramp_wasm.js'));

const programs = join(root, 'examples/programs');
const encounters = join(root, 'examples/encounters');
const providers = join(root, 'examples/providers');

// Which program each encounter file is for: the program of the same name; `bad-lines` is the
// LEAD program's file of broken lines (as in the command's tests).
function programFor(file) {
  const name = basename(file, '.jsonl');
  return join(programs, `${name === 'bad-lines' ? 'lead-king-county' : name}.toml`);
}

test('every example program checks without errors', () => {
  const files = readdirSync(programs).filter((f) => f.endsWith('.toml'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const diagnostics = offramp.check(readFileSync(join(programs, f), 'utf8'));
    assert.ok(Array.isArray(diagnostics), f);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], f);
  }
});

test('route gives the bytes `offramp route` prints, line by line', (t) => {
  if (!existsSync(bin)) {
    assert.fail(`no offramp command at ${bin}: build it (cargo build -p offramp-cli) or set OFFRAMP_BIN`);
  }
  const files = readdirSync(encounters).filter((f) => f.endsWith('.jsonl'));
  assert.ok(files.length > 0);
  let decisions = 0;
  let failures = 0;
  for (const f of files) {
    const program = programFor(f);
    assert.ok(existsSync(program), `no program for ${f}`);
    const input = join(encounters, f);
    // --errors inline: output line N answers input line N, a decision or an error record.
    const cli = command(['route', '--program', program, '--errors', 'inline', input]).split('\n');
    const lines = readFileSync(input, 'utf8').split('\n');
    const text = readFileSync(program, 'utf8');
    const router = new offramp.Router(text);
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const want = cli[i];
      const where = `${f}:${i + 1}`;
      if (want.startsWith('{"error":')) {
        const { error } = JSON.parse(want);
        assert.throws(
          () => offramp.route(text, line),
          (e) => {
            assert.ok(e instanceof Error, where);
            assert.equal(e.name, 'InvalidEncounter', where);
            assert.equal(e.field, error.field, where);
            assert.equal(e.detail, error.message, where);
            assert.equal(e.column, error.column, where);
            return true;
          },
          where,
        );
        failures += 1;
        assert.throws(() => router.route(line), { name: 'InvalidEncounter', field: error.field }, where);
      } else {
        assert.equal(offramp.route(text, line), want, where);
        assert.equal(router.route(line), want, where);
        decisions += 1;
      }
    });
  }
  t.diagnostic(`${decisions} decisions and ${failures} failed lines compared`);
  assert.ok(decisions > 0 && failures > 0);
});

test('explain and trace answer the example encounters', () => {
  const text = readFileSync(join(programs, 'lead-king-county.toml'), 'utf8');
  const line = readFileSync(join(encounters, 'lead-king-county.jsonl'), 'utf8').split('\n')[0];
  const decision = JSON.parse(offramp.route(text, line));
  const sentences = offramp.explain(text, line);
  assert.ok(sentences.includes(decision.encounter_id));
  const trace = JSON.parse(offramp.trace(text, line));
  assert.deepEqual(trace.decision, decision);
  assert.ok(offramp.traceText(text, line).startsWith(sentences));
});

test('explain is the text `offramp explain` prints', () => {
  if (!existsSync(bin)) assert.fail(`no offramp command at ${bin}`);
  const program = join(programs, 'qrt-hamilton-county.toml');
  const text = readFileSync(program, 'utf8');
  const router = new offramp.Router(text);
  const lines = readFileSync(join(encounters, 'qrt-hamilton-county.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  for (const line of lines) {
    const want = execFileSync(bin, ['explain', '--program', program, line], { encoding: 'utf8' });
    assert.equal(offramp.explain(text, line), want);
    assert.equal(router.explain(line), want);
  }
});

test('a broken program gives a diagnostic at the right line and column', () => {
  const good = readFileSync(join(programs, 'lead-king-county.toml'), 'utf8').split('\n');
  const n = good.findIndex((l) => l === 'when = "flags has weapon"');
  assert.ok(n >= 0, 'the LEAD program has a weapon exclusion');
  const broken = [...good];
  broken[n] = 'when = "flags has wepon"';
  const text = broken.join('\n');
  const column = broken[n].indexOf('wepon') + 1;

  const diagnostics = offramp.check(text);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(diagnostics));
  const [d] = errors;
  assert.equal(d.file, 'program.toml');
  assert.equal(d.code, 'offramp::program');
  assert.equal(d.line, n + 1);
  assert.equal(d.column, column);
  assert.ok(d.message.length > 0);
  assert.ok(d.rendered.includes('wepon'));

  const encounter = readFileSync(join(encounters, 'lead-king-county.jsonl'), 'utf8').split('\n')[0];
  assert.throws(
    () => offramp.route(text, encounter),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'InvalidProgram');
      assert.equal(e.line, n + 1);
      assert.equal(e.column, column);
      assert.equal(e.detail, d.message);
      assert.equal(e.diagnostics.length, 1);
      return true;
    },
  );

  assert.throws(() => new offramp.Router(text), { name: 'InvalidProgram', line: n + 1, column });

  // A TOML syntax error is placed too.
  const syntax = offramp.check('[program\nid = "x"\n');
  assert.equal(syntax[0].severity, 'error');
  assert.equal(syntax[0].line, 1);
  assert.ok(syntax[0].column > 0);
});

test('a bad encounter throws an Error naming the field, never the value', () => {
  const text = readFileSync(join(programs, 'lead-king-county.toml'), 'utf8');
  const cases = [
    ['{"id":"e-1","at":"2026-03-02T14:05:00-08:00","age":"very-secret-age"}', 'age'],
    ['{"id":"e-1","at":"2026-03-02T14:05:00-08:00","offenses":[{"nibrs":"ZZZ-secret"}]}', 'offenses[0].nibrs'],
  ];
  for (const [encounter, field] of cases) {
    for (const call of [offramp.route, offramp.explain, offramp.trace, offramp.traceText]) {
      assert.throws(
        () => call(text, encounter),
        (e) => {
          assert.ok(e instanceof Error);
          assert.equal(e.name, 'InvalidEncounter');
          assert.equal(e.field, field);
          assert.equal(e.line, 1);
          assert.ok(e.column > 0);
          assert.ok(!e.message.includes('secret'), e.message);
          return true;
        },
      );
    }
  }
  assert.throws(() => offramp.route(text, 'not json'), { name: 'InvalidEncounter' });
});

test('version is the workspace version', () => {
  assert.match(offramp.version(), /^\d+\.\d+\.\d+/);
});

// The example directories and the programs they serve.
const paired = Object.entries(
  JSON.parse(readFileSync(join(root, 'examples/directories.json'), 'utf8')).serves,
);

test('with a directory, route and explain give what `--providers` prints', (t) => {
  if (!existsSync(bin)) assert.fail(`no offramp command at ${bin}`);
  let compared = 0;
  let partners = 0;
  for (const [name, directory] of paired) {
    const program = join(programs, `${name}.toml`);
    const dir = join(providers, `${directory}.json`);
    const input = join(encounters, `${name}.jsonl`);
    const router = new offramp.Router(readFileSync(program, 'utf8'), readFileSync(dir, 'utf8'));
    assert.deepEqual(router.directoryWarnings(), [], name);
    const cli = command(['route', '--program', program, '--providers', dir, '--errors', 'inline', input]).split('\n');
    const lines = readFileSync(input, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '' || cli[i].startsWith('{"error":')) return;
      const where = `${name}:${i + 1}`;
      const decision = router.route(line);
      assert.equal(decision, cli[i], where);
      if (decision.includes('"providers":[{')) partners += 1;
      const sentences = command(['explain', '--program', program, '--providers', dir, line]);
      assert.equal(router.explain(line), sentences, where);
      compared += 1;
    });
  }
  t.diagnostic(`${compared} decisions with partners compared, ${partners} with partner options`);
  assert.ok(compared > 0 && partners > 0);
});

test('a directory with something incomplete warns as the command does', () => {
  if (!existsSync(bin)) assert.fail(`no offramp command at ${bin}`);
  const [name, directory] = paired[0];
  const program = join(programs, `${name}.toml`);
  // The first service with no schedules anywhere: it has no published hours.
  const services = JSON.parse(readFileSync(join(providers, `${directory}.json`), 'utf8'));
  const strip = (v) => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'schedules').map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  services[0] = strip(services[0]);
  const text = JSON.stringify(services, null, 2);
  const folder = mkdtempSync(join(tmpdir(), 'offramp-wasm-'));
  try {
    const file = join(folder, 'directory.json');
    writeFileSync(file, text);
    const input = join(folder, 'one.jsonl');
    writeFileSync(input, readFileSync(join(encounters, `${name}.jsonl`), 'utf8').split('\n')[0] + '\n');
    const router = new offramp.Router(readFileSync(program, 'utf8'), text);
    const warnings = router.directoryWarnings();
    assert.ok(warnings.length > 0);
    assert.ok(warnings.every((w) => w.startsWith('directory.json: ')), warnings.join('\n'));
    // The command names the file by its path; the page's directory is `directory.json`.
    const cli = spawnSync(bin, ['route', '--program', program, '--providers', file, input], { encoding: 'utf8' });
    const printed = cli.stderr
      .split('\n')
      .filter((l) => l.startsWith('warning: '))
      .map((l) => l.slice('warning: '.length).replace(file, 'directory.json'));
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual(warnings.slice(0, 20), printed);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a directory that does not load throws InvalidDirectory at its line and column', () => {
  const text = readFileSync(join(programs, 'lead-king-county.toml'), 'utf8');
  assert.throws(
    () => new offramp.Router(text, '[\n  {"id": }\n]'),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'InvalidDirectory');
      assert.equal(e.line, 2);
      assert.equal(e.column, 10);
      assert.ok(e.detail.startsWith('not valid JSON'), e.detail);
      assert.equal(e.diagnostics.length, 1);
      assert.equal(e.diagnostics[0].file, 'directory.json');
      assert.equal(e.diagnostics[0].code, 'offramp::directory');
      return true;
    },
  );
  // A program that does not load is reported first, as the command does.
  assert.throws(() => new offramp.Router('[program', '[]'), { name: 'InvalidProgram' });
  // No directory, or an explicit undefined or null: the router of old.
  for (const none of [undefined, null]) {
    assert.deepEqual(new offramp.Router(text, none).directoryWarnings(), []);
  }
});

test('the router traces and says what information is needed', () => {
  const text = readFileSync(join(programs, 'lead-king-county.toml'), 'utf8');
  const router = new offramp.Router(text);
  const lines = readFileSync(join(encounters, 'lead-king-county.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  let asked = 0;
  for (const line of lines) {
    let decision;
    try {
      decision = JSON.parse(router.route(line));
    } catch (e) {
      assert.equal(e.name, 'InvalidEncounter');
      assert.throws(() => router.needsInformation(line), { name: 'InvalidEncounter' });
      continue;
    }
    const needs = JSON.parse(router.needsInformation(line));
    assert.deepEqual(needs, decision.needs_information ?? []);
    asked += needs.length;
    assert.equal(router.trace(line), offramp.trace(text, line));
    assert.equal(router.traceText(line), offramp.traceText(text, line));
  }
  assert.ok(asked > 0, 'some example encounter leaves a field to ask for');
});
