// The authoring tools through Node: scenario tests, the analysis and the SIM map of every example
// program give what the `offramp` command prints, byte for byte. Run after scripts/build-wasm,
// with the command at OFFRAMP_BIN (scripts/test-web builds both).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { bin, command, root } from './command.mjs';

const require = createRequire(import.meta.url);
const offramp = require(join(root, 'bindings/wasm/pkg/offramp_wasm.js'));

const programs = join(root, 'examples/programs');
const scenarios = join(root, 'tests/scenarios');
const examples = readdirSync(programs)
  .filter((f) => f.endsWith('.toml'))
  .sort()
  .map((f) => basename(f, '.toml'));

function needCommand() {
  if (!existsSync(bin)) assert.fail(`no offramp command at ${bin}`);
}

/** Runs `body` with a fresh temporary folder, removed afterwards. */
function withFolder(body) {
  const folder = mkdtempSync(join(tmpdir(), 'offramp-wasm-'));
  try {
    return body(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

test('every example program passes its scenarios, with the text `offramp test` prints', (t) => {
  needCommand();
  assert.equal(examples.length, 10);
  let total = 0;
  for (const name of examples) {
    const program = join(programs, `${name}.toml`);
    const file = join(scenarios, `${name}.toml`);
    assert.ok(existsSync(file), `no scenario file for ${name}`);
    const run = offramp.runScenarios(readFileSync(program, 'utf8'), readFileSync(file, 'utf8'));
    assert.equal(run.text, command(['test', program, '--scenarios', file]), name);
    assert.equal(run.failed, 0, run.text);
    assert.ok(run.passed > 0, name);
    assert.equal(run.results.length, run.passed + run.failed);
    assert.ok(run.results.every((r) => r.passed && r.mismatches.length === 0), name);
    assert.equal(typeof run.program, 'string');
    total += run.passed;
  }
  t.diagnostic(`${total} scenarios passed in WebAssembly`);
});

test('a failing scenario reads as the command prints it', () => {
  needCommand();
  const name = 'lead-king-county';
  const program = join(programs, `${name}.toml`);
  const text = readFileSync(program, 'utf8');
  const good = readFileSync(join(scenarios, `${name}.toml`), 'utf8');
  // Every expected disposition turned into another one: each scenario fails.
  const bad = good.replace(/^disposition = "(\w+)"/gm, (_, d) =>
    d === 'deflection' ? 'disposition = "none"' : 'disposition = "deflection"',
  );
  assert.notEqual(bad, good);
  withFolder((folder) => {
    const file = join(folder, 'bad.toml');
    writeFileSync(file, bad);
    const run = offramp.runScenarios(text, bad);
    assert.ok(run.failed > 0);
    assert.equal(run.text, command(['test', program, '--scenarios', file]));
    assert.match(run.text, /^FAIL /m);
    const failed = run.results.find((r) => !r.passed);
    assert.equal(failed.mismatches[0].check, 'disposition');
    assert.ok(failed.reasons.length >= 0);
  });
});

test('a scenario file that does not load throws InvalidScenarios at its line and column', () => {
  const text = readFileSync(join(programs, 'lead-king-county.toml'), 'utf8');
  assert.throws(
    () => offramp.runScenarios(text, '[[scenario]]\nname = "x"\nnot_a_key = 1\n'),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'InvalidScenarios');
      assert.ok(e.line > 0 && e.column > 0, `${e.line}:${e.column}`);
      assert.ok(e.detail.length > 0);
      assert.ok(e.diagnostics.length > 0);
      assert.equal(e.diagnostics[0].file, 'scenarios.toml');
      assert.equal(e.diagnostics[0].code, 'offramp::scenarios');
      return true;
    },
  );
  assert.throws(() => offramp.runScenarios('[program', ''), { name: 'InvalidProgram' });
});

test('every example program analyses and maps as `offramp analyze` does', (t) => {
  needCommand();
  withFolder((folder) => {
    for (const name of examples) {
      const program = join(programs, `${name}.toml`);
      const text = readFileSync(program, 'utf8');
      const out = join(folder, `${name}.svg`);
      const json = command(['analyze', program, '--format', 'json', '--map', out]);
      assert.deepEqual(offramp.analyze(text), JSON.parse(json), name);
      assert.equal(offramp.map(text), readFileSync(out, 'utf8'), name);
      assert.equal(offramp.map(text, 'svg'), readFileSync(out, 'utf8'), name);
      assert.equal(offramp.analyzeText(text), command(['analyze', program]), name);
    }
    // The other formats, for one program.
    const program = join(programs, 'lead-king-county.toml');
    const text = readFileSync(program, 'utf8');
    for (const format of ['mermaid', 'html']) {
      const out = join(folder, `map.${format}`);
      command(['analyze', program, '--map', out, '--map-format', format]);
      assert.equal(offramp.map(text, format), readFileSync(out, 'utf8'), format);
    }
  });
  t.diagnostic(`${examples.length} programs analysed and mapped`);
});

test('analysis errors: too large, a bad format, a broken program', () => {
  const names = Array.from({ length: 24 }, (_, i) => `a${i}`);
  const wide = [
    '[program]',
    'id = "wide"',
    'jurisdiction = "Test County, XX"',
    'timezone = "America/Chicago"',
    ...names.flatMap((n) => [`[attributes.${n}]`, 'type = "bool"']),
    '[[pathways]]',
    'pathway = "self_referral"',
    '[[pathways.rules]]',
    'id = "all"',
    `when = "${names.map((n) => `attributes.${n}`).join(' or ')}"`,
    '',
  ].join('\n');
  assert.deepEqual(offramp.check(wide).filter((d) => d.severity === 'error'), []);
  for (const call of [offramp.analyze, offramp.analyzeText, offramp.map]) {
    assert.throws(
      () => call(wide),
      (e) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, 'AnalysisTooLarge');
        assert.ok(e.message.includes('too many fields'), e.message);
        return true;
      },
    );
  }
  const text = readFileSync(join(programs, 'lead-king-county.toml'), 'utf8');
  assert.throws(
    () => offramp.map(text, 'png-secret'),
    (e) => {
      assert.equal(e.name, 'InvalidArgument');
      assert.ok(!e.message.includes('secret'), e.message);
      assert.ok(e.message.includes('svg'), e.message);
      return true;
    },
  );
  assert.throws(() => offramp.analyze('[program'), { name: 'InvalidProgram', line: 1 });
});
