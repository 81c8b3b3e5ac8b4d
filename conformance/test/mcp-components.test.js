// get-mcp-tools with a component_id that names a shared conversation flow
// component: agentry looks for the MCP server in what the agent version's
// flow serves (a published version, the component as it was published; a
// draft, the component as it is now) and asks that server for its tools.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rejects, UnprocessableEntityError } from './harness.js';
import { TOOLS, startMCP } from './mcp-server.js';

let srv;
let c;
let first;
let second;
before(async () => {
  [srv, first, second] = await Promise.all([startServer(), startMCP(), startMCP({ stream: true })]);
  c = srv.clientA;
});
after(async () => { await srv?.stop(); await first?.close(); await second?.close(); });

const headers = { Authorization: 'Bearer mcp-token' };

const component = (url) => ({
  name: 'Files', start_node_id: 'ask',
  nodes: [{ id: 'ask', type: 'conversation', instruction: { type: 'prompt', text: 'Which file?' } }],
  mcps: [{ name: 'drive', url, headers }],
});

describe('get-mcp-tools and shared components', () => {
  test('finds the server of a shared component the flow version serves', async () => {
    const comp = await c.conversationFlowComponent.create(component(first.url));
    const id = comp.conversation_flow_component_id;
    const flow = await c.conversationFlow.create({
      start_speaker: 'agent', model_choice: { type: 'cascading', model: 'gpt-4.1' }, start_node_id: 'c',
      nodes: [
        { id: 'c', type: 'component', component_type: 'shared', component_id: id,
          else_edge: { id: 'e', destination_node_id: 'end', transition_condition: { type: 'prompt', prompt: 'Else' } } },
        { id: 'end', type: 'end' },
      ],
    });
    const agent = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { type: 'conversation-flow', conversation_flow_id: flow.conversation_flow_id } });

    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', component_id: id }), TOOLS);
    assert.ok(first.seen.includes('tools/list'), 'the component\'s server was asked');
    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', component_id: 'Files' }), TOOLS, 'by name');
    await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive' }), UnprocessableEntityError, /no MCP server named "drive"/);
    await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', component_id: 'component_nope' }), UnprocessableEntityError,
      new RegExp(`no component "component_nope".*${id}`));

    // Publish, then point the component at the other server: the published
    // version asks the server it was published with, the new draft the other.
    await c.agent.publish(agent.agent_id, { version: 0 });
    const draft = await c.agent.createVersion(agent.agent_id, { base_version: 0 });
    await c.conversationFlowComponent.update(id, { mcps: [{ name: 'drive', url: second.url, headers }] });
    const [firstBefore, secondBefore] = [first.seen.length, second.seen.length];
    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', component_id: id, version: 0 }), TOOLS);
    assert.ok(first.seen.length > firstBefore && second.seen.length === secondBefore, 'version 0 asks the server it was published with');
    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', component_id: id, version: draft.version }), TOOLS);
    assert.ok(second.seen.length > secondBefore, 'the draft asks the component as it is now');

    await rejects(srv.clientB.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', component_id: id }), UnprocessableEntityError);
  });
});
