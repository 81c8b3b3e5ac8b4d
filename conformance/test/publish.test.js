// publish-agent-version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, configOf, assertAgent, rejects, sleep,
  BadRequestError, NotFoundError, MISSING_AGENT,
} from './harness.js';

let srv;
let c;
before(async () => { srv = await startServer(); c = srv.clientA; });
after(async () => { await srv?.stop(); });

test('200 with an empty body; the SDK resolves to nothing', async () => {
  const a = await c.agent.create(agentBody());
  const { data, response } = await c.agent.publish(a.agent_id, { version: 0 }).withResponse();
  assert.equal(response.status, 200);
  assert.ok(data === undefined || data === null || data === '', `empty body, got ${JSON.stringify(data)}`);
});

test('publishes in place: same number, is_published, title and description stored, timestamp not older', async () => {
  const a = await c.agent.create(agentBody({ agent_name: 'ship it' }));
  await sleep(5);
  await c.agent.publish(a.agent_id, { version: 0, version_title: 'v1.0', version_description: 'first release' });
  const p = await c.agent.retrieve(a.agent_id, { version: 0 });
  assertAgent(p, { agentId: a.agent_id, version: 0, published: true, baseVersion: null });
  assert.equal(p.version_title, 'v1.0');
  assert.equal(p.version_description, 'first release');
  assert.ok(p.last_modification_timestamp >= a.last_modification_timestamp,
    `${p.last_modification_timestamp} >= ${a.last_modification_timestamp}`);
  assert.deepEqual(configOf(p), configOf(a), 'the configuration is unchanged');
  const versions = await c.agent.getVersions(a.agent_id);
  assert.equal(versions.length, 1, 'publishing creates no new version');
});

test('publishes the named draft only', async () => {
  const a = await c.agent.create(agentBody());
  await c.agent.createVersion(a.agent_id, { base_version: 0 });
  await c.agent.createVersion(a.agent_id, { base_version: 0 });
  await c.agent.publish(a.agent_id, { version: 1 });
  const all = await c.agent.getVersions(a.agent_id);
  assert.deepEqual(all.map((v) => [v.version, v.is_published]), [[0, false], [1, true], [2, false]]);
  const page = await c.agent.listVersions(a.agent_id, { sort_order: 'ascending' });
  assert.deepEqual(page.items.map((v) => v.is_published), [false, true, false]);
});

test('a published version is immutable: update is 400, the config does not change', async () => {
  const a = await c.agent.create(agentBody({ agent_name: 'immutable' }));
  await c.agent.publish(a.agent_id, { version: 0 });
  await rejects(c.agent.update(a.agent_id, { version: 0, voice_speed: 1.5 }), BadRequestError, /create-agent-version/);
  const p = await c.agent.retrieve(a.agent_id, { version: 0 });
  assert.ok(!('voice_speed' in p));
  assert.equal(p.agent_name, 'immutable');
});

test('publishing an already published version is 400 and changes nothing', async () => {
  const a = await c.agent.create(agentBody());
  await c.agent.publish(a.agent_id, { version: 0, version_title: 'once' });
  const before = await c.agent.retrieve(a.agent_id);
  await rejects(c.agent.publish(a.agent_id, { version: 0, version_title: 'twice' }), BadRequestError);
  const afterwards = await c.agent.retrieve(a.agent_id);
  assert.deepEqual(afterwards, before);
});

test('unknown version is 404', async () => {
  const a = await c.agent.create(agentBody());
  await rejects(c.agent.publish(a.agent_id, { version: 3 }), NotFoundError);
  assert.equal((await c.agent.retrieve(a.agent_id)).is_published, false);
});

test('a deleted version is 404', async () => {
  const a = await c.agent.create(agentBody());
  await c.agent.createVersion(a.agent_id, { base_version: 0 });
  await c.agent.deleteVersion(a.agent_id, { version: 1 });
  await rejects(c.agent.publish(a.agent_id, { version: 1 }), NotFoundError);
});

test('unknown agent is 404', async () => {
  await rejects(c.agent.publish(MISSING_AGENT, { version: 0 }), NotFoundError);
});

test('missing version is 400', async () => {
  const a = await c.agent.create(agentBody());
  await rejects(c.agent.publish(a.agent_id, {}), BadRequestError, /version/);
  await rejects(c.agent.publish(a.agent_id, { version_title: 'no version' }), BadRequestError, /version/);
});

test('invalid body values are 400 naming the field', async () => {
  const a = await c.agent.create(agentBody());
  await rejects(c.agent.publish(a.agent_id, { version: -1 }), BadRequestError, /^version\b/);
  await rejects(c.agent.publish(a.agent_id, { version: 'latest' }), BadRequestError, /^version\b/);
  await rejects(c.agent.publish(a.agent_id, { version: 0, version_title: 7 }), BadRequestError, /^version_title\b/);
  assert.equal((await c.agent.retrieve(a.agent_id)).is_published, false, 'nothing was published');
});

test('latest_published follows publishing', async () => {
  const a = await c.agent.create(agentBody({ agent_name: 'zero' }));
  await c.agent.publish(a.agent_id, { version: 0 });
  assert.equal((await c.agent.retrieve(a.agent_id, { version: 'latest_published' })).version, 0);
  await c.agent.createVersion(a.agent_id, { base_version: 0 });
  await c.agent.update(a.agent_id, { agent_name: 'one' });
  assert.equal((await c.agent.retrieve(a.agent_id, { version: 'latest_published' })).agent_name, 'zero',
    'a draft does not change latest_published');
  await sleep(5);
  await c.agent.publish(a.agent_id, { version: 1 });
  const lp = await c.agent.retrieve(a.agent_id, { version: 'latest_published' });
  assert.equal(lp.version, 1);
  assert.equal(lp.agent_name, 'one');
});

test('publish counts as a user change in list-agents', async () => {
  const a = await c.agent.create(agentBody({ agent_name: 'listed-publish' }));
  const before = (await c.agent.list({ filter_criteria: { query: 'listed-publish' } })).items[0];
  await sleep(10);
  await c.agent.publish(a.agent_id, { version: 0 });
  const afterwards = (await c.agent.list({ filter_criteria: { query: 'listed-publish' } })).items[0];
  assert.ok(afterwards.user_modified_timestamp > before.user_modified_timestamp,
    `${afterwards.user_modified_timestamp} > ${before.user_modified_timestamp}`);
});
