// A lifecycle slice through retell-sdk 4.66.0, the newest 4.x (installed as
// retell-sdk-4), which tools built on the older SDK still bundle: its paths
// that 5.x replaced (GET /list-agents, /list-chat-agents, /list-retell-llms,
// /list-conversation-flows, POST /publish-agent, /publish-chat-agent) and the
// fields 4.x sends that the current API no longer has (accepted and ignored
// by default, refused with --strict).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Retell4 from 'retell-sdk-4';
import { startServer, ENGINE } from './harness.js';

const client4 = (srv, workspaceOrKey = srv.workspaces[0]) =>
  new Retell4({ apiKey: srv.keys[workspaceOrKey] ?? workspaceOrKey, baseURL: srv.baseURL, maxRetries: 0, timeout: 10_000 });

const FLOW = {
  start_speaker: 'agent', model_choice: { type: 'cascading', model: 'gpt-5' },
  nodes: [{ id: 'start', type: 'end', instruction: { type: 'prompt', text: 'Bye.' } }],
};

// expect4xError awaits p and asserts it fails as the 4.x SDK reports an API
// error: the class, the status and the {status, message} body.
async function expect4xError(p, status, message) {
  try {
    const r = await p;
    assert.fail(`expected HTTP ${status}, got ${JSON.stringify(r)}`);
  } catch (e) {
    assert.ok(e instanceof Retell4.APIError, `expected an APIError, got ${e}`);
    assert.equal(e.status, status, JSON.stringify(e.error));
    assert.equal(e.error.status, 'error');
    if (message) assert.match(e.error.message, message);
  }
}

describe('retell-sdk 4.x, default mode', () => {
  let srv, c;
  before(async () => { srv = await startServer(); c = client4(srv); });
  after(() => srv?.stop());

  test('voice agent: create, retrieve, update, list, publish, versions, delete', async () => {
    const a = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { ...ENGINE }, agent_name: 'Four' });
    assert.match(a.agent_id, /^agent_[0-9a-f]+$/);
    assert.equal(a.version, 0);
    assert.equal((await c.agent.retrieve(a.agent_id)).agent_name, 'Four');
    const u = await c.agent.update(a.agent_id, { agent_name: 'Four, edited', version: 0 });
    assert.equal(u.agent_name, 'Four, edited');

    // 4.x lists every version of every agent as one array.
    let list = await c.agent.list();
    assert.ok(Array.isArray(list));
    assert.deepEqual(list.map((x) => [x.agent_id, x.version]), [[a.agent_id, 0]]);

    // 4.x publish: the latest version is published and a new draft made.
    await c.agent.publish(a.agent_id);
    const v0 = await c.agent.retrieve(a.agent_id, { version: 0 });
    assert.equal(v0.is_published, true);
    const latest = await c.agent.retrieve(a.agent_id);
    assert.equal(latest.version, 1);
    assert.equal(latest.is_published, false);
    assert.equal(latest.agent_name, 'Four, edited');

    const versions = await c.agent.getVersions(a.agent_id);
    assert.deepEqual(versions.map((x) => [x.version, x.is_published]), [[0, true], [1, false]]);
    list = await c.agent.list();
    assert.deepEqual(list.map((x) => x.version), [0, 1]);
    // Paged by the last item's id and version.
    const page = await c.agent.list({ limit: 1, pagination_key: a.agent_id, pagination_key_version: 0 });
    assert.deepEqual(page.map((x) => [x.agent_id, x.version]), [[a.agent_id, 1]]);

    await c.agent.delete(a.agent_id);
    assert.deepEqual(await c.agent.list(), []);
  });

  test('chat agent: create, list, publish', async () => {
    const a = await c.chatAgent.create({ response_engine: { ...ENGINE } });
    assert.deepEqual((await c.chatAgent.list()).map((x) => x.agent_id), [a.agent_id]);
    await c.chatAgent.publish(a.agent_id);
    assert.equal((await c.chatAgent.retrieve(a.agent_id, { version: 0 })).is_published, true);
    assert.equal((await c.chatAgent.getVersions(a.agent_id)).length, 2);
    await c.chatAgent.delete(a.agent_id);
  });

  test('Retell LLM and conversation flow: create, update, list, delete', async () => {
    const llm = await c.llm.create({ general_prompt: 'Answer the desk.' });
    const up = await c.llm.update(llm.llm_id, { general_prompt: 'Answer politely.', query_version: 0 });
    assert.equal(up.general_prompt, 'Answer politely.');
    assert.deepEqual((await c.llm.list()).map((x) => x.llm_id), [llm.llm_id]);
    const flow = await c.conversationFlow.create(FLOW);
    const fu = await c.conversationFlow.update(flow.conversation_flow_id, { global_prompt: 'Be brief.' });
    assert.equal(fu.global_prompt, 'Be brief.');
    assert.deepEqual((await c.conversationFlow.list()).map((x) => x.conversation_flow_id), [flow.conversation_flow_id]);

    // An agent on the LLM: publishing it through 4.x publishes the LLM version too.
    const a = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { type: 'retell-llm', llm_id: llm.llm_id } });
    await c.agent.publish(a.agent_id);
    const pinned = (await c.agent.retrieve(a.agent_id, { version: 0 })).response_engine.version;
    assert.equal((await c.llm.retrieve(llm.llm_id, { version: pinned })).is_published, true);

    await c.agent.delete(a.agent_id);
    await c.llm.delete(llm.llm_id);
    await c.conversationFlow.delete(flow.conversation_flow_id);
    assert.deepEqual(await c.llm.list(), []);
  });

  test('fields that 4.x still sends are accepted, ignored and named', async () => {
    const a = await c.agent.create({
      voice_id: 'retell-Cimo', response_engine: { ...ENGINE },
      analysis_summary_prompt: 'Summarise.', normalize_for_speech: true,
    });
    assert.ok(!('analysis_summary_prompt' in a) && !('normalize_for_speech' in a));
    const res = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { ...ENGINE }, normalize_for_speech: true })
      .asResponse();
    assert.equal(res.headers.get('agentry-ignored-fields'), 'normalize_for_speech');
  });

  test('errors reach 4.x as its API errors', async () => {
    await expect4xError(c.agent.retrieve('agent_00000000000000000000000000000000'), 422, /Cannot find requested asset/);
    await expect4xError(c.agent.publish('agent_00000000000000000000000000000000'), 422);
    await expect4xError(client4(srv, 'key_00000000000000000000000000000000').agent.list(), 401);
  });
});

describe('retell-sdk 4.x, strict mode', () => {
  let srv, c;
  before(async () => { srv = await startServer({ strict: true }); c = client4(srv); });
  after(() => srv?.stop());

  test('the 4.x paths are served; the fields the current API no longer has are refused, named', async () => {
    const a = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: { ...ENGINE } });
    await c.agent.publish(a.agent_id);
    assert.equal((await c.agent.list()).length, 2);
    await expect4xError(c.agent.create({ voice_id: 'retell-Cimo', response_engine: { ...ENGINE }, normalize_for_speech: true }),
      400, /unknown field "normalize_for_speech"/);
    await expect4xError(c.chatAgent.create({ response_engine: { ...ENGINE }, analysis_successful_prompt: 'x' }),
      400, /unknown field "analysis_successful_prompt"/);
  });
});
