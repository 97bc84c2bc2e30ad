// The npm package layout (bindings/wasm/package.json), after scripts/build-wasm: the package
// imports by its name, the Node build with `import` and `require`, the web build with
// `initSync`; every entry point names a file that exists; the version is the workspace's; the
// TypeScript declarations type what the functions return.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wasm = resolve(here, '..');
const root = resolve(wasm, '../..');
const pkg = JSON.parse(readFileSync(join(wasm, 'package.json'), 'utf8'));

const lead = readFileSync(join(root, 'examples/programs/lead-king-county.toml'), 'utf8');
const encounter = readFileSync(join(root, 'examples/encounters/lead-king-county.jsonl'), 'utf8').split('\n')[0];

/** Every file path an entry of package.json names. */
function targets(value) {
  if (typeof value === 'string') return [value];
  return Object.values(value).flatMap(targets);
}

test('every entry point of package.json names a built file', () => {
  const paths = [pkg.main, pkg.module, pkg.types, ...targets(pkg.exports)];
  for (const p of paths) assert.ok(existsSync(join(wasm, p)), `${p} is missing: run scripts/build-wasm`);
  for (const p of pkg.files) assert.ok(existsSync(join(wasm, p)), p);
});

test('the version is the workspace version', () => {
  const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
  const workspace = cargo.slice(cargo.indexOf('[workspace.package]'));
  const [, version] = workspace.match(/^version = "([^"]+)"/m) ?? [];
  assert.equal(pkg.version, version);
});

test('the package imports by its name, for Node and for the web', async () => {
  // A file inside the package reaches it by its own name, through "exports".
  const imported = await import(pkg.name);
  const required = createRequire(import.meta.url)(pkg.name);
  for (const m of [imported, required]) {
    assert.equal(m.version(), pkg.version);
    assert.equal(typeof m.runScenarios, 'function');
    assert.ok(new m.Router(lead).route(encounter).startsWith('{'));
  }
  const want = required.route(lead, encounter);

  // The web build: an ES module, initialised with the .wasm's bytes (a page passes its URL).
  const web = await import(`${pkg.name}/web`);
  const bytes = readFileSync(fileURLToPath(import.meta.resolve(`${pkg.name}/web/offramp_wasm_bg.wasm`)));
  web.initSync({ module: bytes });
  assert.equal(web.version(), pkg.version);
  assert.equal(web.route(lead, encounter), want);
  assert.deepEqual(web.analyze(lead), required.analyze(lead));
});

test('the TypeScript declarations type the objects returned', () => {
  for (const build of ['pkg', 'pkg-web']) {
    const dts = readFileSync(join(wasm, build, 'offramp_wasm.d.ts'), 'utf8');
    for (const line of [
      'export function check(program: string): Diagnostic[];',
      'export function runScenarios(program: string, scenarios: string): ScenarioRun;',
      'export function analyze(program: string): Analysis;',
      'export function analyzeText(program: string): string;',
      'export function map(program: string, format?: MapFormat | null): string;',
      'constructor(program: string, directory?: string | null);',
      'needsInformation(encounter: string): string;',
      'directoryWarnings(): string[];',
      'export interface ScenarioRun {',
      'export interface Diagnostic {',
      'export interface OfframpError extends Error {',
    ]) {
      assert.ok(dts.includes(line), `${build}: no \`${line}\``);
    }
  }
});
