// Tests of the WebAssembly build through Node (`node --test`), after scripts/build-wasm:
// the example programs check clean, every example encounter routes to the same bytes as the
// `offramp route` command prints, and errors carry their line, column and field.
//
// OFFRAMP_BIN names the command to compare with (scripts/test-web builds it); by default
// $CARGO_TARGET_DIR/debug/offramp, or target/debug/offramp.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const require = createRequire(import.meta.url);
const offramp = require(join(root, 'bindings/wasm/pkg/offramp_wasm.js'));

const programs = join(root, 'examples/programs');
const encounters = join(root, 'examples/encounters');
const bin =
  process.env.OFFRAMP_BIN ??
  join(resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug/offramp');

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
    let out;
    try {
      // --errors inline: output line N answers input line N, a decision or an error record.
      out = execFileSync(bin, ['route', '--program', program, '--errors', 'inline', input], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      // Exit code 1: some lines failed, the others were routed.
      if (e.status !== 1) throw e;
      out = e.stdout;
    }
    const cli = out.split('\n');
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
