// A small MCP server for the conformance tests: it serves TOOLS over the
// streamable HTTP transport, as the MCP servers that agent configurations
// name do. Shared by mcp.test.js and the retell-sdk 4.x tests.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { freePort } from './harness.js';

export const TOOLS = [
  { name: 'search_files', description: 'Search the drive.', inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  { name: 'read_file', description: 'Read one file.', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
];

// startMCP serves TOOLS over the streamable HTTP transport: it hands out a
// session at initialize, insists on it and on the Authorization header
// afterwards, pages tools/list one tool at a time, and answers with an event
// stream when stream is set. seen records the methods in order.
export async function startMCP({ stream = false, token = 'Bearer mcp-token' } = {}) {
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
