// create-agent, get-agent, update-agent, delete-agent.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, configOf, assertAgent, rejects, assertRawError, sleep,
  BadRequestError, UnprocessableEntityError, NotFoundError, NOT_FOUND_422, MISSING_AGENT, ENGINE,
} from './harness.js';

let srv;
let c;
before(async () => { srv = await startServer(); c = srv.clientA; });
after(async () => { await srv?.stop(); });

describe('create-agent', () => {
  test('201 with version 0, a draft, base_version null, and the sent fields echoed', async () => {
    const body = agentBody({
      agent_name: 'Front desk',
      language: 'en-US',
      voice_speed: 1.2,
      interruption_sensitivity: 0.5,
      ambient_sound: 'coffee-shop',
      webhook_url: 'https://hooks.example.com/retell',
      boosted_keywords: ['agentry', 'retell'],
      max_call_duration_ms: 120000,
      voicemail_option: { action: { type: 'static_text', text: 'Please call back.' } },
    });
    const before = Date.now();
    const { data: a, response } = await c.agent.create(body).withResponse();
    assert.equal(response.status, 201);
    assertAgent(a, { version: 0, published: false, baseVersion: null });
    assert.equal(a.version_title, null);
    assert.equal(a.version_description, null);
    assert.ok(a.last_modification_timestamp >= before - 1000, 'timestamp is the creation time');
    for (const [k, v] of Object.entries(body)) assert.deepEqual(a[k], v, `field ${k} echoes back`);
  });

  test('unset configuration fields are omitted, not null', async () => {
    const a = await c.agent.create(agentBody());
    assertAgent(a);
    for (const k of ['agent_name', 'webhook_url', 'ambient_sound', 'voicemail_option', 'boosted_keywords']) {
      assert.ok(!(k in a), `${k} was never set and must be absent, got ${JSON.stringify(a[k])}`);
    }
  });

  test('version_title and version_description can be set on create', async () => {
    const a = await c.agent.create(agentBody({ version_title: 'first', version_description: 'the first cut' }));
    assert.equal(a.version_title, 'first');
    assert.equal(a.version_description, 'the first cut');
    const again = await c.agent.retrieve(a.agent_id);
    assert.equal(again.version_title, 'first');
    assert.equal(again.version_description, 'the first cut');
  });

  test('each agent gets a distinct agent_id', async () => {
    const a = await c.agent.create(agentBody());
    const b = await c.agent.create(agentBody());
    assert.notEqual(a.agent_id, b.agent_id);
  });

  test('missing voice_id is 400 naming voice_id', async () => {
    await rejects(c.agent.create({ response_engine: { ...ENGINE } }), BadRequestError, /voice_id/);
  });

  test('missing response_engine is 400 naming response_engine', async () => {
    await rejects(c.agent.create({ voice_id: 'retell-Cimo' }), BadRequestError, /response_engine/);
  });

  test('a value out of range is 400 whose message starts with the field', async () => {
    await rejects(c.agent.create(agentBody({ voice_speed: 5 })), BadRequestError, /^voice_speed\b/);
    await rejects(c.agent.create(agentBody({ interruption_sensitivity: -0.1 })), BadRequestError, /^interruption_sensitivity\b/);
  });

  test('a value outside the enum is 400 whose message starts with the field', async () => {
    await rejects(c.agent.create(agentBody({ ambient_sound: 'jungle' })), BadRequestError, /^ambient_sound\b/);
    await rejects(c.agent.create(agentBody({ response_engine: { type: 'gpt-llm', llm_id: 'x' } })), BadRequestError, /^response_engine\b/);
  });

  test('a nested invalid value is 400 whose message starts with the nested path', async () => {
    await rejects(
      c.agent.create(agentBody({ voicemail_option: { action: { type: 'shout' } } })),
      BadRequestError, /^voicemail_option\.action\.type\b/);
  });

  test('a value of the wrong type is 400 whose message starts with the field', async () => {
    await rejects(c.agent.create(agentBody({ agent_name: 42 })), BadRequestError, /^agent_name\b/);
    await rejects(c.agent.create(agentBody({ voice_speed: 'fast' })), BadRequestError, /^voice_speed\b/);
    await rejects(c.agent.create(agentBody({ boosted_keywords: 'agentry' })), BadRequestError, /^boosted_keywords\b/);
  });

  test('a rejected create stores nothing', async () => {
    const fresh = srv.clientB; // a workspace no other test in this file uses
    await rejects(fresh.agent.create(agentBody({ voice_speed: 99 })), BadRequestError, /voice_speed/);
    const list = await fresh.agent.list();
    assert.deepEqual(list.items, []);
  });
});

describe('get-agent', () => {
  let id;
  before(async () => {
    // v0 published, v1 draft (base 0), v2 published (base 0), v3 draft (base 1)
    const a = await c.agent.create(agentBody({ agent_name: 'v0' }));
    id = a.agent_id;
    await c.agent.publish(id, { version: 0 });
    await c.agent.createVersion(id, { base_version: 0 });
    await c.agent.update(id, { agent_name: 'v1' }, {});
    await c.agent.createVersion(id, { base_version: 0 });
    await c.agent.update(id, { version: 2, agent_name: 'v2' });
    await sleep(5);
    await c.agent.publish(id, { version: 2 });
    await c.agent.createVersion(id, { base_version: 1 });
  });

  test('without version returns the latest (largest number) version, draft or not', async () => {
    const a = await c.agent.retrieve(id);
    assertAgent(a, { agentId: id, version: 3, published: false, baseVersion: 1 });
    assert.equal(a.agent_name, 'v1', 'v3 was copied from v1');
  });

  test('without version returns a published version when it has the largest number', async () => {
    const b = await c.agent.create(agentBody());
    await c.agent.createVersion(b.agent_id, { base_version: 0 });
    await c.agent.publish(b.agent_id, { version: 1 });
    const got = await c.agent.retrieve(b.agent_id);
    assertAgent(got, { version: 1, published: true });
  });

  test('version: N returns version N', async () => {
    for (const [n, name, pub] of [[0, 'v0', true], [1, 'v1', false], [2, 'v2', true]]) {
      const a = await c.agent.retrieve(id, { version: n });
      assertAgent(a, { agentId: id, version: n, published: pub });
      assert.equal(a.agent_name, name);
    }
  });

  test('version: "latest" is the largest number', async () => {
    const a = await c.agent.retrieve(id, { version: 'latest' });
    assert.equal(a.version, 3);
  });

  test('version: "latest_published" is the most recently published version', async () => {
    const a = await c.agent.retrieve(id, { version: 'latest_published' });
    assertAgent(a, { version: 2, published: true });
    // Publish the older draft v1 afterwards: it becomes the latest published.
    const b = await c.agent.create(agentBody());
    await c.agent.createVersion(b.agent_id, { base_version: 0 });
    await c.agent.publish(b.agent_id, { version: 1 });
    await sleep(5);
    await c.agent.publish(b.agent_id, { version: 0 });
    const lp = await c.agent.retrieve(b.agent_id, { version: 'latest_published' });
    assert.equal(lp.version, 0, 'v0 was published last');
  });

  test('latest_published on an agent with no published version is 422', async () => {
    const b = await c.agent.create(agentBody());
    await rejects(c.agent.retrieve(b.agent_id, { version: 'latest_published' }), UnprocessableEntityError);
  });

  test('unknown agent is 422 "Cannot find requested asset under given api key."', async () => {
    await rejects(c.agent.retrieve(MISSING_AGENT), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.agent.retrieve('not-even-an-id'), UnprocessableEntityError, NOT_FOUND_422);
  });

  test('unknown version is 422', async () => {
    await rejects(c.agent.retrieve(id, { version: 99 }), UnprocessableEntityError, NOT_FOUND_422);
  });

  test('a well-formed tag name names nothing yet: 422', async () => {
    await rejects(c.agent.retrieve(id, { version: 'production' }), UnprocessableEntityError);
  });

  test('a negative version is 400', async () => {
    assertRawError(await srv.raw('GET', `/get-agent/${id}?version=-1`), 400, /^version\b/);
    await rejects(c.agent.retrieve(id, { version: -1 }), BadRequestError, /version/);
  });

  test('a non-integer version is 400', async () => {
    assertRawError(await srv.raw('GET', `/get-agent/${id}?version=1.5`), 400, /^version\b/);
  });

  test('a malformed version reference is 400', async () => {
    for (const v of ['v1', 'Latest', 'no spaces', '1e3', 'a'.repeat(21)]) {
      const res = await srv.raw('GET', `/get-agent/${id}?version=${encodeURIComponent(v)}`);
      assertRawError(res, 400, /version/);
    }
  });
});

describe('update-agent', () => {
  test('PATCH: absent fields are unchanged, sent fields change', async () => {
    const a = await c.agent.create(agentBody({
      agent_name: 'Before', webhook_url: 'https://hooks.example.com/a', voice_speed: 1.1,
    }));
    const { data: u, response } = await c.agent.update(a.agent_id, { agent_name: 'After' }).withResponse();
    assert.equal(response.status, 200);
    assertAgent(u, { agentId: a.agent_id, version: 0, published: false, baseVersion: null });
    assert.equal(u.agent_name, 'After');
    assert.equal(u.webhook_url, 'https://hooks.example.com/a');
    assert.equal(u.voice_speed, 1.1);
    assert.equal(u.voice_id, 'retell-Cimo');
    assert.deepEqual(u.response_engine, ENGINE);
    const got = await c.agent.retrieve(a.agent_id);
    assert.deepEqual(configOf(got), configOf(u), 'retrieve shows the stored update');
  });

  test('null clears a nullable field; it is then absent from the response', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'Named', webhook_url: 'https://hooks.example.com/b' }));
    const u = await c.agent.update(a.agent_id, { webhook_url: null });
    assert.ok(!('webhook_url' in u), `webhook_url must be absent after clearing, got ${JSON.stringify(u.webhook_url)}`);
    assert.equal(u.agent_name, 'Named');
    const u2 = await c.agent.update(a.agent_id, { agent_name: null });
    assert.ok(!('agent_name' in u2), `agent_name must be absent after clearing, got ${JSON.stringify(u2.agent_name)}`);
    const got = await c.agent.retrieve(a.agent_id);
    assert.ok(!('agent_name' in got) && !('webhook_url' in got), 'the clear is stored');
  });

  test('null on a non-nullable field is 400 naming it', async () => {
    const a = await c.agent.create(agentBody());
    await rejects(c.agent.update(a.agent_id, { voice_id: null }), BadRequestError, /^voice_id\b/);
    await rejects(c.agent.update(a.agent_id, { voice_speed: null }), BadRequestError, /^voice_speed\b/);
    await rejects(c.agent.update(a.agent_id, { response_engine: null }), BadRequestError, /^response_engine\b/);
    const got = await c.agent.retrieve(a.agent_id);
    assert.equal(got.voice_id, 'retell-Cimo', 'the rejected update changed nothing');
  });

  test('a nested object is replaced whole', async () => {
    const a = await c.agent.create(agentBody({
      voicemail_option: { action: { type: 'static_text', text: 'hi' }, detection_prompt: 'beep' },
    }));
    const u = await c.agent.update(a.agent_id, { voicemail_option: { action: { type: 'hangup' } } });
    assert.deepEqual(u.voicemail_option, { action: { type: 'hangup' } });
  });

  test('invalid values are 400 naming the field; nothing changes', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'Stable' }));
    await rejects(c.agent.update(a.agent_id, { voice_speed: 0.1 }), BadRequestError, /^voice_speed\b/);
    await rejects(c.agent.update(a.agent_id, { ambient_sound: 'rainforest' }), BadRequestError, /^ambient_sound\b/);
    await rejects(c.agent.update(a.agent_id, { agent_name: 'X', voice_speed: 9 }), BadRequestError, /^voice_speed\b/);
    const got = await c.agent.retrieve(a.agent_id);
    assert.equal(got.agent_name, 'Stable');
  });

  test('updating advances last_modification_timestamp', async () => {
    const a = await c.agent.create(agentBody());
    await sleep(10);
    const u = await c.agent.update(a.agent_id, { agent_name: 'later' });
    assert.ok(u.last_modification_timestamp > a.last_modification_timestamp,
      `${u.last_modification_timestamp} > ${a.last_modification_timestamp}`);
  });

  test('version_title and version_description can be set and cleared on update', async () => {
    const a = await c.agent.create(agentBody());
    const u = await c.agent.update(a.agent_id, { version_title: 't', version_description: 'd' });
    assert.equal(u.version_title, 't');
    assert.equal(u.version_description, 'd');
    const u2 = await c.agent.update(a.agent_id, { version_title: null });
    assert.equal(u2.version_title, null);
    assert.equal(u2.version_description, 'd');
  });

  test('without version edits the latest draft: v0 published, v1 draft -> v1', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'orig' }));
    await c.agent.publish(a.agent_id, { version: 0 });
    await c.agent.createVersion(a.agent_id, { base_version: 0 });
    const u = await c.agent.update(a.agent_id, { agent_name: 'edited' });
    assertAgent(u, { version: 1, published: false, baseVersion: 0 });
    assert.equal(u.agent_name, 'edited');
    assert.equal((await c.agent.retrieve(a.agent_id, { version: 0 })).agent_name, 'orig', 'v0 unchanged');
  });

  test('without version edits the highest-numbered draft even when a higher version is published', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'orig' }));
    await c.agent.createVersion(a.agent_id, { base_version: 0 }); // v1 draft
    await c.agent.createVersion(a.agent_id, { base_version: 0 }); // v2
    await c.agent.publish(a.agent_id, { version: 2 });
    const u = await c.agent.update(a.agent_id, { agent_name: 'edited' });
    assert.equal(u.version, 1);
    assert.equal((await c.agent.retrieve(a.agent_id, { version: 0 })).agent_name, 'orig');
    assert.equal((await c.agent.retrieve(a.agent_id, { version: 2 })).agent_name, 'orig');
  });

  test('version: N edits draft N and no other', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'orig' }));
    await c.agent.createVersion(a.agent_id, { base_version: 0 }); // v1
    const u = await c.agent.update(a.agent_id, { version: 0, agent_name: 'zero' });
    assert.equal(u.version, 0);
    assert.equal(u.agent_name, 'zero');
    assert.equal((await c.agent.retrieve(a.agent_id, { version: 1 })).agent_name, 'orig');
  });

  test('updating a published version is 400 pointing at create-agent-version; it stays unchanged', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'frozen' }));
    await c.agent.publish(a.agent_id, { version: 0 });
    await c.agent.createVersion(a.agent_id, { base_version: 0 });
    await rejects(c.agent.update(a.agent_id, { version: 0, agent_name: 'thawed' }), BadRequestError, /create-agent-version/);
    const v0 = await c.agent.retrieve(a.agent_id, { version: 0 });
    assert.equal(v0.agent_name, 'frozen');
    assert.equal(v0.is_published, true);
  });

  test('an agent whose every version is published is 400 pointing at create-agent-version', async () => {
    const a = await c.agent.create(agentBody());
    await c.agent.publish(a.agent_id, { version: 0 });
    await rejects(c.agent.update(a.agent_id, { agent_name: 'x' }), BadRequestError, /create-agent-version/);
    await rejects(c.agent.update(a.agent_id, { version: 'latest', agent_name: 'x' }), BadRequestError, /create-agent-version/);
  });

  test('unknown agent or version is 422', async () => {
    await rejects(c.agent.update(MISSING_AGENT, { agent_name: 'x' }), UnprocessableEntityError, NOT_FOUND_422);
    const a = await c.agent.create(agentBody());
    await rejects(c.agent.update(a.agent_id, { version: 7, agent_name: 'x' }), UnprocessableEntityError, NOT_FOUND_422);
  });

  test('a malformed version is 400', async () => {
    const a = await c.agent.create(agentBody());
    assertRawError(await srv.raw('PATCH', `/update-agent/${a.agent_id}?version=-3`, { body: { agent_name: 'x' } }), 400, /version/);
    assertRawError(await srv.raw('PATCH', `/update-agent/${a.agent_id}?version=0.5`, { body: { agent_name: 'x' } }), 400, /version/);
  });
});

describe('delete-agent', () => {
  test('204; afterwards get, update and delete are 422', async () => {
    const a = await c.agent.create(agentBody());
    await c.agent.createVersion(a.agent_id, { base_version: 0 });
    await c.agent.publish(a.agent_id, { version: 0 });
    const { data, response } = await c.agent.delete(a.agent_id).withResponse();
    assert.equal(response.status, 204);
    assert.ok(data === null || data === undefined || data === '', `no body, got ${JSON.stringify(data)}`);
    await rejects(c.agent.retrieve(a.agent_id), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.agent.retrieve(a.agent_id, { version: 0 }), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.agent.update(a.agent_id, { agent_name: 'ghost' }), UnprocessableEntityError, NOT_FOUND_422);
    await rejects(c.agent.delete(a.agent_id), UnprocessableEntityError, NOT_FOUND_422);
  });

  test('a deleted agent is gone from the list and from the version endpoints (404)', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'doomed-agent' }));
    await c.agent.delete(a.agent_id);
    const list = await c.agent.list({ filter_criteria: { query: 'doomed-agent' } });
    assert.deepEqual(list.items, []);
    await rejects(c.agent.getVersions(a.agent_id), NotFoundError);
    await rejects(c.agent.listVersions(a.agent_id), NotFoundError);
  });

  test('unknown agent is 422', async () => {
    await rejects(c.agent.delete(MISSING_AGENT), UnprocessableEntityError, NOT_FOUND_422);
  });

  test('deleting one agent leaves the others', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'keep' }));
    const b = await c.agent.create(agentBody({ agent_name: 'drop' }));
    await c.agent.delete(b.agent_id);
    const got = await c.agent.retrieve(a.agent_id);
    assert.equal(got.agent_name, 'keep');
  });
});
