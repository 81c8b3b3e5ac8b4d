// The README's examples, run as written: the blocks it marks with
// <!-- readme-test: ... --> run in order, in one bash session, in a fresh
// copy of the checkout (so `go build -o bin/agentry` and ./agentry.db land
// there), and what each prints is compared with the output the README shows.
//
// Markers (an HTML comment on the line right before a fenced block):
//   <!-- readme-test: run -->        the block is shell: run it
//   <!-- readme-test: file NAME -->  the block is saved as NAME in the session's directory
//   <!-- readme-test: output -->     the block is what the run block before it prints
//                                    on stdout; … stands for any text within a line
//
// The session's environment is the caller's without AGENTRY_*, plus
// AGENTRY_ADDR and AGENTRY_URL naming a free port, which the README's lines
// honour, so that the examples never need port 8080.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { freePort, repoRoot } from './harness.js';

const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->\s*$/;

// readmeBlocks returns the marked blocks of markdown in order: {kind, name,
// body, line}. A marker must be followed by a fenced block on the next line.
export function readmeBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    const [kind, ...rest] = m[1].split(/\s+/);
    const where = `README.md:${i + 1}`;
    if (!['run', 'file', 'output'].includes(kind)) throw new Error(`${where}: unknown readme-test marker "${m[1]}" (run, file NAME or output)`);
    const name = rest.join(' ');
    if (kind === 'file' && !/^[\w.-]+$/.test(name)) throw new Error(`${where}: "file" needs a plain file name, got "${name}"`);
    const fence = /^(`{3,})/.exec(lines[i + 1] ?? '');
    if (!fence) throw new Error(`${where}: a readme-test marker must be followed by a fenced block on the next line`);
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith(fence[1]) && l.trim() === fence[1]);
    if (end < 0) throw new Error(`${where}: the fenced block after the marker is not closed`);
    blocks.push({ kind, name, body: lines.slice(i + 2, end).join('\n'), line: i + 1 });
    i = end;
  }
  return blocks;
}

// sessionScript turns the blocks into one bash script: run blocks as they
// are, each followed by a line that marks where its output ends; file blocks
// as quoted here-documents.
function sessionScript(blocks) {
  const parts = ['set -euo pipefail'];
  blocks.forEach((b, i) => {
    if (b.kind === 'run') {
      parts.push(b.body, `printf '\\n@@readme-test block ${i} done@@\\n'`);
    } else if (b.kind === 'file') {
      assert.ok(!b.body.includes('README_TEST_EOF'), `README.md:${b.line}: the block contains the here-document delimiter`);
      parts.push(`cat > '${b.name}' <<'README_TEST_EOF'\n${b.body}\nREADME_TEST_EOF`);
    }
  });
  return parts.join('\n') + '\n';
}

// outputsOf splits the session's stdout at the markers: the output of run
// block i, without the newline that ends it.
function outputsOf(stdout) {
  const outputs = new Map();
  const re = /\n@@readme-test block (\d+) done@@\n/g;
  let from = 0;
  for (let m; (m = re.exec(stdout)) !== null; from = re.lastIndex) {
    outputs.set(Number(m[1]), stdout.slice(from, m.index).replace(/\n$/, ''));
  }
  return outputs;
}

// matchLine reports whether a line of output matches a line of the README's
// expected output, where … stands for any text.
function matchLine(expected, actual) {
  const re = expected.split('…').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`).test(actual);
}

// copyCheckout copies the checkout's files (tracked, and untracked ones not
// ignored, as `git status` sees them) into dir: a fresh clone of the working
// tree, without bin/, node_modules/ or a local agentry.db.
async function copyCheckout(dir) {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot })
    .toString().split('\0').filter(Boolean);
  for (const f of files) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await copyFile(path.join(repoRoot, f), path.join(dir, f)).catch((err) => {
      if (err.code !== 'ENOENT') throw err; // deleted in the working tree
    });
  }
}

// sessionEnv is the caller's environment without what would change the
// examples' meaning, plus the free port they are to use.
function sessionEnv(port, scratch) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('AGENTRY_') || k.startsWith('NODE_TEST')) delete env[k];
  }
  return {
    ...env,
    AGENTRY_ADDR: `127.0.0.1:${port}`,
    AGENTRY_URL: `http://127.0.0.1:${port}`,
    TMPDIR: scratch, // mktemp -d lands in the scratch directory, removed at the end
    // -trimpath keeps the copy's build in Go's cache across runs (without it,
    // the directory is part of every package's cache key).
    GOFLAGS: `${env.GOFLAGS ?? ''} -trimpath`.trim(),
    npm_config_prefer_offline: 'true', // npm ci has cached retell-sdk already
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

// runSession starts script with bash in a process group of its own.
// exited resolves when bash exits; closed, with everything it printed, when
// its output pipes close, which a server left running delays until the
// group is killed.
function runSession(script, { cwd, env }) {
  const child = spawn('bash', ['-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const closed = new Promise((resolve) => child.on('close', () => resolve({ stdout, stderr })));
  return { pgid: child.pid, exited, closed };
}

function killGroup(pgid) {
  try { process.kill(-pgid, 'SIGKILL'); } catch { /* nothing left */ }
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

test('readme-test markers are read as documented', () => {
  const md = [
    '<!-- readme-test: run -->', '```sh', 'echo hi', '```',
    '<!-- readme-test: output -->', '```text', 'hi', '```',
    'prose', '<!-- readme-test: file a.mjs -->', '````js', 'x', '```', '````',
  ].join('\n');
  assert.deepEqual(readmeBlocks(md).map(({ kind, name, body }) => ({ kind, name, body })), [
    { kind: 'run', name: '', body: 'echo hi' },
    { kind: 'output', name: '', body: 'hi' },
    { kind: 'file', name: 'a.mjs', body: 'x\n```' },
  ]);
  assert.throws(() => readmeBlocks('<!-- readme-test: run -->\n\n```sh\nx\n```'), /followed by a fenced block/);
  assert.throws(() => readmeBlocks('<!-- readme-test: exec -->\n```sh\nx\n```'), /unknown readme-test marker/);
  assert.ok(matchLine('{"agent_id":"agent_…","version":0,…}', '{"agent_id":"agent_12ab","version":0,"x":1}'));
  assert.ok(!matchLine('{"version":0,…}', '{"version":1,"x":1}'));
});

test("the README's examples run as written against a fresh server", { timeout: 5 * 60_000 }, async (t) => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const blocks = readmeBlocks(readme);
  const runs = blocks.filter((b) => b.kind === 'run');
  assert.ok(runs.length > 0, 'README.md marks no block with <!-- readme-test: run -->');
  blocks.forEach((b, i) => {
    if (b.kind === 'output') {
      assert.equal(blocks[i - 1]?.kind, 'run', `README.md:${b.line}: an output block must follow a run block`);
    }
  });

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'agentry-readme-'));
  const clone = path.join(scratch, 'agentry');
  t.after(() => rm(scratch, { recursive: true, force: true }));
  await copyCheckout(clone);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const run = runSession(sessionScript(blocks), { cwd: clone, env: sessionEnv(port, scratch) });
  t.after(() => killGroup(run.pgid));
  const { code, signal } = await run.exited;
  const serverLeft = await answers(`${url}/healthz`);
  killGroup(run.pgid);
  const session = { code, signal, ...(await run.closed) };

  const transcript = `--- stdout\n${session.stdout}\n--- stderr\n${session.stderr}`;
  assert.equal(session.code, 0, `the README's blocks failed (exit ${session.code}, signal ${session.signal}):\n${transcript}`);
  const outputs = outputsOf(session.stdout);
  blocks.forEach((b, i) => {
    if (b.kind !== 'output') return;
    const actual = outputs.get(i - 1);
    assert.notEqual(actual, undefined, `README.md:${b.line}: no output recorded for the block before it:\n${transcript}`);
    const want = b.body.split('\n');
    const got = actual.split('\n');
    const ok = want.length === got.length && want.every((w, j) => matchLine(w, got[j]));
    assert.ok(ok, `README.md:${b.line}: the block before prints\n${actual}\nbut the README shows\n${b.body}\n${transcript}`);
  });
  assert.ok(!serverLeft, `the server the README starts still answers on ${url} after its stop step`);
});
