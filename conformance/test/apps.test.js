// Apps through client.app (and get-app-tool-schema, which the SDK does not
// wrap, through client.post): stored as the reference documents, secrets
// never answered, usages found in agents' and engines' app tools.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, rejects, agentBody,
  BadRequestError, NotFoundError,
} from './harness.js';

let srv;
let c;
before(async () => { srv = await startServer(); c = srv.clientA; });
after(async () => { await srv?.stop(); });

const SECRET = 'very-secret-3c1d';

function assertApp(a) {
  assert.match(a.app_id, /^app_[0-9a-f]+$/);
  assert.equal(typeof a.org_id, 'string');
  assert.ok(['crm', 'calendar', 'knowledge_base', 'support', 'communication'].includes(a.type));
  assert.equal(typeof a.provider, 'string');
  assert.ok(['not_connected', 'connected', 'error'].includes(a.connection_status));
  assert.ok(Number.isInteger(a.created_timestamp) && Number.isInteger(a.user_modified_timestamp));
  assert.ok(!JSON.stringify(a).includes(SECRET), `an app answer shows a secret: ${JSON.stringify(a)}`);
  for (const [k, v] of Object.entries(a)) assert.notEqual(v, null, `${k} is omitted when unset, never null`);
}

function appTool(appId, template, parameters = []) {
  return { type: 'integration_app', name: template, app_id: appId, provider: 'hubspot', app_tool_template_name: template, parameters };
}

describe('apps', () => {
  test('create, get, update, list and delete; secrets never come back', async () => {
    const a = await c.app.create({
      type: 'crm', provider: 'hubspot', name: 'Sales',
      auth_config: { type: 'oauth2', client_id: 'cid-1', client_secret: SECRET },
      crm_config: { inbound_sync_mappings: [{ field_name: 'phone_number', external_field_name: 'phone' }], sync_new_contacts: true },
    });
    assertApp(a);
    assert.equal(a.connection_status, 'not_connected');
    assert.deepEqual(a.auth_config, { type: 'oauth2', client_id: 'cid-1' });
    assert.equal(a.crm_config.sync_new_contacts, true);
    assert.deepEqual(await c.app.get(a.app_id), a);

    assert.deepEqual(await c.app.testAuth(a.app_id), { success: true });
    assert.equal((await c.app.get(a.app_id)).connection_status, 'connected');
    const renamed = await c.app.update(a.app_id, { name: 'Sales EU' });
    assertApp(renamed);
    assert.equal(renamed.name, 'Sales EU');
    assert.equal(renamed.connection_status, 'connected', 'a new name keeps the connection');
    const rekeyed = await c.app.update(a.app_id, { auth_config: { type: 'basic', username: 'ada', password: SECRET } });
    assertApp(rekeyed);
    assert.deepEqual(rekeyed.auth_config, { type: 'basic', username: 'ada' });
    assert.equal(rekeyed.connection_status, 'not_connected', 'new credentials are not verified yet');

    const bare = await c.app.create({ type: 'calendar', provider: 'cal_com' });
    assert.deepEqual(await c.app.testAuth(bare.app_id), { success: false });
    assert.equal((await c.app.get(bare.app_id)).connection_status, 'error');

    const page = await c.app.list({ sort_order: 'ascending', limit: 1 });
    assert.equal(page.items.length, 1);
    assert.equal(page.has_more, true);
    const next = await c.app.list({ sort_order: 'ascending', limit: 1, pagination_key: page.pagination_key });
    assert.notEqual(next.items[0].app_id, page.items[0].app_id);
    [...page.items, ...next.items].forEach(assertApp);

    await c.app.delete(bare.app_id);
    await rejects(c.app.get(bare.app_id), NotFoundError);
    await rejects(c.app.delete(bare.app_id), NotFoundError);
    await rejects(c.app.testAuth(bare.app_id), NotFoundError);
    await rejects(c.app.update(bare.app_id, { name: 'x' }), NotFoundError);
  });

  test('bad bodies are 400s naming the field', async () => {
    await rejects(c.app.create({ type: 'fax', provider: 'p' }), BadRequestError, /type: must be one of/);
    await rejects(c.app.create({ type: 'crm' }), BadRequestError, /provider: is required/);
    await rejects(c.app.create({ type: 'crm', provider: 'p', auth_config: { type: 'api_key' } }), BadRequestError, /auth_config\.api_key: is required/);
    await rejects(c.app.create({ type: 'crm', provider: 'p', crm_config: { inbound_sync_mappings: [{ field_name: 'email', external_field_name: 'e' }] } }),
      BadRequestError, /phone_number/);
  });

  test('a workspace holds at most 20 apps of one provider', async () => {
    for (let i = 0; i < 20; i++) await c.app.create({ type: 'support', provider: 'zendesk' });
    await rejects(c.app.create({ type: 'support', provider: 'zendesk' }), BadRequestError, /20/);
    await srv.clientB.app.create({ type: 'support', provider: 'zendesk' });
  });

  test('usages: the agents whose app tools use the app; delete refuses while used', async () => {
    const a = await c.app.create({ type: 'crm', provider: 'hubspot' });
    const direct = await c.agent.create(agentBody({ agent_name: 'Direct', pre_session_tools: [appTool(a.app_id, 'find_contact')] }));
    const llm = await c.llm.create({ general_tools: [appTool(a.app_id, 'create_contact')] });
    const viaLLM = await c.chatAgent.create({ agent_name: 'Via LLM', response_engine: { type: 'retell-llm', llm_id: llm.llm_id } });

    const usages = await c.app.listUsages(a.app_id);
    assert.equal(usages.has_more, false);
    assert.deepEqual(usages.items.map((u) => u.agent_id), [viaLLM.agent_id, direct.agent_id], 'most recently configured first');
    for (const u of usages.items) {
      assert.equal(u.type, 'agent');
      assert.deepEqual(u.agent_versions, [0]);
      assert.ok(Number.isInteger(u.configured_timestamp));
    }
    assert.equal(usages.items[1].agent_name, 'Direct');
    const asc = await c.app.listUsages(a.app_id, { sort_order: 'ascending', limit: 1 });
    assert.deepEqual(asc.items.map((u) => u.agent_id), [direct.agent_id]);
    assert.equal(asc.has_more, true);

    await rejects(c.app.delete(a.app_id), BadRequestError, /force_delete/);
    await c.app.get(a.app_id);
    await c.app.delete(a.app_id, { force_delete: true });
    await rejects(c.app.get(a.app_id), NotFoundError);
    await rejects(c.app.listUsages(a.app_id), NotFoundError);
  });

  test('get-app-tool-schema replays the parameters configured for the template', async () => {
    const a = await c.app.create({ type: 'crm', provider: 'hubspot' });
    const schemaOf = (body) => c.post(`/get-app-tool-schema/${a.app_id}`, { body });
    assert.deepEqual(await schemaOf({ app_tool_template_name: 'find_contact' }), { complete: true });
    const p0 = { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] };
    const p1 = { type: 'object', properties: { owner: { type: 'string', const: 'ada' } } };
    await c.agent.create(agentBody({ post_session_tools: [appTool(a.app_id, 'find_contact', [p0, p1])] }));
    assert.deepEqual(await schemaOf({ app_tool_template_name: 'find_contact' }), { complete: false, input_schema: p0 });
    assert.deepEqual(await schemaOf({ app_tool_template_name: 'find_contact', parameters: [p0] }), { complete: true, input_schema: p1 });
    await rejects(schemaOf({}), BadRequestError, /app_tool_template_name: is required/);
    await rejects(c.post('/get-app-tool-schema/app_missing', { body: { app_tool_template_name: 'x' } }), NotFoundError);
  });

  test("another workspace's app answers like a missing one", async () => {
    const a = await c.app.create({ type: 'crm', provider: 'pipedrive' });
    const cB = srv.clientB;
    await rejects(cB.app.get(a.app_id), NotFoundError);
    await rejects(cB.app.update(a.app_id, { name: 'theirs' }), NotFoundError);
    await rejects(cB.app.delete(a.app_id, { force_delete: true }), NotFoundError);
    await rejects(cB.app.testAuth(a.app_id), NotFoundError);
    await rejects(cB.app.listUsages(a.app_id), NotFoundError);
    assert.ok(!(await cB.app.list()).items.some((x) => x.app_id === a.app_id));
    assert.equal((await c.app.get(a.app_id)).name, undefined);
  });
});
