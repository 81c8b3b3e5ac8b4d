// Shared conversation flow components through the SDK: create, get, update
// with If-Match (412), list with paging, delete; flows that use them; and
// the rule that a published flow version never changes: editing or deleting
// a component reaches drafts only.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, rejects, assertRawError, APIError,
  BadRequestError, NotFoundError, UnprocessableEntityError,
} from './harness.js';

let srv;
let c;
let cB;
before(async () => { srv = await startServer(); c = srv.clientA; cB = srv.clientB; });
after(async () => { await srv?.stop(); });

const component = (name, text) => ({
  name,
  start_node_id: 'ask',
  nodes: [{ id: 'ask', type: 'conversation', instruction: { type: 'prompt', text } }],
});

// flowUsing is a flow whose start node runs shared component id.
const flowUsing = (id) => ({
  start_speaker: 'agent',
  model_choice: { type: 'cascading', model: 'gpt-5.6-terra' },
  start_node_id: 'c',
  nodes: [
    {
      id: 'c', type: 'component', component_type: 'shared', component_id: id,
      else_edge: { id: 'e', destination_node_id: 'bye', transition_condition: { type: 'prompt', prompt: 'Else' } },
    },
    { id: 'bye', type: 'end' },
  ],
});

function assertComponent(x) {
  assert.match(x.conversation_flow_component_id, /^component_[0-9a-f]{32}$/);
  assert.ok(Number.isInteger(x.user_modified_timestamp));
  assert.equal(typeof x.name, 'string');
  assert.ok(Array.isArray(x.nodes));
  assert.ok(Array.isArray(x.linked_conversation_flow_ids));
}

// served is what flow version n serves of its shared components (agentry's
// own read, through the SDK's generic get).
async function served(flowId, n) {
  const r = await c.get(`/agentry/v1/conversation-flows/${flowId}/components`, { query: { version: n } });
  return r.components.map((x) => [x.conversation_flow_component_id, x.nodes[0].instruction.text]);
}

describe('create, get, update, list, delete', () => {
  test('round trip with the documented shapes', async () => {
    const created = await c.conversationFlowComponent.create({ ...component('Collect', 'Name?'), flex_mode: false });
    assertComponent(created);
    assert.deepEqual(created.linked_conversation_flow_ids, []);
    const got = await c.conversationFlowComponent.retrieve(created.conversation_flow_component_id);
    assert.deepEqual(got, created);
    const updated = await c.conversationFlowComponent.update(created.conversation_flow_component_id, { name: 'Collect details', flex_mode: null });
    assert.equal(updated.name, 'Collect details');
    assert.ok(!('flex_mode' in updated), 'null clears a nullable field');
    assert.deepEqual(updated.nodes, created.nodes, 'absent fields are unchanged');
    assert.ok(updated.user_modified_timestamp >= created.user_modified_timestamp);
  });

  test('update with a stale If-Match is a 412 and changes nothing', async () => {
    const { data, response } = await c.conversationFlowComponent.create(component('Guarded', 'v1')).withResponse();
    const id = data.conversation_flow_component_id;
    const etag = response.headers.get('etag');
    assert.ok(etag, 'create answers an ETag');
    await c.conversationFlowComponent.update(id, { name: 'Guarded 2' }, { headers: { 'If-Match': etag } });
    const e = await rejects(c.conversationFlowComponent.update(id, { name: 'lost' }, { headers: { 'If-Match': etag } }), APIError,
      /^Precondition failed for conditional update/);
    assert.equal(e.status, 412);
    assert.equal((await c.conversationFlowComponent.retrieve(id)).name, 'Guarded 2');
  });

  test('field rules: 400 naming the field or the broken reference', async () => {
    await rejects(c.conversationFlowComponent.create({ nodes: [] }), BadRequestError, /^name: is required/);
    await rejects(c.conversationFlowComponent.create({ name: 'x', nodes: [{ id: 'a', type: 'teleport' }] }), BadRequestError, /^nodes\[0\]\.type: must be one of/);
    await rejects(c.conversationFlowComponent.create({
      name: 'x', nodes: [{ id: 'a', type: 'conversation', edges: [{ id: 'e', destination_node_id: 'zz', transition_condition: { type: 'prompt', prompt: 'p' } }] }],
    }), BadRequestError, /^nodes\[0\]\.edges\[0\]\.destination_node_id: no node has id "zz"/);
    await rejects(c.conversationFlowComponent.create({ ...component('x', 'y'), knowledge: 1 }), BadRequestError, /unknown field "knowledge"/);
    // A knowledge base that does not exist is the reference's 404 here.
    await rejects(c.conversationFlowComponent.create({
      name: 'x', nodes: [{ id: 'a', type: 'conversation', knowledge_base_ids: ['knowledge_base_none'] }],
    }), NotFoundError, /nodes\[0\]\.knowledge_base_ids\[0\]/);
  });

  test('list pages by creation, newest first by default', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await cB.conversationFlowComponent.create(component(`p${i}`, 'x'))).conversation_flow_component_id);
    const seen = [];
    let key;
    for (;;) {
      const page = await cB.conversationFlowComponent.list({ limit: 2, pagination_key: key });
      page.items.forEach(assertComponent);
      seen.push(...page.items.map((x) => x.conversation_flow_component_id));
      if (!page.has_more) break;
      key = page.pagination_key;
    }
    assert.deepEqual(seen, [...ids].reverse());
    const asc = await cB.conversationFlowComponent.list({ sort_order: 'ascending', limit: 1000 });
    assert.deepEqual(asc.items.map((x) => x.conversation_flow_component_id), ids);
    await rejects(cB.conversationFlowComponent.list({ limit: 0 }), BadRequestError, /^limit/);
  });

  test('missing and foreign components are 404', async () => {
    const mine = await c.conversationFlowComponent.create(component('Mine', 'x'));
    for (const [client, id] of [[c, 'component_missing'], [cB, mine.conversation_flow_component_id]]) {
      await rejects(client.conversationFlowComponent.retrieve(id), NotFoundError, /not found/);
      await rejects(client.conversationFlowComponent.update(id, { name: 'theirs' }), NotFoundError);
      await rejects(client.conversationFlowComponent.delete(id), NotFoundError);
    }
    await rejects(cB.conversationFlow.create(flowUsing(mine.conversation_flow_component_id)), UnprocessableEntityError,
      /nodes\[0\]\.component_id: no shared conversation flow component/);
    assert.equal((await c.conversationFlowComponent.retrieve(mine.conversation_flow_component_id)).name, 'Mine');
  });
});

describe('flows that use a component', () => {
  test('linked_conversation_flow_ids names the flows whose drafts use it', async () => {
    const comp = await c.conversationFlowComponent.create(component('Linked', 'x'));
    const id = comp.conversation_flow_component_id;
    const f1 = await c.conversationFlow.create(flowUsing(id));
    const f2 = await c.conversationFlow.create(flowUsing(id));
    const linked = async () => (await c.conversationFlowComponent.retrieve(id)).linked_conversation_flow_ids.sort();
    assert.deepEqual(await linked(), [f1.conversation_flow_id, f2.conversation_flow_id].sort());
    await c.conversationFlow.update(f2.conversation_flow_id, { nodes: [{ id: 'bye', type: 'end' }], start_node_id: 'bye' });
    assert.deepEqual(await linked(), [f1.conversation_flow_id]);
  });

  test('a published flow version keeps the component as published; deletion copies it into drafts only', async () => {
    const comp = await c.conversationFlowComponent.create(component('Greeting', 'Hello, version one.'));
    const id = comp.conversation_flow_component_id;
    const flow = await c.conversationFlow.create(flowUsing(id));
    const fid = flow.conversation_flow_id;
    const agent = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { type: 'conversation-flow', conversation_flow_id: fid } });
    await c.agent.publish(agent.agent_id, { version: 0 });
    const draft = await c.agent.createVersion(agent.agent_id, { base_version: 0 });
    const draftFlow = draft.response_engine.version;
    const published = await c.conversationFlow.retrieve(fid, { version: 0 });
    assert.equal(published.is_published, true);

    await c.conversationFlowComponent.update(id, { nodes: [{ id: 'ask', type: 'conversation', instruction: { type: 'prompt', text: 'Hello, version two.' } }] });
    assert.deepEqual(await served(fid, 0), [[id, 'Hello, version one.']], 'the published version serves the component as published');
    assert.deepEqual(await served(fid, draftFlow), [[id, 'Hello, version two.']], 'the draft serves the edit');

    await c.conversationFlowComponent.delete(id);
    await rejects(c.conversationFlowComponent.retrieve(id), NotFoundError);
    assert.deepEqual(await c.conversationFlow.retrieve(fid, { version: 0 }), published, 'the published version is unchanged');
    assert.deepEqual(await served(fid, 0), [[id, 'Hello, version one.']]);
    const localized = await c.conversationFlow.retrieve(fid, { version: draftFlow });
    assert.equal(localized.nodes[0].component_type, 'local');
    assert.equal(localized.nodes[0].component_id, id);
    assert.equal(localized.components.length, 1);
    assert.equal(localized.components[0].name, 'Greeting');
    assert.equal(localized.components[0].nodes[0].instruction.text, 'Hello, version two.');
    assert.deepEqual(await served(fid, draftFlow), [], 'the draft no longer uses a shared component');
  });

  test('a component another component uses cannot be deleted', async () => {
    const inner = await c.conversationFlowComponent.create(component('Inner', 'x'));
    const outer = await c.conversationFlowComponent.create({ name: 'Outer', nodes: flowUsing(inner.conversation_flow_component_id).nodes });
    await rejects(c.conversationFlowComponent.delete(inner.conversation_flow_component_id), BadRequestError,
      new RegExp(`used by shared component ${outer.conversation_flow_component_id}`));
    await rejects(c.conversationFlowComponent.update(inner.conversation_flow_component_id, { nodes: flowUsing(outer.conversation_flow_component_id).nodes, start_node_id: 'c' }),
      BadRequestError, /contain itself/);
    const res = await srv.raw('GET', `/agentry/v1/conversation-flows/conversation_flow_none/components`);
    assertRawError(res, 404, /not found/);
  });
});
