// The `offramp` command the JavaScript tests compare with (these and playground/tests/), and
// how they run it. Not a test file itself: node --test runs only `*.test.mjs` here.
//
// OFFRAMP_BIN names the command (scripts/test-web builds it); by default
// $CARGO_TARGET_DIR/debug/offramp, or target/debug/offramp, under the repository's root.

import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The `offramp` command. */
export const bin =
  process.env.OFFRAMP_BIN ??
  join(resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug/offramp');

/**
 * What the command prints on standard output. Exit code 1 (some lines or scenarios failed,
 * every other one answered) is an answer too; any other failure throws.
 */
export function command(args) {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status !== 1) throw e;
    return e.stdout;
  }
}
