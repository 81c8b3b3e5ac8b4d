// get-mcp-tools through client.mcpTool: agentry finds the MCP server in the
// agent version's configuration and asks it, over the streamable HTTP
// transport, for its tools. The MCP server here is this file's own.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  startServer, rejects, freePort,
  BadRequestError, UnprocessableEntityError,
} from './harness.js';

const TOOLS = [
  { name: 'search_files', description: 'Search the drive.', inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  { name: 'read_file', description: 'Read one file.', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
];

// startMCP serves TOOLS over the streamable HTTP transport: it hands out a
// session at initialize, insists on it and on the Authorization header
// afterwards, pages tools/list one tool at a time, and answers with an event
// stream when stream is set. seen records the methods in order.
async function startMCP({ stream = false, token = 'Bearer mcp-token' } = {}) {
  const sessions = new Set();
  const seen = [];
  const server = http.createServer(async (req, res) => {
    if (req.headers.authorization !== token) { res.writeHead(401).end(); return; }
    if (req.method === 'DELETE') { sessions.delete(req.headers['mcp-session-id']); res.writeHead(200).end(); return; }
    if (req.method !== 'POST') { res.writeHead(405, { Allow: 'POST, DELETE' }).end(); return; }
    let body = '';
    for await (const chunk of req) body += chunk;
    const msg = JSON.parse(body);
    seen.push(msg.method);
    const reply = (result) => {
      const text = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result });
      if (stream) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(`event: message\ndata: ${text}\n\n`);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(text);
      }
    };
    if (msg.method === 'initialize') {
      const id = randomUUID();
      sessions.add(id);
      res.setHeader('Mcp-Session-Id', id);
      reply({ protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'conformance', version: '1' } });
      return;
    }
    if (!sessions.has(req.headers['mcp-session-id'])) { res.writeHead(404).end(); return; }
    if (msg.method === 'notifications/initialized') { res.writeHead(202).end(); return; }
    if (msg.method === 'tools/list') {
      const at = Number(msg.params?.cursor ?? 0);
      reply({ tools: [TOOLS[at]], ...(at + 1 < TOOLS.length ? { nextCursor: String(at + 1) } : {}) });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } }));
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/mcp`, seen, close: () => new Promise((r) => server.close(r)) };
}

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
