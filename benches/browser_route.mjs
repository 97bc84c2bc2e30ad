// Route time in a real browser: the built playground (scripts/build-playground) opened in the
// system's Chromium through playwright-core, and inside the page the core's `Router` routing
// every example encounter of a program, again and again. Prints the median time per encounter
// over the rounds, per program, and the same loop's time in Node for comparison.
//
//   node benches/browser_route.mjs [ROUNDS]
//
// Needs playground/tests/node_modules (scripts/test-browser installs it) and the built page in
// $PLAYGROUND_DIR (default dist/playground).

import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'playground/tests/package.json'));
const { chromium } = require('playwright-core');
const site = resolve(root, process.env.PLAYGROUND_DIR ?? 'dist/playground');
const rounds = Number(process.argv[2] ?? 31);

// Runs in the page (and in Node): routes each encounter `repeat` times per round and returns
// the median microseconds per route over the rounds.
function measure(core, program, directory, encounters, rounds) {
  const router = directory ? new core.Router(program, directory) : new core.Router(program);
  const repeat = Math.max(1, Math.ceil(2000 / encounters.length));
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let k = 0; k < repeat; k++) for (const e of encounters) router.route(e);
    times.push(((performance.now() - start) * 1000) / (repeat * encounters.length));
  }
  router.free();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

// Runs in the page (and in Node): the median milliseconds of `map` (the analysis and its SVG),
// as the playground draws the map after each pause in typing.
function measureMap(core, program, runs) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    core.map(program, 'svg');
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const page = await browser.newPage();
await page.goto(pathToFileURL(join(site, 'index.html')).href);
await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
const examples = await page.evaluate(() => window.OFFRAMP_EXAMPLES);
const node = require(join(root, 'bindings/wasm/pkg/offramp_wasm.js'));
console.log(`Chromium ${browser.version()}, ${rounds} rounds; median µs per route (one decision as JSON text)`);
console.log('program | directory | encounters | route, browser (µs) | route, node (µs) | map, browser (ms) | map, node (ms)');
for (const p of examples.programs) {
  const encounters = p.encounters.map((e) => e.json);
  const directory = p.directory ? examples.directories[p.directory] : null;
  const inPage = await page.evaluate(
    ([source, args]) => new Function(`return (${source})`)()(wasm_bindgen, ...args),
    [measure.toString(), [p.text, directory, encounters, rounds]],
  );
  const inNode = measure(node, p.text, directory, encounters, rounds);
  const mapPage = await page.evaluate(
    ([source, args]) => new Function(`return (${source})`)()(wasm_bindgen, ...args),
    [measureMap.toString(), [p.text, 5]],
  );
  const mapNode = measureMap(node, p.text, 5);
  console.log(
    `${p.name} | ${p.directory ?? '-'} | ${encounters.length} | ${inPage.toFixed(2)} | ${inNode.toFixed(2)} | ${mapPage.toFixed(0)} | ${mapNode.toFixed(0)}`,
  );
}
await browser.close();
