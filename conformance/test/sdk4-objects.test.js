// retell-sdk 4.66.0 (the newest 4.x, installed as retell-sdk-4) driving the
// objects that versions point at: phone numbers with 4.x's single-agent
// fields (inbound_agent_id and the like, taken in both modes), its unpaged
// lists of phone numbers and shared components, knowledge bases, voices,
// batch tests (reserved_concurrency: ignored and named, refused with
// --strict), MCP tools and concurrency; and its call and chat paths, which
// agentry does not serve, answered with a 404 that says so.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Retell4, { toFile } from 'retell-sdk-4';
import { startServer, ENGINE } from './harness.js';
import { TOOLS, startMCP } from './mcp-server.js';

const client4 = (srv, workspaceOrKey = srv.workspaces[0]) =>
  new Retell4({ apiKey: srv.keys[workspaceOrKey] ?? workspaceOrKey, baseURL: srv.baseURL, maxRetries: 0, timeout: 10_000 });

const VOICE_AGENT = { voice_id: 'retell-Cimo', response_engine: { ...ENGINE } };
const COMPONENT = { name: 'Collect', nodes: [{ id: 'ask', type: 'conversation', instruction: { type: 'prompt', text: 'Ask for the date.' } }] };

// rejects4 awaits p and asserts it fails as 4.x reports an API error: its
// class, the status and the {status, message} body. Returns the error.
async function rejects4(p, Cls, message) {
  try {
    const r = await p;
    assert.fail(`expected ${Cls.name}, got ${JSON.stringify(r)}`);
  } catch (e) {
    assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${e}`);
    assert.equal(e.error.status, 'error');
    if (message) assert.match(e.error.message, message);
    return e;
  }
}

// singleFields is what 4.x reads of a phone number's bindings: the fields
// that are present (unset ones are omitted, as every unset field is).
const singleFields = (p) => Object.fromEntries(
  ['inbound_agent_id', 'inbound_agent_version', 'outbound_agent_id', 'outbound_agent_version']
    .filter((k) => k in p).map((k) => [k, p[k]]),
);

// Both modes: the single-agent fields have a meaning (a list of one), so
// --strict takes them as the default mode does.
for (const strict of [false, true]) {
  describe(`retell-sdk 4.x phone numbers, ${strict ? 'strict' : 'default'} mode`, () => {
    let srv, c;
    before(async () => { srv = await startServer({ strict }); c = client4(srv); });
    after(() => srv?.stop());

    test('create, retrieve, update, import, list and delete with the single-agent fields', async () => {
      const a = await c.agent.create({ ...VOICE_AGENT, agent_name: 'Desk' });
      const b = await c.agent.create({ ...VOICE_AGENT, agent_name: 'Sales' });
      await c.agent.publish(a.agent_id); // a: version 0 published, 1 a draft

      const { data: p, response } = await c.phoneNumber.create({ area_code: 415, inbound_agent_id: a.agent_id, inbound_agent_version: 0, nickname: 'Front desk' })
        .withResponse();
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('agentry-ignored-fields'), null, 'the single-agent fields are not unknown fields');
      assert.match(p.phone_number, /^\+1415[2-9]\d{6}$/);
      assert.equal(p.phone_number_pretty, `+1 (415) ${p.phone_number.slice(5, 8)}-${p.phone_number.slice(8)}`);
      assert.equal(p.phone_number_type, 'retell-twilio');
      assert.deepEqual(singleFields(p), { inbound_agent_id: a.agent_id, inbound_agent_version: 0 });
      // The current API's list says the same.
      assert.deepEqual(p.inbound_agents, [{ agent_id: a.agent_id, agent_version: 0, weight: 1 }]);
      assert.deepEqual(singleFields(await c.phoneNumber.retrieve(p.phone_number)), singleFields(p));

      // update, as 4.x sends it: another agent at latest, then a version alone.
      let u = await c.phoneNumber.update(p.phone_number, { outbound_agent_id: b.agent_id, inbound_agent_version: 1 });
      assert.deepEqual(singleFields(u), { inbound_agent_id: a.agent_id, inbound_agent_version: 1, outbound_agent_id: b.agent_id });
      u = await c.phoneNumber.update(p.phone_number, { inbound_agent_id: null, nickname: null });
      assert.deepEqual(singleFields(u), { outbound_agent_id: b.agent_id });
      assert.ok(!('inbound_agents' in u) && !('nickname' in u), JSON.stringify(u));

      const imported = await c.phoneNumber.import({
        phone_number: '+14155550100', termination_uri: 'desk.pstn.twilio.com', sip_trunk_auth_username: 'desk', sip_trunk_auth_password: 'secret',
        inbound_agent_id: b.agent_id, outbound_agent_id: a.agent_id, outbound_agent_version: 0,
      });
      assert.equal(imported.phone_number_type, 'custom');
      assert.deepEqual(singleFields(imported), { inbound_agent_id: b.agent_id, outbound_agent_id: a.agent_id, outbound_agent_version: 0 });
      assert.ok(!JSON.stringify(imported).includes('secret'));

      // 4.x's list: every number of the workspace, as an array, newest first.
      const list = await c.phoneNumber.list();
      assert.ok(Array.isArray(list));
      assert.deepEqual(list.map((x) => x.phone_number), ['+14155550100', p.phone_number]);
      assert.deepEqual(list.map(singleFields), [singleFields(imported), singleFields(u)]);
      assert.deepEqual(await client4(srv, srv.workspaces[1]).phoneNumber.list(), []);

      // A bound agent cannot vanish; deleting the number frees it.
      await rejects4(c.agent.delete(b.agent_id), Retell4.BadRequestError, /\+14155550100/);
      await c.phoneNumber.delete('+14155550100');
      await c.phoneNumber.delete(p.phone_number);
      assert.deepEqual(await c.phoneNumber.list(), []);
      await c.agent.delete(b.agent_id);
      await rejects4(c.phoneNumber.retrieve(p.phone_number), Retell4.UnprocessableEntityError, /Cannot find requested asset/);
    });

    test('a weighted list reads as its heaviest entry; a tag as the version it holds', async () => {
      const a = await c.agent.create(VOICE_AGENT);
      const b = await c.agent.create(VOICE_AGENT);
      await c.agent.publish(b.agent_id);
      await srv.client().put(`/agentry/v1/agents/${b.agent_id}/tags/prod`, { body: { version: 0 } });
      // Bound with the current API's lists (a 5.x client, or the console).
      const p = await srv.client().phoneNumber.import({
        phone_number: '+14155550200', termination_uri: 't.pstn.twilio.com',
        inbound_agents: [{ agent_id: a.agent_id, weight: 0.2 }, { agent_id: b.agent_id, agent_version: 'prod', weight: 0.8 }],
      });
      assert.deepEqual(singleFields(await c.phoneNumber.retrieve(p.phone_number)), { inbound_agent_id: b.agent_id, inbound_agent_version: 0 });
      // A version alone cannot say which entry of several it is for.
      await rejects4(c.phoneNumber.update(p.phone_number, { inbound_agent_version: 1 }), Retell4.BadRequestError,
        /inbound_agent_version: the number binds 2 agents in inbound_agents/);
      // An id replaces the list with one entry.
      const u = await c.phoneNumber.update(p.phone_number, { inbound_agent_id: a.agent_id });
      assert.deepEqual(u.inbound_agents, [{ agent_id: a.agent_id, weight: 1 }]);
      await c.phoneNumber.delete(p.phone_number);
    });

    test('bad single-agent fields are refused, naming them, and change nothing', async () => {
      const a = await c.agent.create(VOICE_AGENT);
      const chat = await c.chatAgent.create({ response_engine: { ...ENGINE } });
      const p = await c.phoneNumber.import({ phone_number: '+14155550300', termination_uri: 't.pstn.twilio.com', inbound_agent_id: a.agent_id });
      const cases = [
        [{ inbound_agent_id: a.agent_id, inbound_agents: [{ agent_id: a.agent_id, weight: 1 }] }, Retell4.BadRequestError,
          /inbound_agent_id: sent with inbound_agents; send one or the other/],
        [{ outbound_agent_version: 0 }, Retell4.BadRequestError, /outbound_agent_version: the number binds no agent in outbound_agents; send outbound_agent_id/],
        [{ inbound_agent_version: '1' }, Retell4.BadRequestError, /inbound_agent_version/],
        [{ inbound_agent_id: 'agent_00000000000000000000000000000000' }, Retell4.UnprocessableEntityError, /inbound_agent_id: agent agent_0+ does not exist/],
        [{ inbound_agent_version: 7 }, Retell4.UnprocessableEntityError, /inbound_agent_version: agent .* has no version 7/],
        [{ outbound_agent_id: chat.agent_id }, Retell4.BadRequestError, /outbound_agent_id: .* is a chat agent, and outbound_agents takes voice agents/],
      ];
      for (const [body, Cls, message] of cases) {
        await rejects4(c.phoneNumber.update(p.phone_number, body), Cls, message);
      }
      assert.deepEqual(await c.phoneNumber.retrieve(p.phone_number), p);
      await c.phoneNumber.delete(p.phone_number);
    });
  });
}

describe('retell-sdk 4.x: components, knowledge bases, voices, tests, MCP tools, concurrency', () => {
  let srv, c, mcp;
  before(async () => {
    [srv, mcp] = await Promise.all([startServer({ serveArgs: ['--kb-indexing-time', '100ms'] }), startMCP()]);
    c = client4(srv);
  });
  after(async () => { await srv?.stop(); await mcp?.close(); });

  test('shared conversation flow components: create, list (an array), retrieve, update, delete', async () => {
    const first = await c.conversationFlowComponent.create(COMPONENT);
    const second = await c.conversationFlowComponent.create({ ...COMPONENT, name: 'Confirm' });
    assert.match(first.conversation_flow_component_id, /^component_[0-9a-f]{32}$/);
    const list = await c.conversationFlowComponent.list();
    assert.ok(Array.isArray(list));
    assert.deepEqual(list.map((x) => x.name), ['Confirm', 'Collect']);
    assert.deepEqual(list[1], await c.conversationFlowComponent.retrieve(first.conversation_flow_component_id));
    const u = await c.conversationFlowComponent.update(first.conversation_flow_component_id, { name: 'Collect the date' });
    assert.equal(u.name, 'Collect the date');
    assert.deepEqual(await client4(srv, srv.workspaces[1]).conversationFlowComponent.list(), []);
    await c.conversationFlowComponent.delete(first.conversation_flow_component_id);
    await c.conversationFlowComponent.delete(second.conversation_flow_component_id);
    assert.deepEqual(await c.conversationFlowComponent.list(), []);
  });

  test('knowledge bases: create with texts, URLs and a file, list, add and delete sources, delete', async () => {
    const kb = await c.knowledgeBase.create({
      knowledge_base_name: 'Opening hours',
      knowledge_base_texts: [{ title: 'Hours', text: 'Open 9 to 5.' }],
      knowledge_base_urls: ['https://example.com/hours'],
      knowledge_base_files: [await toFile(Buffer.from('Closed on Sundays.'), 'sundays.txt')],
    });
    assert.match(kb.knowledge_base_id, /^knowledge_base_[0-9a-f]{32}$/);
    let got = kb;
    for (const deadline = Date.now() + 10_000; got.status === 'in_progress'; await new Promise((r) => setTimeout(r, 50))) {
      assert.ok(Date.now() < deadline, 'still indexing after 10 s');
      got = await c.knowledgeBase.retrieve(kb.knowledge_base_id);
    }
    assert.equal(got.status, 'complete');
    assert.deepEqual(got.knowledge_base_sources.map((s) => s.type).sort(), ['document', 'text', 'url']);
    assert.deepEqual((await c.knowledgeBase.list()).map((x) => x.knowledge_base_id), [kb.knowledge_base_id]);
    const added = await c.knowledgeBase.addSources(kb.knowledge_base_id, { knowledge_base_texts: [{ title: 'Holidays', text: 'Closed on holidays.' }] });
    assert.equal(added.knowledge_base_id, kb.knowledge_base_id);
    const text = got.knowledge_base_sources.find((s) => s.type === 'text');
    const after = await c.knowledgeBase.deleteSource(kb.knowledge_base_id, text.source_id);
    assert.ok(!after.knowledge_base_sources.some((s) => s.source_id === text.source_id));
    await c.knowledgeBase.delete(kb.knowledge_base_id);
    assert.deepEqual(await c.knowledgeBase.list(), []);
  });

  test('voices and concurrency', async () => {
    const voices = await c.voice.list();
    assert.ok(Array.isArray(voices) && voices.length > 0);
    assert.deepEqual(await c.voice.retrieve(voices[0].voice_id), voices[0]);
    const conc = await c.concurrency.retrieve();
    assert.equal(conc.current_concurrency, 0);
    assert.equal(typeof conc.concurrency_limit, 'number');
  });

  test('a batch test with reserved_concurrency: created, the field ignored and named', async () => {
    const llm = await c.llm.create({ general_prompt: 'Answer the desk.' });
    const def = await srv.client().tests.createTestCaseDefinition({
      name: 'Greets', response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, user_prompt: 'Say hello.', metrics: ['greets back'],
    });
    const { data: b, response } = await c.tests.createBatchTest({
      response_engine: { type: 'retell-llm', llm_id: llm.llm_id, version: 0 },
      test_case_definition_ids: [def.test_case_definition_id], reserved_concurrency: 2,
    }).withResponse();
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('agentry-ignored-fields'), 'reserved_concurrency');
    assert.match(b.test_case_batch_job_id, /^test_case_batch_job_[0-9a-f]+$/);
    assert.equal(b.total_count, 1);
    assert.ok(['in_progress', 'complete'].includes(b.status));
    assert.deepEqual(b.response_engine, { type: 'retell-llm', llm_id: llm.llm_id, version: 0 });
  });

  test('MCP tools: 4.x asks without component_id', async () => {
    const llm = await c.llm.create({ mcps: [{ name: 'drive', url: mcp.url, headers: { Authorization: 'Bearer mcp-token' } }] });
    const a = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { type: 'retell-llm', llm_id: llm.llm_id } });
    assert.deepEqual(await c.mcpTool.getMcpTools(a.agent_id, { mcp_id: 'drive' }), TOOLS);
    assert.deepEqual(await c.mcpTool.getMcpTools(a.agent_id, { mcp_id: 'drive', version: 0 }), TOOLS);
    await rejects4(c.mcpTool.getMcpTools(a.agent_id, { mcp_id: 'drive', version: 3 }), Retell4.UnprocessableEntityError, /no version 3/);
  });

  test("calls and chats: 4.x's paths answer a 404 that says agentry does not serve them", async () => {
    const media = /is Retell's (call|chat) media plane .*, which agentry does not serve/;
    for (const call of [
      () => c.call.list({}),
      () => c.call.createWebCall({ agent_id: 'agent_00000000000000000000000000000000' }),
      () => c.call.createPhoneCall({ from_number: '+14155550100', to_number: '+14155550101' }),
      () => c.call.retrieve('call_1'),
      () => c.batchCall.createBatchCall({ from_number: '+14155550100', tasks: [{ to_number: '+14155550101' }] }),
      () => c.chat.list(),
      () => c.chat.create({ agent_id: 'agent_00000000000000000000000000000000' }),
      () => c.chat.createChatCompletion({ chat_id: 'chat_1', content: 'hi' }),
    ]) {
      await rejects4(call(), Retell4.NotFoundError, media);
    }
  });
});

describe('retell-sdk 4.x objects, strict mode', () => {
  let srv, c;
  before(async () => { srv = await startServer({ strict: true }); c = client4(srv); });
  after(() => srv?.stop());

  test('the unpaged lists answer; reserved_concurrency, which means nothing here, is refused by name', async () => {
    await c.conversationFlowComponent.create(COMPONENT);
    assert.equal((await c.conversationFlowComponent.list()).length, 1);
    assert.deepEqual(await c.phoneNumber.list(), []);
    const llm = await c.llm.create({ general_prompt: 'Answer the desk.' });
    const def = await srv.client().tests.createTestCaseDefinition({
      name: 'Greets', response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, user_prompt: 'Say hello.', metrics: ['greets back'],
    });
    const body = { response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, test_case_definition_ids: [def.test_case_definition_id] };
    await rejects4(c.tests.createBatchTest({ ...body, reserved_concurrency: 2 }), Retell4.BadRequestError, /unknown field "reserved_concurrency"/);
    assert.equal((await c.tests.createBatchTest(body)).total_count, 1);
  });
});
