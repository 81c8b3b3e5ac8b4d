// Test harness for the agentry conformance suite.
//
// startServer() builds the agentry binary (unless AGENTRY_BIN names one),
// creates a fresh database in a temp dir, creates one API key per workspace
// with `agentry keys create`, starts `agentry serve` on a free port, and waits
// for GET /healthz. Each test file starts its own server, so files are
// independent of each other and of their order.

import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';

import Retell from 'retell-sdk';

export { Retell };
export const {
  APIError,
  BadRequestError,
  AuthenticationError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
} = Retell;

const execFileP = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

// buildBinary returns the path of the agentry binary: AGENTRY_BIN when set,
// otherwise a fresh `go build` into a per-checkout cache directory (so the
// Go build cache makes every file after the first cheap).
let binPromise;
export function buildBinary() {
  if (process.env.AGENTRY_BIN) return Promise.resolve(path.resolve(process.env.AGENTRY_BIN));
  binPromise ??= (async () => {
    const tag = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'u';
    const dir = path.join(os.tmpdir(), `agentry-conformance-${uid}-${tag}`);
    await mkdir(dir, { recursive: true });
    const bin = path.join(dir, 'agentry');
    // Under `node --test` every test file is a child of one runner process:
    // the first file builds, the others of the same run reuse that binary.
    const stamp = path.join(dir, 'built-for-run');
    const run = process.env.NODE_TEST_CONTEXT ? `${process.ppid}` : null;
    if (run) {
      try {
        const [s, st] = await Promise.all([readFile(stamp, 'utf8'), stat(stamp)]);
        if (s === run && Date.now() - st.mtimeMs < 30 * 60_000) return bin;
      } catch { /* no binary from this run yet */ }
    }
    await rm(stamp, { force: true });
    try {
      await execFileP('go', ['build', '-o', bin, './cmd/agentry'], {
        cwd: repoRoot,
        maxBuffer: 16 << 20,
      });
    } catch (err) {
      throw new Error(`go build ./cmd/agentry failed:\n${err.stderr || err.message}`);
    }
    if (run) await writeFile(stamp, run);
    return bin;
  })();
  return binPromise;
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The child's environment: without AGENTRY_* variables, so that no key or
// database from the caller's shell leaks into the test server.
function childEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('AGENTRY_')) delete env[k];
  return env;
}

// startServer starts a fresh server. workspaces names the workspaces to create
// one key in each; keys[name] is that key, client(name) an SDK client for it.
// args (or serveArgs) are more flags for `agentry serve` (e.g. --test-runner-url);
// strict starts it with --strict: unknown body fields are a 400 instead of
// being ignored.
export async function startServer({ workspaces = ['alpha', 'beta'], args = [], serveArgs = [], strict = false } = {}) {
  const bin = await buildBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agentry-conf-'));
  const db = path.join(dir, 'agentry.db');

  // cli runs `agentry <args...>` against the test database.
  async function cli(...args) {
    try {
      const { stdout, stderr } = await execFileP(bin, args, { env: childEnv(), cwd: dir });
      return { stdout, stderr };
    } catch (err) {
      throw new Error(`agentry ${args.join(' ')} failed (exit ${err.code}):\n${err.stderr || err.message}`);
    }
  }

  async function createKey(workspace) {
    const { stdout } = await cli('keys', 'create', '--db', db, '--workspace', workspace);
    const key = stdout.trim();
    assert.match(key, /^key_[0-9a-f]{32}$/, `keys create must print only the key, got ${JSON.stringify(stdout)}`);
    return key;
  }

  const keys = {};
  for (const w of workspaces) keys[w] = await createKey(w);

  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const argv = ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, ...args, ...serveArgs];
  if (strict) argv.push('--strict');
  const child = spawn(bin, argv, {
    env: childEnv(),
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exited = null;
  const exitP = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killOnExit);

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) {
      throw new Error(`agentry serve exited (${JSON.stringify(exited)}) before answering /healthz:\n${output}`);
    }
    try {
      const res = await fetch(`${baseURL}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      killOnExit();
      throw new Error(`agentry serve did not answer GET /healthz 200 within 15 s:\n${output}`);
    }
    await sleep(50);
  }

  function client(workspaceOrKey = workspaces[0], opts = {}) {
    const apiKey = keys[workspaceOrKey] ?? workspaceOrKey;
    return new Retell({ apiKey, baseURL, maxRetries: 0, timeout: 10_000, ...opts });
  }

  // raw sends one HTTP request without the SDK. key defaults to the first
  // workspace's key; pass key: null to send no Authorization header. body is
  // JSON-encoded unless it is a string or Buffer (sent as is).
  async function raw(method, urlPath, { key, body, headers = {} } = {}) {
    const h = { ...headers };
    const k = key === undefined ? keys[workspaces[0]] : key;
    if (k !== null && h.Authorization === undefined) h.Authorization = `Bearer ${k}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      if (h['Content-Type'] === undefined) h['Content-Type'] = 'application/json';
    }
    const res = await fetch(baseURL + urlPath, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  }

  async function stop() {
    process.off('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitP;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  }

  return {
    baseURL, db, dir, bin, keys, workspaces, cli, createKey, client, raw, stop,
    get output() { return output; },
    clientA: client(workspaces[0]),
    clientB: workspaces[1] ? client(workspaces[1]) : undefined,
  };
}

// ---------------------------------------------------------------------------
// Fixtures and assertions shared by the test files.

// A minimal valid create body: custom-llm needs no other asset to exist.
export const ENGINE = Object.freeze({ type: 'custom-llm', llm_websocket_url: 'wss://llm.example.com/ws' });
export function agentBody(extra = {}) {
  return { voice_id: 'retell-Cimo', response_engine: { ...ENGINE }, ...extra };
}

// Version metadata that AgentResponse carries besides the configuration.
export const META_FIELDS = [
  'agent_id', 'version', 'is_published', 'base_version',
  'version_title', 'version_description', 'last_modification_timestamp', 'assigned_tags',
];
// AgentResponse fields that may be null; every other field is omitted when unset.
const NULLABLE_AGENT_FIELDS = new Set(['base_version', 'version_title', 'version_description']);

// configOf returns the configuration part of an AgentResponse.
export function configOf(agent) {
  const c = { ...agent };
  for (const k of META_FIELDS) delete c[k];
  return c;
}

// assertAgent checks the shape docs/API.md gives an AgentResponse.
export function assertAgent(a, { agentId, version, published, baseVersion } = {}) {
  assert.equal(typeof a, 'object', `AgentResponse must be an object, got ${JSON.stringify(a)}`);
  assert.ok(a !== null);
  assert.match(a.agent_id, /^agent_[0-9a-f]+$/, 'agent_id');
  assert.ok(Number.isInteger(a.version) && a.version >= 0, `version must be a non-negative integer, got ${a.version}`);
  assert.equal(typeof a.is_published, 'boolean', 'is_published must be a boolean');
  assert.ok('base_version' in a, 'base_version must be present (null for version 0)');
  assert.ok(a.base_version === null || Number.isInteger(a.base_version), `base_version: ${a.base_version}`);
  for (const k of ['version_title', 'version_description']) {
    assert.ok(k in a, `${k} must be present (null when unset)`);
    assert.ok(a[k] === null || typeof a[k] === 'string', `${k}: ${a[k]}`);
  }
  assert.ok(Number.isInteger(a.last_modification_timestamp), 'last_modification_timestamp must be an integer');
  assert.ok(Math.abs(a.last_modification_timestamp - Date.now()) < 10 * 60_000,
    `last_modification_timestamp must be milliseconds since the epoch, got ${a.last_modification_timestamp}`);
  assert.ok(Array.isArray(a.assigned_tags) && a.assigned_tags.every((t) => typeof t === 'string'),
    `assigned_tags must be an array of tag names, got ${JSON.stringify(a.assigned_tags)}`);
  assert.equal(typeof a.voice_id, 'string', 'voice_id');
  assert.equal(typeof a.response_engine, 'object', 'response_engine');
  for (const [k, v] of Object.entries(a)) {
    if (!NULLABLE_AGENT_FIELDS.has(k)) assert.notEqual(v, null, `${k} must be omitted when unset, never null`);
  }
  if (agentId !== undefined) assert.equal(a.agent_id, agentId, 'agent_id');
  if (version !== undefined) assert.equal(a.version, version, 'version');
  if (published !== undefined) assert.equal(a.is_published, published, 'is_published');
  if (baseVersion !== undefined) assert.equal(a.base_version, baseVersion, 'base_version');
}

// assertSummary checks an AgentVersionSummary: no nulls, optional fields
// absent or of the right type.
export function assertSummary(s) {
  assert.ok(Number.isInteger(s.version), `version: ${JSON.stringify(s)}`);
  assert.equal(typeof s.is_published, 'boolean', `is_published: ${JSON.stringify(s)}`);
  assert.ok(Number.isInteger(s.last_modification_timestamp), `last_modification_timestamp: ${JSON.stringify(s)}`);
  if ('base_version' in s) assert.ok(Number.isInteger(s.base_version), `base_version must be absent or an integer, never null: ${JSON.stringify(s)}`);
  for (const k of ['version_title', 'version_description']) {
    if (k in s) assert.equal(typeof s[k], 'string', `${k} must be absent or a string, never null: ${JSON.stringify(s)}`);
  }
  for (const [k, v] of Object.entries(s)) assert.notEqual(v, null, `${k} must never be null in a summary`);
}

function describeErr(e) {
  if (e instanceof APIError) return `${e.constructor.name} ${e.status} ${JSON.stringify(e.error)}`;
  return String(e && e.stack || e);
}

// rejects awaits p and asserts it fails with the SDK error class Cls, whose
// body is {status:"error", message} sent as JSON. message, when given, is a
// RegExp the message must match. Returns the error.
export async function rejects(p, Cls, message) {
  let result;
  try {
    result = await p;
  } catch (e) {
    assert.ok(e instanceof Cls,
      `expected ${Cls.name}, got ${describeErr(e)}`);
    assertErrorBody(e.error, e.headers.get('content-type'));
    if (message) assert.match(e.error.message, message, `error message`);
    return e;
  }
  assert.fail(`expected ${Cls.name}, but the call succeeded with ${JSON.stringify(result)}`);
}

export function assertErrorBody(body, contentType) {
  assert.match(contentType ?? '', /^application\/json\b/, `error content-type must be application/json, got ${contentType}`);
  assert.equal(typeof body, 'object', `error body must be a JSON object, got ${JSON.stringify(body)}`);
  assert.ok(body !== null);
  assert.equal(body.status, 'error', `error body must have status "error": ${JSON.stringify(body)}`);
  assert.equal(typeof body.message, 'string', `error body must have a message: ${JSON.stringify(body)}`);
  assert.ok(body.message.length > 0, 'error message must not be empty');
}

// assertRawError checks a raw() response is an error with the given status.
export function assertRawError(res, status, message) {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  assertErrorBody(res.json, res.headers.get('content-type'));
  if (message) assert.match(res.json.message, message, 'error message');
}

export const NOT_FOUND_422 = /Cannot find requested asset under given api key/;

// A well-formed agent id that names nothing.
export const MISSING_AGENT = 'agent_00000000000000000000000000000000';

export { sleep };
