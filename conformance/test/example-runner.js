// The example test runner (cmd/agentry-example-runner), built and started
// for the conformance tests of batch tests: `agentry serve
// --test-runner-url` points at it.

import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';

import { repoRoot } from './harness.js';

const execFileP = promisify(execFile);

// buildRunner returns the path of the example runner: AGENTRY_EXAMPLE_RUNNER_BIN
// when set, otherwise a `go build` into a per-checkout cache directory.
let binPromise;
function buildRunner() {
  if (process.env.AGENTRY_EXAMPLE_RUNNER_BIN) return Promise.resolve(path.resolve(process.env.AGENTRY_EXAMPLE_RUNNER_BIN));
  binPromise ??= (async () => {
    const tag = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'u';
    const dir = path.join(os.tmpdir(), `agentry-conformance-${uid}-${tag}`);
    await mkdir(dir, { recursive: true });
    const bin = path.join(dir, 'agentry-example-runner');
    try {
      await execFileP('go', ['build', '-o', bin, './cmd/agentry-example-runner'], { cwd: repoRoot, maxBuffer: 16 << 20 });
    } catch (err) {
      throw new Error(`go build ./cmd/agentry-example-runner failed:\n${err.stderr || err.message}`);
    }
    return bin;
  })();
  return binPromise;
}

// startRunner starts the example runner on a free port and returns its URL
// (the first line it prints) and a stop function.
export async function startRunner() {
  const bin = await buildRunner();
  const child = spawn(bin, ['--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killOnExit);
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the example runner printed no URL within 10 s')), 10_000);
    lines.once('line', (line) => { clearTimeout(t); resolve(line.trim()); });
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`the example runner exited (${code})`)); });
  });
  async function stop() {
    process.off('exit', killOnExit);
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
  return { url, stop };
}
