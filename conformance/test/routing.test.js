// agentry's routing extensions through the SDK's generic methods
// (client.get/put/post/delete), and what they change in Retell's own answers:
// tags, their history and revert, If-Match, assigned_tags and list-agents
// tags, version=<tag>, the list filters, resolve and routing modes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, assertAgent, rejects, APIError, BadRequestError, NotFoundError, UnprocessableEntityError,
} from './harness.js';

let srv;
let c;
let id; // a voice agent with versions 0 and 1 published, 2 a draft
const tags = (agent) => `/agentry/v1/agents/${agent}/tags`;
before(async () => {
  srv = await startServer();
  c = srv.clientA;
  id = (await c.agent.create(agentBody({ agent_name: 'Routed' }))).agent_id;
  await c.agent.createVersion(id, { base_version: 0 });
  await c.agent.createVersion(id, { base_version: 0 });
  await c.agent.publish(id, { version: 0 });
  await c.agent.publish(id, { version: 1 });
});
after(async () => { await srv?.stop(); });

test('PUT creates and moves a tag; its state carries seq, and the answer an ETag', async () => {
  const { data: t, response } = await c.put(`${tags(id)}/prod`, {
    body: { version: 0, dynamic_variables: { region: 'eu' }, reason: 'launch' },
  }).withResponse();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('etag'), `"${id}.prod.1"`);
  assert.deepEqual({ ...t, created_at: 0, modified_at: 0, assigned_at: 0 },
    { name: 'prod', version: 0, dynamic_variables: { region: 'eu' }, published_only: false, seq: 1, created_at: 0, modified_at: 0, assigned_at: 0 });
  const moved = await c.put(`${tags(id)}/prod`, { body: { version: 1 } });
  assert.equal(moved.version, 1);
  assert.equal(moved.seq, 2);
  assert.deepEqual(moved.dynamic_variables, { region: 'eu' }, 'absent dynamic_variables are kept');
  const all = await c.get(tags(id));
  assert.deepEqual(Object.keys(all.tags), ['prod']);
  assert.equal(all.tags.prod.version, 1);
});

test('If-Match: a tag that moved since it was read is 412, and nothing changes', async () => {
  const { data: read, response } = await c.get(`${tags(id)}/prod`).withResponse();
  const etag = response.headers.get('etag');
  await c.put(`${tags(id)}/prod`, { body: { version: 0 }, headers: { 'If-Match': etag } });
  const err = await rejects(c.put(`${tags(id)}/prod`, { body: { version: 2 }, headers: { 'If-Match': etag } }), APIError, /^Precondition failed/);
  assert.equal(err.status, 412);
  const now = await c.get(`${tags(id)}/prod`);
  assert.equal(now.version, 0);
  assert.equal(now.seq, read.seq + 1);
  await c.put(`${tags(id)}/prod`, { body: { version: 1 } });
});

test('tags show in Retell\'s answers: assigned_tags (most recent first), list-agents tags, version=<tag>', async () => {
  await c.put(`${tags(id)}/canary`, { body: { version: 1 } });
  const v1 = await c.agent.retrieve(id, { version: 1 });
  assertAgent(v1, { version: 1 });
  assert.deepEqual(v1.assigned_tags, ['canary', 'prod']);
  assert.deepEqual((await c.agent.retrieve(id, { version: 0 })).assigned_tags, []);
  // Published versions come from the cache: a move shows at once all the same.
  await c.put(`${tags(id)}/canary`, { body: { version: 0 } });
  assert.deepEqual((await c.agent.retrieve(id, { version: 1 })).assigned_tags, ['prod']);
  assert.deepEqual((await c.agent.retrieve(id, { version: 0 })).assigned_tags, ['canary']);
  const viaTag = await c.agent.retrieve(id, { version: 'prod' });
  assert.equal(viaTag.version, 1);
  await rejects(c.agent.retrieve(id, { version: 'staging' }), UnprocessableEntityError, /no tag "staging"/);
  // An unassigned tag names the latest version.
  await c.put(`${tags(id)}/next`, { body: { version: null, dynamic_variables: { beta: 'yes' } } });
  assert.equal((await c.agent.retrieve(id, { version: 'next' })).version, 2);
  const versions = await c.agent.getVersions(id);
  assert.deepEqual(versions.map((v) => v.assigned_tags), [['canary'], ['prod'], []]);
  const item = (await c.agent.list()).items.find((x) => x.agent_id === id);
  assert.deepEqual(item.tags, {
    canary: { version: 0, dynamic_variables: {} },
    next: { dynamic_variables: { beta: 'yes' } },
    prod: { version: 1, dynamic_variables: { region: 'eu' } },
  });
});

test('chat agents have tags too', async () => {
  const chat = (await c.chatAgent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x' } })).agent_id;
  await c.put(`${tags(chat)}/prod`, { body: { version: 0 } });
  assert.deepEqual((await c.chatAgent.retrieve(chat)).assigned_tags, ['prod']);
  assert.deepEqual((await c.chatAgent.getVersions(chat))[0].assigned_tags, ['prod']);
});

test('history lists every change newest first, with the actor; revert writes a new entry', async () => {
  const t = 'hist';
  await c.put(`${tags(id)}/${t}`, { body: { version: 0 } });
  await c.put(`${tags(id)}/${t}`, { body: { version: 1, reason: 'release 1' } });
  await c.put(`${tags(id)}/${t}`, { body: { version: 2 } });
  const before = await c.get(`${tags(id)}/${t}/history`);
  assert.deepEqual(before.items.map((e) => [e.seq, e.action, e.version_before, e.version_after]),
    [[3, 'move', 1, 2], [2, 'move', 0, 1], [1, 'create', null, 0]]);
  assert.equal(before.items[1].reason, 'release 1');
  assert.equal(before.items[2].dynamic_variables_before, null, 'the tag did not exist before its first entry');
  const actor = before.items[0].actor;
  assert.equal(actor.key_prefix, srv.keys.alpha.slice(0, 12));
  assert.ok(!JSON.stringify(before).includes(srv.keys.alpha), 'never the key itself');
  const reverted = await c.post(`${tags(id)}/${t}/revert`, { body: { seq: 3, reason: 'bad release' } });
  assert.equal(reverted.version, 1);
  assert.equal(reverted.seq, 4);
  const after = await c.get(`${tags(id)}/${t}/history`);
  assert.deepEqual(after.items.slice(1), before.items, 'earlier entries are never rewritten');
  assert.equal(after.items[0].action, 'revert');
  assert.equal(after.items[0].revert_of, 3);
  const page = await c.get(`${tags(id)}/${t}/history`, { query: { limit: 3 } });
  assert.equal(page.items.length, 3);
  assert.equal(page.has_more, true);
  const rest = await c.get(`${tags(id)}/${t}/history`, { query: { limit: 3, pagination_key: page.pagination_key } });
  assert.deepEqual(rest.items.map((e) => e.seq), [1]);
  await rejects(c.post(`${tags(id)}/${t}/revert`, { body: { seq: 1 } }), BadRequestError, /^seq: .*created/);
  await rejects(c.post(`${tags(id)}/${t}/revert`, { body: { seq: 99 } }), NotFoundError, /no history entry 99/);
  await c.delete(`${tags(id)}/${t}`, { query: { reason: 'cleanup' } });
  const last = (await c.get(`${tags(id)}/${t}/history`)).items[0];
  assert.equal(last.action, 'delete');
  assert.equal(last.reason, 'cleanup');
  await rejects(c.get(`${tags(id)}/${t}`), NotFoundError, /no tag "hist"/);
});

test('a published_only tag refuses drafts', async () => {
  await rejects(c.put(`${tags(id)}/stable`, { body: { version: 2, published_only: true } }), BadRequestError, /published_only/);
  const t = await c.put(`${tags(id)}/stable`, { body: { version: 1, published_only: true } });
  assert.equal(t.published_only, true);
  await rejects(c.put(`${tags(id)}/stable`, { body: { version: 2 } }), BadRequestError, /draft/);
});

test('bad tag requests are 400 naming the field; a missing agent or tag is 404', async () => {
  await rejects(c.put(`${tags(id)}/latest`, { body: { version: 0 } }), BadRequestError, /not a tag name/);
  await rejects(c.put(`${tags(id)}/ok`, { body: {} }), BadRequestError, /^version: is required/);
  await rejects(c.put(`${tags(id)}/ok`, { body: { version: -1 } }), BadRequestError, /^version/);
  await rejects(c.put(`${tags(id)}/ok`, { body: { version: 42 } }), UnprocessableEntityError, /no version 42/);
  await rejects(c.get(tags('agent_missing')), NotFoundError, /agent_missing/);
  await rejects(srv.clientB.get(tags(id)), NotFoundError, /not found/);
});

test('list filters pass through the SDK: agentry_published_only and agentry_tag', async () => {
  const draftOnly = (await c.agent.create(agentBody())).agent_id;
  const listed = (await c.agent.list({ agentry_published_only: true })).items.map((x) => x.agent_id);
  assert.ok(listed.includes(id) && !listed.includes(draftOnly), 'only agents with a published version');
  assert.deepEqual((await c.agent.list({ agentry_tag: 'prod' })).items.map((x) => x.agent_id).sort(),
    (await c.agent.list()).items.filter((x) => x.tags.prod?.version !== undefined).map((x) => x.agent_id).sort());
  const pub = await c.agent.listVersions(id, { agentry_published_only: true });
  assert.deepEqual(pub.items.map((v) => v.version), [1, 0]);
  const held = await c.agent.listVersions(id, { agentry_tag: 'prod' });
  assert.deepEqual(held.items.map((v) => v.version), [1]);
  await rejects(c.agent.listVersions(id, { agentry_tag: 'v1' }), BadRequestError, /^agentry_tag/);
});

test('resolve: a phone number and direction, or an agent and a reference', async () => {
  const chat = (await c.chatAgent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x' } })).agent_id;
  await c.put(`${tags(chat)}/prod`, { body: { version: 0, dynamic_variables: { channel: 'sms' } } });
  await c.phoneNumber.import({ phone_number: '+14155550700', termination_uri: 'x',
    inbound_agents: [{ agent_id: id, agent_version: 'prod', weight: 1 }],
    outbound_agents: [{ agent_id: id, agent_version: 0, weight: 1 }] });
  await c.phoneNumber.update('+14155550700', { inbound_sms_agents: [{ agent_id: chat, weight: 1 }] });
  const r = await c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550700', direction: 'inbound', from_number: '+12125550100' } });
  assert.deepEqual(r, { agent_id: id, agent_version: 1, agent_tag: 'prod', dynamic_variables: { region: 'eu' }, is_published: true,
    channel: 'voice', phone_number: '+14155550700', direction: 'inbound', routing_mode: 'random', entry: 0 });
  const out = await c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550700', direction: 'outbound', to_number: '+12125550100' } });
  assert.equal(out.agent_version, 0);
  assert.equal(out.agent_tag, 'canary', 'a number reference gets the version\'s preferred tag');
  const sms = await c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550700', direction: 'inbound_sms' } });
  assert.deepEqual([sms.agent_id, sms.channel, sms.agent_tag, sms.dynamic_variables], [chat, 'chat', 'prod', { channel: 'sms' }]);
  const direct = await c.post('/agentry/v1/resolve', { body: { agent_id: id, agent_version: 'latest_published' } });
  assert.deepEqual([direct.agent_version, direct.is_published], [1, true]);
  assert.equal(direct.agent_tag, (await c.agent.retrieve(id, { version: 1 })).assigned_tags[0],
    'latest_published gets the preferred tag: the first of the version\'s assigned_tags');
  // A tag moved is what the next resolve answers.
  await c.put(`${tags(id)}/prod`, { body: { version: 0 } });
  const moved = await c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550700', direction: 'inbound' } });
  assert.equal(moved.agent_version, 0);
  await rejects(c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550700', direction: 'outbound_sms' } }), BadRequestError, /outbound_sms_agents/);
  await rejects(c.post('/agentry/v1/resolve', { body: { phone_number: '+19995550000', direction: 'inbound' } }), NotFoundError);
  await rejects(c.post('/agentry/v1/resolve', { body: {} }), BadRequestError, /phone_number/);
});

test('sticky routing: the same caller gets the same agent while the weights stand', async () => {
  const b = (await c.agent.create(agentBody())).agent_id;
  await c.phoneNumber.import({ phone_number: '+14155550800', termination_uri: 'x',
    inbound_agents: [{ agent_id: id, weight: 0.5 }, { agent_id: b, weight: 0.5 }] });
  assert.deepEqual(await c.get('/agentry/v1/phone-numbers/+14155550800/routing'), { phone_number: '+14155550800', mode: 'random' });
  assert.deepEqual(await c.put('/agentry/v1/phone-numbers/+14155550800/routing', { body: { mode: 'sticky' } }),
    { phone_number: '+14155550800', mode: 'sticky' });
  const first = {};
  const counts = { [id]: 0, [b]: 0 };
  for (let i = 0; i < 200; i++) {
    const from = `+1646555${String(i).padStart(4, '0')}`;
    const r = await c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550800', direction: 'inbound', from_number: from } });
    assert.equal(r.routing_mode, 'sticky');
    first[from] = r.agent_id;
    counts[r.agent_id]++;
  }
  assert.ok(counts[id] > 60 && counts[b] > 60, `both agents serve callers: ${JSON.stringify(counts)}`);
  for (const [from, agent] of Object.entries(first)) {
    const r = await c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550800', direction: 'inbound', from_number: from } });
    assert.equal(r.agent_id, agent, `${from} moved with the weights unchanged`);
  }
  await rejects(c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550800', direction: 'inbound' } }), BadRequestError, /^from_number/);
  await rejects(c.put('/agentry/v1/phone-numbers/+14155550800/routing', { body: { mode: 'weighted' } }), BadRequestError, /^mode/);
});

test('a tag or version that a number binds cannot be deleted; unassigning is allowed', async () => {
  const a = (await c.agent.create(agentBody())).agent_id;
  await c.agent.createVersion(a, { base_version: 0 });
  await c.put(`${tags(a)}/live`, { body: { version: 1 } });
  await c.phoneNumber.import({ phone_number: '+14155550900', termination_uri: 'x',
    outbound_agents: [{ agent_id: a, agent_version: 'live', weight: 1 }] });
  await rejects(c.delete(`${tags(a)}/live`), BadRequestError, /\+14155550900 \(outbound_agents\)/);
  await rejects(c.agent.deleteVersion(a, { version: 1 }), BadRequestError, /tag "live"/);
  await c.put(`${tags(a)}/live`, { body: { version: null } });
  await c.agent.deleteVersion(a, { version: 1 });
  const r = await c.post('/agentry/v1/resolve', { body: { phone_number: '+14155550900', direction: 'outbound' } });
  assert.deepEqual([r.agent_version, r.agent_tag], [0, 'live'], 'an unassigned tag resolves to the latest version');
});
