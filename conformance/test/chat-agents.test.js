// Chat agents: their own endpoints, and the version endpoints and
// v2/list-agents they share with voice agents.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, ENGINE, rejects, NOT_FOUND_422,
  BadRequestError, NotFoundError, UnprocessableEntityError, MISSING_AGENT,
} from './harness.js';

let srv;
let c;
before(async () => { srv = await startServer(); c = srv.clientA; });
after(async () => { await srv?.stop(); });

const chatBody = (extra = {}) => ({ response_engine: { ...ENGINE }, ...extra });

function assertChatAgent(a, { agentId, version, published, baseVersion } = {}) {
  assert.match(a.agent_id, /^agent_[0-9a-f]+$/, 'agent_id');
  assert.ok(Number.isInteger(a.version), 'version');
  assert.equal(typeof a.is_published, 'boolean', 'is_published');
  assert.ok('base_version' in a, 'base_version');
  assert.ok(Number.isInteger(a.last_modification_timestamp), 'last_modification_timestamp');
  assert.equal(typeof a.response_engine, 'object', 'response_engine');
  assert.ok(!('voice_id' in a), 'a chat agent has no voice');
  if (agentId !== undefined) assert.equal(a.agent_id, agentId);
  if (version !== undefined) assert.equal(a.version, version);
  if (published !== undefined) assert.equal(a.is_published, published);
  if (baseVersion !== undefined) assert.equal(a.base_version, baseVersion);
}

describe('chat agent endpoints', () => {
  test('create 201 at version 0, a draft, the configuration as sent', async () => {
    const body = chatBody({
      agent_name: 'Web chat', auto_close_message: 'Bye.', end_chat_after_silence_ms: 600000,
      language: 'en-GB', webhook_events: ['chat_started'], handbook_config: { high_empathy: true },
      post_chat_analysis_data: [{ type: 'system-presets', name: 'chat_summary' }],
    });
    const { data, response } = await c.chatAgent.create(body).withResponse();
    assert.equal(response.status, 201);
    assertChatAgent(data, { version: 0, published: false, baseVersion: null });
    for (const [k, v] of Object.entries(body)) assert.deepEqual(data[k], v, k);
    assert.deepEqual(await c.chatAgent.retrieve(data.agent_id), data);
  });

  test('update edits the latest draft; a published version is 400', async () => {
    const a = await c.chatAgent.create(chatBody({ agent_name: 'one' }));
    const u = await c.chatAgent.update(a.agent_id, { agent_name: 'two', timezone: 'Europe/Paris' });
    assertChatAgent(u, { agentId: a.agent_id, version: 0 });
    assert.equal(u.agent_name, 'two');
    await c.chatAgent.publish(a.agent_id, { version: 0, version_title: 'launch' });
    await rejects(c.chatAgent.update(a.agent_id, { version: 0, agent_name: 'three' }), BadRequestError, /create-agent-version/);
    await rejects(c.chatAgent.update(a.agent_id, { agent_name: 'three' }), BadRequestError, /no draft/);
    const p = await c.chatAgent.retrieve(a.agent_id, { version: 0 });
    assert.equal(p.is_published, true);
    assert.equal(p.version_title, 'launch');
    assert.equal(p.agent_name, 'two');
  });

  test('shared version endpoints: createVersion, publish, getVersions, deleteVersion', async () => {
    const a = await c.chatAgent.create(chatBody({ agent_name: 'versions' }));
    const v1 = await c.chatAgent.createVersion(a.agent_id, { base_version: 0 });
    assertChatAgent(v1, { agentId: a.agent_id, version: 1, published: false, baseVersion: 0 });
    await c.chatAgent.createVersion(a.agent_id, { base_version: 0 });
    await c.chatAgent.publish(a.agent_id, { version: 1 });
    const all = await c.chatAgent.getVersions(a.agent_id);
    assert.deepEqual(all.map((v) => [v.version, v.is_published]), [[0, false], [1, true], [2, false]]);
    for (const v of all) assertChatAgent(v, { agentId: a.agent_id });
    const page = await c.agent.listVersions(a.agent_id, { sort_order: 'ascending' });
    assert.deepEqual(page.items.map((v) => v.version), [0, 1, 2]);
    await c.chatAgent.deleteVersion(a.agent_id, { version: 2 });
    assert.deepEqual((await c.chatAgent.getVersions(a.agent_id)).map((v) => v.version), [0, 1]);
    const latest = await c.chatAgent.retrieve(a.agent_id, { version: 'latest_published' });
    assert.equal(latest.version, 1);
  });

  test('delete 204; then every endpoint answers not found', async () => {
    const a = await c.chatAgent.create(chatBody());
    const { response } = await c.chatAgent.delete(a.agent_id).withResponse();
    assert.equal(response.status, 204);
    await rejects(c.chatAgent.retrieve(a.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.chatAgent.update(a.agent_id, { agent_name: 'x' }), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.chatAgent.delete(a.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.chatAgent.getVersions(a.agent_id), NotFoundError);
    await rejects(c.chatAgent.createVersion(a.agent_id, { base_version: 0 }), NotFoundError);
    await rejects(c.chatAgent.retrieve(MISSING_AGENT), UnprocessableEntityError, NOT_FOUND_422);
  });

  test("another workspace's chat agent answers like a missing one", async () => {
    const a = await c.chatAgent.create(chatBody());
    const b = srv.clientB;
    await rejects(b.chatAgent.retrieve(a.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(b.chatAgent.update(a.agent_id, { agent_name: 'x' }), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(b.chatAgent.delete(a.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(b.chatAgent.getVersions(a.agent_id), NotFoundError);
    await rejects(b.chatAgent.publish(a.agent_id, { version: 0 }), NotFoundError);
  });

  test('validation: response_engine required, bounds checked (unknown fields: fields.test.js)', async () => {
    await rejects(c.chatAgent.create({ agent_name: 'x' }), BadRequestError, /response_engine: is required/);
    await rejects(c.chatAgent.create(chatBody({ end_chat_after_silence_ms: 1000 })), BadRequestError, /end_chat_after_silence_ms/);
    await rejects(c.chatAgent.create(chatBody({ webhook_events: ['call_started'] })), BadRequestError, /webhook_events/);
  });
});

describe('chat and voice agents are apart', () => {
  test('a chat agent is not found through voice endpoints, nor a voice agent through chat ones', async () => {
    const chat = await c.chatAgent.create(chatBody());
    const voice = await c.agent.create(agentBody());
    await rejects(c.agent.retrieve(chat.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.agent.update(chat.agent_id, { agent_name: 'x' }), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.agent.delete(chat.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.agent.getVersions(chat.agent_id), NotFoundError);
    await rejects(c.chatAgent.retrieve(voice.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.chatAgent.update(voice.agent_id, { agent_name: 'x' }), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.chatAgent.delete(voice.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.chatAgent.getVersions(voice.agent_id), NotFoundError);
    await c.chatAgent.retrieve(chat.agent_id);
    await c.agent.retrieve(voice.agent_id);
  });

  test('v2/list-agents lists both channels and filters by channel', async () => {
    const fresh = await startServer({ workspaces: ['solo'] });
    try {
      const cl = fresh.client('solo');
      const chat = await cl.chatAgent.create(chatBody({ agent_name: 'chat one' }));
      const voice = await cl.agent.create(agentBody({ agent_name: 'voice one' }));
      await cl.llm.create({ general_prompt: 'not an agent' });
      const all = await cl.chatAgent.list();
      assert.deepEqual(all.items.map((i) => i.agent_id).sort(), [chat.agent_id, voice.agent_id].sort());
      for (const [channel, want] of [['chat', chat], ['voice', voice]]) {
        const page = await cl.chatAgent.list({ filter_criteria: { channel: { type: 'string', op: 'eq', value: channel } } });
        assert.deepEqual(page.items.map((i) => [i.agent_id, i.channel]), [[want.agent_id, channel]]);
      }
    } finally {
      await fresh.stop();
    }
  });
});
