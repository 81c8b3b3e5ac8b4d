// get-mcp-tools through client.mcpTool: agentry finds the MCP server in the
// agent version's configuration and asks it, over the streamable HTTP
// transport, for its tools. The MCP server is mcp-server.js.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, rejects, freePort,
  BadRequestError, UnprocessableEntityError,
} from './harness.js';
import { TOOLS, startMCP } from './mcp-server.js';

let srv;
let c;
let json;
let sse;
before(async () => {
  [srv, json, sse] = await Promise.all([startServer(), startMCP(), startMCP({ stream: true })]);
  c = srv.clientA;
});
after(async () => { await srv?.stop(); await json?.close(); await sse?.close(); });

const headers = { Authorization: 'Bearer mcp-token' };

describe('get-mcp-tools', () => {
  test("asks the MCP server of the agent's Retell LLM for its tools", async () => {
    const llm = await c.llm.create({ mcps: [
      { name: 'drive', url: json.url, headers },
      { name: 'drive-stream', url: sse.url, headers, timeout_ms: 5000 },
    ] });
    const agent = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { type: 'retell-llm', llm_id: llm.llm_id } });
    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive' }), TOOLS);
    assert.deepEqual(json.seen.slice(0, 4), ['initialize', 'notifications/initialized', 'tools/list', 'tools/list']);
    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive-stream', version: 'latest' }), TOOLS);
    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', version: 0 }), TOOLS);
  });

  test("finds a server in a conversation flow component's mcps", async () => {
    const flow = await c.conversationFlow.create({
      start_speaker: 'agent', model_choice: { type: 'cascading', model: 'gpt-4.1' }, nodes: [{ id: 'a', type: 'end' }],
      components: [{ name: 'files', nodes: [], mcps: [{ name: 'drive', url: sse.url, headers }] }],
    });
    const agent = await c.chatAgent.create({ response_engine: { type: 'conversation-flow', conversation_flow_id: flow.conversation_flow_id } });
    assert.deepEqual(await c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', component_id: 'files' }), TOOLS);
    await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive' }), UnprocessableEntityError, /no MCP server named "drive"/);
  });

  test('a server that cannot be reached or refuses is a 422 that says so', async () => {
    const deadPort = await freePort();
    const llm = await c.llm.create({ mcps: [
      { name: 'down', url: `http://127.0.0.1:${deadPort}/mcp`, timeout_ms: 3000 },
      { name: 'wrong-key', url: json.url, headers: { Authorization: 'Bearer nope' } },
    ] });
    const agent = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { type: 'retell-llm', llm_id: llm.llm_id } });
    const down = await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'down' }), UnprocessableEntityError, /MCP server "down".*did not list its tools/);
    assert.doesNotMatch(down.error.message, /Cannot find requested asset/);
    const refused = await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'wrong-key' }), UnprocessableEntityError, /HTTP 401/);
    assert.doesNotMatch(refused.error.message, /Bearer/, 'the message quotes no header');
  });

  test('missing agents, versions and servers are 422; a missing mcp_id is 400', async () => {
    const llm = await c.llm.create({ mcps: [{ name: 'drive', url: json.url, headers }] });
    const agent = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { type: 'retell-llm', llm_id: llm.llm_id } });
    await rejects(c.mcpTool.getMcpTools('agent_00000000000000000000000000000000', { mcp_id: 'drive' }), UnprocessableEntityError,
      /Cannot find requested asset/);
    await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive', version: 5 }), UnprocessableEntityError, /no version 5/);
    await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'nope' }), UnprocessableEntityError, /it has "drive"/);
    await rejects(c.mcpTool.getMcpTools(agent.agent_id, { mcp_id: '' }), BadRequestError, /mcp_id/);
    await rejects(srv.clientB.mcpTool.getMcpTools(agent.agent_id, { mcp_id: 'drive' }), UnprocessableEntityError);
  });
});
