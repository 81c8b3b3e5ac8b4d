// agentry's change history through the SDK's generic client.get/post/patch/
// delete: the diff of two versions, the audit log, and webhooks delivered
// to a receiver in this process that checks every signature.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  startServer, agentBody, rejects, APIError, BadRequestError, NotFoundError, sleep,
} from './harness.js';

let srv;
let c;
let cB;
before(async () => {
  // Loopback receivers need --webhook-allow-private; a short timeout keeps
  // retries quick.
  srv = await startServer({ args: ['--webhook-allow-private', '--webhook-timeout', '2s'] });
  c = srv.clientA;
  cB = srv.clientB;
});
after(async () => { await srv?.stop(); });

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

// verify checks Agentry-Signature the way docs/API.md tells a receiver to.
function verify(secret, header, raw) {
  const parts = Object.fromEntries(String(header).split(',').map((p) => p.split('=')));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const want = createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest('hex');
  return parts.v1?.length === want.length && timingSafeEqual(Buffer.from(parts.v1), Buffer.from(want));
}

// receiver listens on 127.0.0.1; it answers 503 to the first `fail`
// requests, then 200.
async function receiver(fail = 0) {
  const got = [];
  let secret = '';
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      got.push({ headers: req.headers, raw, ok: verify(secret, req.headers['agentry-signature'], raw) });
      res.statusCode = got.length <= fail ? 503 : 200;
      res.end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    got,
    setSecret: (s) => { secret = s; },
    close: () => new Promise((r) => server.close(r)),
  };
}

async function until(what, cond, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await sleep(100);
  }
}

describe('diff', () => {
  test('a chat agent on a flow: the engine included, nodes matched by id, replays to the new version', async () => {
    const flow = await c.conversationFlow.create(FLOW);
    const agent = await c.chatAgent.create({ response_engine: { type: 'conversation-flow', conversation_flow_id: flow.conversation_flow_id } });
    await c.agent.publish(agent.agent_id, { version: 0, version_title: 'prod' });
    await c.agent.createVersion(agent.agent_id, { base_version: 0 });
    await c.conversationFlow.update(flow.conversation_flow_id, {
      version: 1,
      nodes: [FLOW.nodes[0], { id: 'faq', type: 'conversation', instruction: { type: 'prompt', text: 'Answer.' } }, FLOW.nodes[1]],
    });
    const d = await c.get(`/agentry/v1/agents/${agent.agent_id}/diff`, { query: { from: 'latest_published', to: 'latest' } });
    assert.equal(d.agent_id, agent.agent_id);
    assert.equal(d.from.version, 0);
    assert.equal(d.from.is_published, true);
    assert.equal(d.from.version_title, 'prod');
    assert.equal(d.to.version, 1);
    assert.deepEqual(d.to.engine, { type: 'conversation-flow', id: flow.conversation_flow_id, version: 1 });
    assert.deepEqual(d.changes.map((x) => `${x.op} ${x.path}`), [
      'replace /agent/response_engine/version',
      'add /engine/nodes/1',
    ]);
    assert.deepEqual(d.changes[1].to, { id: 'faq', type: 'conversation', instruction: { type: 'prompt', text: 'Answer.' } });
    const same = await c.get(`/agentry/v1/agents/${agent.agent_id}/diff`, { query: { from: 1, to: 1 } });
    assert.deepEqual(same.changes, []);
  });

  test('unknown versions are 404 naming the side; bad references 400; another workspace 404', async () => {
    const a = await c.agent.create(agentBody());
    await rejects(c.get(`/agentry/v1/agents/${a.agent_id}/diff`, { query: { from: 0, to: 5 } }), NotFoundError, /^to: .*no version 5/);
    await rejects(c.get(`/agentry/v1/agents/${a.agent_id}/diff`, { query: { from: 'x!', to: 0 } }), BadRequestError, /^from: /);
    await rejects(cB.get(`/agentry/v1/agents/${a.agent_id}/diff`, { query: { from: 0, to: 0 } }), NotFoundError, /not found/);
  });
});

describe('audit log', () => {
  test('a publish is recorded with the key prefix, never the key, and can be filtered', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'audited' }));
    await c.agent.update(a.agent_id, { voice_speed: 1.1 });
    await c.agent.publish(a.agent_id, { version: 0 });
    const page = await c.get('/agentry/v1/audit', { query: { object_type: 'agent', object_id: a.agent_id } });
    assert.deepEqual(page.items.map((e) => e.action), ['agent_version.published', 'agent.updated', 'agent.created']);
    const [pub, upd] = page.items;
    assert.equal(pub.actor.type, 'api_key');
    assert.equal(pub.actor.key_prefix, srv.keys.alpha.slice(0, 12));
    assert.equal(pub.version, 0);
    assert.match(pub.request_id, /\S/);
    assert.deepEqual(upd.paths, ['/voice_speed']);
    assert.ok(!JSON.stringify(page).includes(srv.keys.alpha), 'the key itself never appears');
    const published = await c.get('/agentry/v1/audit', { query: { action: 'agent_version.*', object_id: a.agent_id } });
    assert.equal(published.items.length, 1);
    const other = await cB.get('/agentry/v1/audit', { query: { object_id: a.agent_id } });
    assert.deepEqual(other.items, []);
  });

  test('the log cannot be written through the API', async () => {
    for (const call of [() => c.delete('/agentry/v1/audit'), () => c.post('/agentry/v1/audit', { body: {} }), () => c.patch('/agentry/v1/audit', { body: {} })]) {
      const e = await rejects(call(), APIError);
      assert.equal(e.status, 405);
    }
    await rejects(c.get('/agentry/v1/audit', { query: { since: 'yesterday' } }), BadRequestError, /since/);
  });
});

describe('webhooks', () => {
  test('create shows the secret once; get, list and update never do', async () => {
    const w = await c.post('/agentry/v1/webhooks', { body: { url: 'https://hooks.example.com/a', events: ['agent.deleted'] } });
    assert.match(w.secret, /^whsec_[0-9a-f]{64}$/);
    assert.equal(w.enabled, true);
    const got = await c.get(`/agentry/v1/webhooks/${w.webhook_id}`);
    assert.equal(got.secret, undefined);
    assert.deepEqual(got.events, ['agent.deleted']);
    const list = await c.get('/agentry/v1/webhooks');
    assert.ok(list.items.some((x) => x.webhook_id === w.webhook_id));
    assert.ok(!JSON.stringify(list).includes('whsec_'));
    const upd = await c.patch(`/agentry/v1/webhooks/${w.webhook_id}`, { body: { enabled: false } });
    assert.equal(upd.enabled, false);
    assert.equal(upd.secret, undefined);
    await rejects(cB.get(`/agentry/v1/webhooks/${w.webhook_id}`), NotFoundError);
    await c.delete(`/agentry/v1/webhooks/${w.webhook_id}`);
    await rejects(c.get(`/agentry/v1/webhooks/${w.webhook_id}`), NotFoundError);
  });

  test('bad webhooks are refused naming the field', async () => {
    await rejects(c.post('/agentry/v1/webhooks', { body: { url: 'ftp://x.example.com', events: ['*'] } }), BadRequestError, /^url: /);
    await rejects(c.post('/agentry/v1/webhooks', { body: { url: 'https://x.example.com', events: ['agent.published'] } }), BadRequestError, /^events\[0\]/);
    await rejects(c.post('/agentry/v1/webhooks', { body: { url: 'https://x.example.com' } }), BadRequestError, /^events: is required/);
  });

  test('a publish is delivered, signed, after failed attempts; deliveries show them; a retry sends it again', async () => {
    const r = await receiver(1);
    try {
      const w = await c.post('/agentry/v1/webhooks', { body: { url: r.url, events: ['agent_version.published'] } });
      r.setSecret(w.secret);
      const a = await c.agent.create(agentBody());
      await c.agent.publish(a.agent_id, { version: 0 });
      const path = `/agentry/v1/webhooks/${w.webhook_id}/deliveries`;
      let d;
      await until('delivery', async () => {
        d = (await c.get(path)).items[0];
        return d?.state === 'delivered';
      });
      assert.equal(d.attempt_count, 2);
      assert.deepEqual(d.attempts.map((x) => x.status_code), [503, 200]);
      assert.equal(d.event, 'agent_version.published');
      assert.equal(d.payload.data.object_id, a.agent_id);
      assert.equal(r.got.length, 2);
      for (const g of r.got) {
        assert.ok(g.ok, `signature of ${g.raw}`);
        assert.equal(g.headers['agentry-event'], 'agent_version.published');
        assert.equal(JSON.parse(g.raw).event_id, d.event_id);
      }
      const again = await c.post(`${path}/${d.delivery_id}/retry`);
      assert.equal(again.state, 'pending');
      await until('the retried delivery', async () => r.got.length === 3);
      assert.equal(r.got[2].raw, r.got[1].raw, 'the same event, the same body');
      assert.ok(r.got[2].ok);
    } finally {
      await r.close();
    }
  });
});
