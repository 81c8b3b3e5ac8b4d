// Workspace isolation and key management.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, rejects, assertRawError, APIError, AuthenticationError, MISSING_AGENT, sleep,
} from './harness.js';

let srv;
let A;
let B;
let agentA; // an agent of workspace alpha with v0 published and v1 draft
before(async () => {
  srv = await startServer({ workspaces: ['alpha', 'beta', 'gamma'] });
  A = srv.clientA;
  B = srv.clientB;
  const a = await A.agent.create(agentBody({ agent_name: 'alpha-private' }));
  agentA = a.agent_id;
  await A.agent.publish(agentA, { version: 0 });
  await A.agent.createVersion(agentA, { base_version: 0 });
});
after(async () => { await srv?.stop(); });

// outcome runs a call and returns [status, message] of its error.
async function outcome(p) {
  try {
    const r = await p;
    return ['ok', JSON.stringify(r)];
  } catch (e) {
    if (!(e instanceof APIError)) throw e;
    return [e.status, e.error?.message];
  }
}

const endpoints = {
  'get-agent': (c, id) => c.agent.retrieve(id),
  'get-agent ?version=0': (c, id) => c.agent.retrieve(id, { version: 0 }),
  'update-agent': (c, id) => c.agent.update(id, { agent_name: 'hijacked' }),
  'delete-agent': (c, id) => c.agent.delete(id),
  'create-agent-version': (c, id) => c.agent.createVersion(id, { base_version: 0 }),
  'delete-agent-version': (c, id) => c.agent.deleteVersion(id, { version: 1 }),
  'get-agent-versions': (c, id) => c.agent.getVersions(id),
  'list-agent-versions': (c, id) => c.agent.listVersions(id),
  'publish-agent-version': (c, id) => c.agent.publish(id, { version: 1 }),
};
const expectedStatus = {
  'get-agent': 422, 'get-agent ?version=0': 422, 'update-agent': 422, 'delete-agent': 422,
  'create-agent-version': 404, 'delete-agent-version': 404, 'get-agent-versions': 404,
  'list-agent-versions': 404, 'publish-agent-version': 404,
};

for (const [name, call] of Object.entries(endpoints)) {
  test(`${name}: another workspace's agent answers exactly like a missing one`, async () => {
    const foreign = await outcome(call(B, agentA));
    const missing = await outcome(call(B, MISSING_AGENT));
    assert.equal(foreign[0], expectedStatus[name], `B on A's agent: ${JSON.stringify(foreign)}`);
    // The message may name the id asked for; apart from that it must be the same.
    const norm = ([status, msg], id) => [status, String(msg).replaceAll(id, '<id>')];
    assert.deepEqual(norm(foreign, agentA), norm(missing, MISSING_AGENT),
      'same status and message as a missing agent');
  });
}

test('after all of B\'s attempts, A\'s agent is intact', async () => {
  const versions = await A.agent.getVersions(agentA);
  assert.deepEqual(versions.map((v) => [v.version, v.is_published]), [[0, true], [1, false]]);
  for (const v of versions) assert.equal(v.agent_name, 'alpha-private');
});

test('list-agents shows each workspace only its own agents', async () => {
  const b = await B.agent.create(agentBody({ agent_name: 'beta-private' }));
  const listA = await A.agent.list();
  const listB = await B.agent.list();
  assert.deepEqual(listA.items.map((x) => x.agent_id), [agentA]);
  assert.deepEqual(listB.items.map((x) => x.agent_id), [b.agent_id]);
  const search = await B.agent.list({ filter_criteria: { query: 'alpha-private' } });
  assert.deepEqual(search.items, [], 'a search does not reach into another workspace');
  const byId = await B.agent.list({ filter_criteria: { query: agentA } });
  assert.deepEqual(byId.items, []);
  const gamma = await srv.client('gamma').agent.list();
  assert.deepEqual(gamma.items, [], 'a new workspace starts empty');
});

test('same-workspace keys share agents', async () => {
  const key2 = await srv.createKey('alpha');
  assert.notEqual(key2, srv.keys.alpha);
  const got = await srv.client(key2).agent.retrieve(agentA);
  assert.equal(got.agent_id, agentA);
});

test('keys list shows prefixes, never whole keys', async () => {
  const { stdout } = await srv.cli('keys', 'list', '--db', srv.db);
  for (const k of Object.values(srv.keys)) {
    assert.ok(!stdout.includes(k), 'a whole key must never be listed');
    assert.ok(stdout.includes(k.slice(0, 12)), `the prefix ${k.slice(0, 12)} is listed:\n${stdout}`);
  }
});

test('a revoked key is 401; other keys keep working', async () => {
  const victim = await srv.createKey('gamma');
  const c = srv.client(victim);
  const mine = await c.agent.create(agentBody({ agent_name: 'gamma agent' }));
  await srv.cli('keys', 'revoke', '--db', srv.db, victim.slice(0, 12));
  // `agentry serve --help`: a running server remembers a key's workspace for
  // --key-ttl (default 1 s), so a revocation takes effect within it. Allow 5 s.
  const deadline = Date.now() + 5000;
  let res;
  for (;;) {
    res = await srv.raw('POST', '/v2/list-agents', { key: victim, body: {} });
    if (res.status === 401 || Date.now() > deadline) break;
    await sleep(100);
  }
  assert.equal(res.status, 401, `the revoked key must be refused within 5 s, got ${res.status} ${res.text}`);
  const e = await rejects(c.agent.list(), AuthenticationError);
  assert.equal(e.error.message, 'API key is missing or invalid.');
  await rejects(c.agent.retrieve(mine.agent_id), AuthenticationError);
  assertRawError(await srv.raw('GET', `/get-agent/${mine.agent_id}`, { key: victim }), 401);
  const other = await srv.client('gamma').agent.retrieve(mine.agent_id);
  assert.equal(other.agent_name, 'gamma agent', 'the workspace and its other keys are unaffected');
});
