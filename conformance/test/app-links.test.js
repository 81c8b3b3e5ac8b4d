// Apps and the configurations that name them, through the SDK: saving an
// app tool checks its app (422, 404 on components, 400 for another
// provider), shared components are uses, and repair-agent removes the app
// tools of an app deleted with force_delete.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, rejects, agentBody, ENGINE, NOT_FOUND_422,
  BadRequestError, ConflictError, NotFoundError, UnprocessableEntityError,
} from './harness.js';

let srv;
let c;
before(async () => { srv = await startServer(); c = srv.clientA; });
after(async () => { await srv?.stop(); });

const MISSING = 'app_0123456789abcdef0123456789abcdef';

function appTool(appId, name, extra = {}) {
  return { type: 'integration_app', name, app_id: appId, provider: 'hubspot', app_tool_template_name: 'find_contact', ...extra };
}

const flowTool = (toolId, appId) => ({ tool_id: toolId, ...appTool(appId, `tool_${toolId}`) });

const FLOW = { start_speaker: 'agent', model_choice: { type: 'cascading', model: 'gpt-4.1' } };

describe('saving an app tool checks its app', () => {
  test('a missing app is a 422 on agents and engines, a 404 on components', async () => {
    const theirs = await srv.clientB.app.create({ type: 'crm', provider: 'hubspot' });
    await rejects(c.agent.create(agentBody({ pre_session_tools: [appTool(MISSING, 'find')] })), UnprocessableEntityError,
      new RegExp(`${NOT_FOUND_422.source}: pre_session_tools\\[0\\]\\.app_id: no app ${MISSING}`));
    await rejects(c.chatAgent.create({ response_engine: ENGINE, post_session_tools: [appTool(theirs.app_id, 'find')] }), UnprocessableEntityError,
      /post_session_tools\[0\]\.app_id: no app/);
    await rejects(c.llm.create({ general_tools: [appTool(MISSING, 'find')] }), UnprocessableEntityError, /general_tools\[0\]\.app_id/);
    await rejects(c.conversationFlow.create({ ...FLOW, nodes: [{ id: 'a', type: 'end' }], tools: [flowTool('t', MISSING)] }),
      UnprocessableEntityError, /tools\[0\]\.app_id/);
    await rejects(c.conversationFlowComponent.create({ name: 'crm', nodes: [], tools: [flowTool('t', MISSING)] }), NotFoundError,
      /tools\[0\]\.app_id: no app/);
    const app = await c.app.create({ type: 'crm', provider: 'hubspot' });
    await rejects(c.agent.create(agentBody({ pre_session_tools: [{ ...appTool(app.app_id, 'find'), provider: 'salesforce' }] })),
      BadRequestError, /pre_session_tools\[0\]\.provider: is "salesforce", but app .* is of provider "hubspot"/);
    const agent = await c.agent.create(agentBody({ pre_session_tools: [appTool(app.app_id, 'find')] }));
    await rejects(c.agent.update(agent.agent_id, { post_session_tools: [appTool(MISSING, 'log')] }), UnprocessableEntityError,
      /post_session_tools\[0\]\.app_id/);
    assert.deepEqual((await c.agent.retrieve(agent.agent_id)).post_session_tools, undefined, 'a refused update changes nothing');
  });

  test('a shared component holding an app tool is a use', async () => {
    const app = await c.app.create({ type: 'crm', provider: 'hubspot' });
    const comp = await c.conversationFlowComponent.create({ name: 'crm', nodes: [], tools: [flowTool('t', app.app_id)] });
    const id = comp.conversation_flow_component_id;
    await rejects(c.app.delete(app.app_id), BadRequestError, new RegExp(`component ${id}.*force_delete`));
    const flow = await c.conversationFlow.create({ ...FLOW, start_node_id: 'c', nodes: [
      { id: 'c', type: 'component', component_type: 'shared', component_id: id, else_edge: { id: 'e', destination_node_id: 'end', transition_condition: { type: 'prompt', prompt: 'Else' } } },
      { id: 'end', type: 'end' },
    ] });
    const agent = await c.agent.create({ voice_id: 'retell-Cimo', agent_name: 'Via component',
      response_engine: { type: 'conversation-flow', conversation_flow_id: flow.conversation_flow_id } });
    const usages = await c.app.listUsages(app.app_id);
    assert.deepEqual(usages.items.map((u) => [u.type, u.agent_id, u.agent_name, u.agent_versions]),
      [['agent', agent.agent_id, 'Via component', [0]]]);
    await rejects(c.app.delete(app.app_id), BadRequestError, new RegExp(agent.agent_id));
    await c.conversationFlowComponent.update(id, { tools: [] });
    assert.deepEqual((await c.app.listUsages(app.app_id)).items, [], 'the draft serves the component as it is now');
    await c.app.delete(app.app_id);
  });
});

describe('repair-agent and deleted apps', () => {
  test('removes the app tools of a force-deleted app from the draft and its draft LLM', async () => {
    const gone = await c.app.create({ type: 'crm', provider: 'hubspot' });
    const kept = await c.app.create({ type: 'crm', provider: 'hubspot' });
    const llm = await c.llm.create({
      general_tools: [appTool(gone.app_id, 'lookup_deal'), { type: 'end_call', name: 'end' }],
      states: [{ name: 'start', state_prompt: 'Hi', tools: [appTool(gone.app_id, 'book'), appTool(kept.app_id, 'find')] }],
      starting_state: 'start',
    });
    const agent = await c.agent.create({
      voice_id: 'retell-Cimo', response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
      pre_session_tools: [
        appTool(gone.app_id, 'lookup'),
        { type: 'custom', name: 'greet', url: 'https://hooks.example.com/greet', depends_on: ['lookup', 'keep'] },
        appTool(kept.app_id, 'keep'),
      ],
    });
    await rejects(c.app.delete(gone.app_id), BadRequestError, /force_delete/);
    await c.app.delete(gone.app_id, { force_delete: true });

    const repaired = await c.agent.repair(agent.agent_id);
    assert.deepEqual(repaired.pre_session_tools, [
      { type: 'custom', name: 'greet', url: 'https://hooks.example.com/greet', depends_on: ['keep'] },
      appTool(kept.app_id, 'keep'),
    ]);
    assert.ok(repaired.last_modification_timestamp >= agent.last_modification_timestamp);
    assert.deepEqual(await c.agent.retrieve(agent.agent_id), repaired);
    const l = await c.llm.retrieve(llm.llm_id);
    assert.deepEqual(l.general_tools, [{ type: 'end_call', name: 'end' }]);
    assert.deepEqual(l.states[0].tools, [appTool(kept.app_id, 'find')]);
    // The repaired draft saves again as it is.
    await c.agent.update(agent.agent_id, { pre_session_tools: repaired.pre_session_tools });
    // Nothing left to fix: a no-op.
    const again = await c.agent.repair(agent.agent_id);
    assert.equal(again.last_modification_timestamp, (await c.agent.retrieve(agent.agent_id)).last_modification_timestamp);

    const published = await c.agent.create(agentBody({ pre_session_tools: [appTool(kept.app_id, 'keep')] }));
    await c.agent.publish(published.agent_id, { version: 0 });
    await c.app.delete(kept.app_id, { force_delete: true });
    await rejects(c.agent.repair(published.agent_id, { version: 0 }), ConflictError, /published and cannot be repaired/);
    assert.deepEqual((await c.agent.retrieve(published.agent_id, { version: 0 })).pre_session_tools, [appTool(kept.app_id, 'keep')]);
  });

  test('removes a flow tool of a deleted app and the function node that ran it', async () => {
    const gone = await c.app.create({ type: 'crm', provider: 'hubspot' });
    const flow = await c.conversationFlow.create({ ...FLOW, start_node_id: 'talk',
      tools: [flowTool('crm', gone.app_id)],
      nodes: [
        { id: 'talk', type: 'conversation', instruction: { type: 'prompt', text: 'Hi' },
          edges: [{ id: 'to-crm', destination_node_id: 'fn', transition_condition: { type: 'prompt', prompt: 'Needs a lookup' } },
            { id: 'to-end', destination_node_id: 'end', transition_condition: { type: 'prompt', prompt: 'Done' } }] },
        { id: 'fn', type: 'function', tool_id: 'crm', tool_type: 'local', wait_for_result: true,
          edges: [{ id: 'back', destination_node_id: 'talk', transition_condition: { type: 'prompt', prompt: 'Done' } }] },
        { id: 'end', type: 'end' },
      ] });
    const agent = await c.chatAgent.create({ response_engine: { type: 'conversation-flow', conversation_flow_id: flow.conversation_flow_id } });
    await c.app.delete(gone.app_id, { force_delete: true });
    await rejects(c.conversationFlow.update(flow.conversation_flow_id, { tools: flow.tools }), UnprocessableEntityError, /tools\[0\]\.app_id/);
    await c.agent.repair(agent.agent_id);
    const f = await c.conversationFlow.retrieve(flow.conversation_flow_id);
    assert.deepEqual(f.tools, []);
    assert.deepEqual(f.nodes.map((n) => n.id), ['talk', 'end']);
    assert.deepEqual(f.nodes[0].edges.map((e) => e.id), ['to-end']);
    assert.equal(f.start_node_id, 'talk');
    // What the repair left passes the flow's rules.
    await c.conversationFlow.update(flow.conversation_flow_id, { nodes: f.nodes });
  });
});
