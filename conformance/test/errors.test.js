// Cross-cutting HTTP behaviour: auth, health, OpenAPI, 404/405/413, malformed
// bodies, the error body shape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, rejects, assertRawError, assertErrorBody,
  AuthenticationError, UnprocessableEntityError, MISSING_AGENT,
} from './harness.js';

let srv;
let c;
let agentId;
before(async () => {
  srv = await startServer();
  c = srv.clientA;
  agentId = (await c.agent.create(agentBody())).agent_id;
});
after(async () => { await srv?.stop(); });

const AUTH_MESSAGE = 'API key is missing or invalid.';

test('GET /healthz needs no key and answers {"status":"ok"}', async () => {
  const res = await srv.raw('GET', '/healthz', { key: null });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { status: 'ok' });
});

test('GET /readyz needs no key', async () => {
  const res = await srv.raw('GET', '/readyz', { key: null });
  assert.equal(res.status, 200, res.text);
});

test('GET /openapi.json returns an OpenAPI 3 document describing the endpoints', async () => {
  const res = await srv.raw('GET', '/openapi.json');
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assert.match(res.headers.get('content-type') ?? '', /json/);
  assert.equal(typeof res.json, 'object');
  assert.equal(typeof res.json.openapi, 'string');
  assert.ok(res.json.openapi.startsWith('3.'), `openapi: ${res.json.openapi}`);
  const paths = Object.keys(res.json.paths ?? {});
  for (const p of ['/create-agent', '/get-agent/', '/update-agent/', '/v2/list-agents', '/delete-agent/',
    '/create-agent-version/', '/delete-agent-version/', '/get-agent-versions/', '/list-agent-versions/',
    '/publish-agent-version/']) {
    assert.ok(paths.some((x) => x === p || x.startsWith(p)), `openapi.json documents ${p}; paths: ${paths.join(', ')}`);
  }
});

test('GET /openapi.json needs a key', async () => {
  assertRawError(await srv.raw('GET', '/openapi.json', { key: null }), 401);
});

test('a missing Authorization header is 401 with the documented message', async () => {
  for (const [method, path, body] of [
    ['POST', '/create-agent', agentBody()],
    ['GET', `/get-agent/${agentId}`],
    ['POST', '/v2/list-agents', {}],
    ['GET', `/list-agent-versions/${agentId}`],
  ]) {
    const res = await srv.raw(method, path, { key: null, body });
    assertRawError(res, 401);
    assert.equal(res.json.message, AUTH_MESSAGE);
  }
});

test('malformed, unknown-format and unknown keys are 401', async () => {
  const cases = {
    'Bearer with nothing': 'Bearer ',
    'not a key': 'Bearer hello',
    'unknown key': 'Bearer key_0123456789abcdef0123456789abcdef',
    'uppercase hex': `Bearer ${srv.keys.alpha.toUpperCase()}`,
    'wrong scheme': `Basic ${srv.keys.alpha}`,
    'key without scheme': srv.keys.alpha,
  };
  for (const [what, header] of Object.entries(cases)) {
    const res = await srv.raw('GET', `/get-agent/${agentId}`, { key: null, headers: { Authorization: header } });
    assert.equal(res.status, 401, `${what}: expected 401, got ${res.status} ${res.text}`);
    assertErrorBody(res.json, res.headers.get('content-type'));
    assert.equal(res.json.message, AUTH_MESSAGE, what);
  }
});

test('the SDK with an unknown key gets AuthenticationError on every endpoint', async () => {
  const bad = srv.client('key_ffffffffffffffffffffffffffffffff');
  const calls = [
    () => bad.agent.create(agentBody()),
    () => bad.agent.retrieve(agentId),
    () => bad.agent.update(agentId, { agent_name: 'x' }),
    () => bad.agent.list(),
    () => bad.agent.delete(agentId),
    () => bad.agent.createVersion(agentId, { base_version: 0 }),
    () => bad.agent.deleteVersion(agentId, { version: 0 }),
    () => bad.agent.getVersions(agentId),
    () => bad.agent.listVersions(agentId),
    () => bad.agent.publish(agentId, { version: 0 }),
  ];
  for (const call of calls) {
    const e = await rejects(call(), AuthenticationError);
    assert.equal(e.status, 401);
    assert.equal(e.error.message, AUTH_MESSAGE);
  }
  const still = await c.agent.retrieve(agentId);
  assert.equal(still.is_published, false, 'nothing happened to the agent');
});

test('the SDK with an empty key gets AuthenticationError', async () => {
  await rejects(srv.client('').agent.list(), AuthenticationError);
});

test('an unknown path is 404 with the error body', async () => {
  assertRawError(await srv.raw('GET', '/no-such-endpoint'), 404);
  assertRawError(await srv.raw('POST', '/v3/list-agents', { body: {} }), 404);
});

test('a known path with the wrong method is 405 with Allow', async () => {
  const cases = [
    ['GET', '/create-agent', 'POST'],
    ['DELETE', `/get-agent/${agentId}`, 'GET'],
    ['POST', `/update-agent/${agentId}`, 'PATCH'],
    ['GET', '/v2/list-agents', 'POST'],
    ['GET', `/delete-agent/${agentId}`, 'DELETE'],
    ['PUT', `/publish-agent-version/${agentId}`, 'POST'],
    ['POST', `/get-agent-versions/${agentId}`, 'GET'],
  ];
  for (const [method, path, allowed] of cases) {
    const res = await srv.raw(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
    assertRawError(res, 405);
    const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim());
    assert.ok(allow.includes(allowed), `${method} ${path}: Allow must list ${allowed}, got ${JSON.stringify(res.headers.get('allow'))}`);
  }
});

test('malformed JSON is 400', async () => {
  assertRawError(await srv.raw('POST', '/create-agent', { body: '{"voice_id": "retell-Cimo",' }), 400);
  assertRawError(await srv.raw('PATCH', `/update-agent/${agentId}`, { body: '{agent_name: x}' }), 400);
  assertRawError(await srv.raw('POST', `/publish-agent-version/${agentId}`, { body: '{"version":0}garbage' }), 400);
  assert.equal((await c.agent.retrieve(agentId)).is_published, false, 'the bad publish did nothing');
});

test('a body that is not an object is 400', async () => {
  for (const body of ['[1,2]', '"agent"', '42', 'null']) {
    assertRawError(await srv.raw('POST', '/create-agent', { body }), 400);
  }
  assertRawError(await srv.raw('POST', `/create-agent-version/${agentId}`, { body: '[0]' }), 400);
});

test('an empty body where one is required is 400', async () => {
  assertRawError(await srv.raw('POST', '/create-agent', { body: '' }), 400);
  assertRawError(await srv.raw('POST', `/create-agent-version/${agentId}`), 400);
});

test('a body over 1 MiB is 413', async () => {
  const big = JSON.stringify(agentBody({ agent_name: 'x'.repeat((1 << 20) + 1024) }));
  assertRawError(await srv.raw('POST', '/create-agent', { body: big }), 413);
  assertRawError(await srv.raw('PATCH', `/update-agent/${agentId}`, { body: JSON.stringify({ agent_name: 'y'.repeat((1 << 20) + 1024) }) }), 413);
  assert.ok(!('agent_name' in (await c.agent.retrieve(agentId))), 'nothing was stored');
});

test('SDK errors carry status and the {status, message} body', async () => {
  const e = await rejects(c.agent.retrieve(MISSING_AGENT), UnprocessableEntityError);
  assert.equal(e.status, 422);
  assert.deepEqual(Object.keys(e.error).sort(), ['message', 'status']);
});
