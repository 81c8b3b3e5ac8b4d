// Response engines (Retell LLMs and conversation flows) and their lockstep
// versioning with the agents that use them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, rejects, assertRawError, NOT_FOUND_422,
  BadRequestError, NotFoundError, UnprocessableEntityError,
} from './harness.js';

let srv;
let c;
let cB;
before(async () => { srv = await startServer(); c = srv.clientA; cB = srv.clientB; });
after(async () => { await srv?.stop(); });

const LLM = Object.freeze({ general_prompt: 'You answer the front desk.', start_speaker: 'agent' });
const FLOW = Object.freeze({
  start_speaker: 'agent',
  model_choice: { type: 'cascading', model: 'gpt-5.6-terra' },
  start_node_id: 'start',
  nodes: [
    {
      id: 'start', type: 'conversation', instruction: { type: 'prompt', text: 'Greet.' },
      edges: [{ id: 'e1', destination_node_id: 'bye', transition_condition: { type: 'prompt', prompt: 'done' } }],
    },
    { id: 'bye', type: 'end' },
  ],
});

// The two kinds, driven through their SDK resources. Not-found statuses
// follow each path of the reference.
const KINDS = [
  {
    name: 'retell-llm', idField: 'llm_id', prefix: /^llm_[0-9a-f]+$/, body: LLM,
    res: (cl) => cl.llm, ref: (id) => ({ type: 'retell-llm', llm_id: id }),
    missing: { get: UnprocessableEntityError, update: UnprocessableEntityError, delete: UnprocessableEntityError },
  },
  {
    name: 'conversation-flow', idField: 'conversation_flow_id', prefix: /^conversation_flow_[0-9a-f]+$/, body: FLOW,
    res: (cl) => cl.conversationFlow, ref: (id) => ({ type: 'conversation-flow', conversation_flow_id: id }),
    missing: { get: NotFoundError, update: UnprocessableEntityError, delete: NotFoundError },
  },
];

const voiceBody = (engine) => ({ voice_id: 'retell-Cimo', response_engine: engine });

function assertEngine(k, e, { id, version, published } = {}) {
  assert.match(e[k.idField], k.prefix, k.idField);
  assert.ok(Number.isInteger(e.version) && e.version >= 0, `version: ${e.version}`);
  assert.equal(typeof e.is_published, 'boolean', 'is_published');
  assert.ok(Number.isInteger(e.last_modification_timestamp), 'last_modification_timestamp');
  for (const f of ['agent_id', 'base_version', 'version_title', 'version_description']) {
    assert.ok(!(f in e), `an engine response has no ${f}`);
  }
  if (id !== undefined) assert.equal(e[k.idField], id);
  if (version !== undefined) assert.equal(e.version, version, 'version');
  if (published !== undefined) assert.equal(e.is_published, published, 'is_published');
}

for (const k of KINDS) {
  describe(`${k.name} endpoints`, () => {
    test('create 201 at version 0, a draft, the configuration as sent', async () => {
      const { data, response } = await k.res(c).create(k.body).withResponse();
      assert.equal(response.status, 201);
      assertEngine(k, data, { version: 0, published: false });
      for (const [f, v] of Object.entries(k.body)) assert.deepEqual(data[f], v, f);
    });

    test('retrieve: the latest version by default, or the one asked for', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      assert.deepEqual(await k.res(c).retrieve(id), e);
      assert.deepEqual(await k.res(c).retrieve(id, { version: 0 }), e);
      await rejects(k.res(c).retrieve(id, { version: 5 }), k.missing.get);
    });

    test('update: the latest draft by default; null clears', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      const u = await k.res(c).update(id, { begin_after_user_silence_ms: 2500 });
      assertEngine(k, u, { id, version: 0, published: false });
      assert.equal(u.begin_after_user_silence_ms, 2500);
      const cleared = await k.res(c).update(id, { version: 0, begin_after_user_silence_ms: null });
      assert.ok(!('begin_after_user_silence_ms' in cleared));
      await rejects(k.res(c).update(id, { start_speaker: 'robot' }), BadRequestError, /start_speaker/);
      await rejects(k.res(c).update(id, { version: 9, start_speaker: 'user' }), k.missing.update, /no version 9/);
    });

    test('list pages with limit, sort_order and pagination_key; items are whole responses', async () => {
      const fresh = await startServer({ workspaces: ['solo'] });
      try {
        const cl = fresh.client('solo');
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push((await k.res(cl).create(k.body))[k.idField]);
        const seen = [];
        let page = await k.res(cl).list({ limit: 2, sort_order: 'ascending' });
        assert.equal(page.items.length, 2);
        assert.equal(page.has_more, true);
        seen.push(...page.items);
        page = await k.res(cl).list({ limit: 2, sort_order: 'ascending', pagination_key: page.pagination_key });
        assert.equal(page.has_more, false);
        seen.push(...page.items);
        for (const item of seen) assertEngine(k, item, { version: 0 });
        assert.deepEqual(seen.map((e) => e[k.idField]).sort(), [...ids].sort());
        const all = await k.res(cl).list();
        assert.equal(all.items.length, 3);
        await rejects(k.res(cl).list({ limit: 0 }), BadRequestError, /limit/);
      } finally {
        await fresh.stop();
      }
    });

    test('delete 204; then every endpoint answers not found', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      const { response } = await k.res(c).delete(id).withResponse();
      assert.equal(response.status, 204);
      await rejects(k.res(c).retrieve(id), k.missing.get);
      await rejects(k.res(c).update(id, { start_speaker: 'user' }), k.missing.update);
      await rejects(k.res(c).delete(id), k.missing.delete);
    });

    test("another workspace's engine answers like a missing one", async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      await rejects(k.res(cB).retrieve(id), k.missing.get);
      await rejects(k.res(cB).update(id, { start_speaker: 'user' }), k.missing.update);
      await rejects(k.res(cB).delete(id), k.missing.delete);
      assert.deepEqual(await k.res(c).retrieve(id), e, 'unchanged');
      assert.ok(!(await k.res(cB).list()).items.some((x) => x[k.idField] === id));
    });
  });

  describe(`${k.name} lockstep with agents`, () => {
    test('an agent without a version pins the latest engine version', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      const a = await c.agent.create(voiceBody(k.ref(id)));
      assert.equal(a.response_engine.version, 0);
      await c.agent.createVersion(a.agent_id, { base_version: 0 }); // engine version 1
      assert.equal((await k.res(c).retrieve(id)).version, 1);
      const b = await c.chatAgent.create({ response_engine: k.ref(id) });
      assert.equal(b.response_engine.version, 1, 'the latest');
      const pinned = await c.chatAgent.create({ response_engine: { ...k.ref(id), version: 0 } });
      assert.equal(pinned.response_engine.version, 0, 'an explicit version is kept');
    });

    test('publishing an agent version publishes the engine version it pins', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      const a = await c.agent.create(voiceBody(k.ref(id)));
      await c.agent.publish(a.agent_id, { version: 0 });
      assertEngine(k, await k.res(c).retrieve(id, { version: 0 }), { published: true });
      await rejects(k.res(c).update(id, { version: 0, begin_after_user_silence_ms: 1 }), BadRequestError, /published/);
      await rejects(k.res(c).update(id, { begin_after_user_silence_ms: 1 }), BadRequestError, /no draft/);
      assert.ok(!('begin_after_user_silence_ms' in await k.res(c).retrieve(id, { version: 0 })));
    });

    test('create-agent-version copies the pinned engine version into a new draft with the same number', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      const a = await c.chatAgent.create({ response_engine: k.ref(id) });
      await k.res(c).update(id, { begin_after_user_silence_ms: 1111 });
      await c.chatAgent.publish(a.agent_id, { version: 0 });
      for (const n of [1, 2]) {
        const v = await c.chatAgent.createVersion(a.agent_id, { base_version: 0 });
        assert.equal(v.version, n);
        assert.equal(v.response_engine.version, n, 'one agent uses the engine: its numbers follow the agent');
        const ev = await k.res(c).retrieve(id, { version: n });
        assertEngine(k, ev, { version: n, published: false });
        assert.equal(ev.begin_after_user_silence_ms, 1111, 'copied from the pinned version');
      }
      const edited = await k.res(c).update(id, { version: 1, begin_after_user_silence_ms: 2222 });
      assert.equal(edited.begin_after_user_silence_ms, 2222);
      assert.equal((await k.res(c).retrieve(id, { version: 0 })).begin_after_user_silence_ms, 1111);
      assert.equal((await c.chatAgent.retrieve(a.agent_id, { version: 0 })).response_engine.version, 0);
      await c.chatAgent.publish(a.agent_id, { version: 1 });
      assert.equal((await k.res(c).retrieve(id, { version: 1 })).is_published, true);
      assert.equal((await k.res(c).retrieve(id, { version: 2 })).is_published, false);
    });

    test('deleting an engine in use is 400 naming the agent; force_delete deletes it', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      const a = await c.agent.create(voiceBody(k.ref(id)));
      await rejects(k.res(c).delete(id), BadRequestError, new RegExp(a.agent_id));
      await k.res(c).retrieve(id);
      const { response } = await k.res(c).delete(id, { force_delete: true }).withResponse();
      assert.equal(response.status, 204);
      await rejects(k.res(c).retrieve(id), k.missing.get);
      await c.agent.retrieve(a.agent_id); // the agent stays
      await rejects(c.agent.publish(a.agent_id, { version: 0 }), UnprocessableEntityError, NOT_FOUND_422);
      assert.equal((await c.agent.retrieve(a.agent_id)).is_published, false, 'publishing is all or nothing');
    });

    test('an engine or engine version that does not exist under the key is 422', async () => {
      const e = await k.res(c).create(k.body);
      const id = e[k.idField];
      const other = (await k.res(cB).create(k.body))[k.idField];
      const missing = k.name === 'retell-llm' ? 'llm_00000000' : 'conversation_flow_00000000';
      for (const ref of [k.ref(missing), { ...k.ref(id), version: 7 }, k.ref(other)]) {
        await rejects(c.agent.create(voiceBody(ref)), UnprocessableEntityError, NOT_FOUND_422);
        await rejects(c.chatAgent.create({ response_engine: ref }), UnprocessableEntityError, NOT_FOUND_422);
      }
    });
  });
}

describe('validation of engine configurations', () => {
  test('Retell LLM: fields typed, states checked across items', async () => {
    await rejects(c.llm.create({ model: 'gpt-2' }), BadRequestError, /model/);
    await rejects(c.llm.create({ model_temperature: 3 }), BadRequestError, /model_temperature/);
    await rejects(c.llm.create({ states: [{ name: 'a' }, { name: 'a' }], starting_state: 'a' }),
      BadRequestError, /states\[1\]\.name: "a" is already the name of states\[0\]/);
    await rejects(c.llm.create({
      states: [{ name: 'a', edges: [{ destination_state_name: 'b', description: 'go' }] }], starting_state: 'a',
    }), BadRequestError, /states\[0\]\.edges\[0\]\.destination_state_name: no state is named "b"/);
    await rejects(c.llm.create({ states: [{ name: 'a' }], starting_state: 'z' }), BadRequestError, /starting_state: no state is named "z"/);
    await rejects(c.llm.create({
      general_tools: [{ type: 'end_call', name: 'end' }, { type: 'end_call', name: 'end' }],
    }), BadRequestError, /general_tools\[1\]\.name/);
    const llm = await c.llm.create({ states: [{ name: 'a' }, { name: 'b' }], starting_state: 'a' });
    await rejects(c.llm.update(llm.llm_id, { states: [{ name: 'b' }] }), BadRequestError, /starting_state: no state is named "a"/);
  });

  test('Retell LLM: nested tools keep what the client sent', async () => {
    const tool = {
      type: 'transfer_call', name: 'to_desk', description: 'Transfer.',
      transfer_destination: { type: 'predefined', number: '+16175551212' },
      transfer_option: { type: 'cold_transfer', show_transferee_as_caller: false },
    };
    const llm = await c.llm.create({ general_tools: [tool] });
    assert.deepEqual(llm.general_tools, [tool]);
  });

  test('conversation flow: create requires start_speaker, model_choice and nodes; ids and edges checked', async () => {
    await rejects(c.conversationFlow.create({ ...FLOW, nodes: undefined }), BadRequestError, /nodes: is required/);
    const { model_choice: _m, ...noModel } = FLOW;
    await rejects(c.conversationFlow.create(noModel), BadRequestError, /model_choice: is required/);
    const nodes = [
      FLOW.nodes[0], FLOW.nodes[1],
      { id: 'n3', type: 'conversation', instruction: { type: 'prompt', text: 'x' },
        edges: [{ id: 'e', destination_node_id: 'n9', transition_condition: { type: 'prompt', prompt: 'p' } }] },
    ];
    await rejects(c.conversationFlow.create({ ...FLOW, nodes }), BadRequestError,
      /nodes\[2\]\.edges\[0\]\.destination_node_id: no node has id "n9"/);
    await rejects(c.conversationFlow.create({ ...FLOW, nodes: [FLOW.nodes[1], FLOW.nodes[1]] }), BadRequestError,
      /nodes\[1\]\.id: "bye" is already the id of nodes\[0\]/);
    await rejects(c.conversationFlow.create({ ...FLOW, start_node_id: 'nowhere' }), BadRequestError, /start_node_id: no node has id "nowhere"/);
    const flow = await c.conversationFlow.create(FLOW);
    await rejects(c.conversationFlow.update(flow.conversation_flow_id, { nodes: [{ id: 'x', type: 'end' }] }),
      BadRequestError, /start_node_id: no node has id "start"/);
    assert.deepEqual((await c.conversationFlow.retrieve(flow.conversation_flow_id)).nodes, FLOW.nodes, 'unchanged');
  });

  test('bad query parameters are 400', async () => {
    const llm = await c.llm.create(LLM);
    assertRawError(await srv.raw('GET', `/get-retell-llm/${llm.llm_id}?version=abc`), 400, /version/);
    assertRawError(await srv.raw('DELETE', `/delete-retell-llm/${llm.llm_id}?force_delete=maybe`), 400, /force_delete/);
    assertRawError(await srv.raw('GET', '/v2/list-conversation-flows?sort_order=up'), 400, /sort_order/);
  });
});
