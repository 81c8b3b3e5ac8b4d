// Phone numbers through the SDK (client.phoneNumber.*): create, import,
// retrieve, update, list, delete, the rules of binding lists, workspaces,
// and what a bound number keeps from being deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, rejects, BadRequestError, UnprocessableEntityError,
} from './harness.js';

let srv;
let c;
let voice; // a voice agent: versions 0 (published) and 1 (draft), tag prod on 0
let chat; // a chat agent
before(async () => {
  srv = await startServer();
  c = srv.clientA;
  voice = (await c.agent.create(agentBody({ agent_name: 'Desk' }))).agent_id;
  await c.agent.createVersion(voice, { base_version: 0 });
  await c.agent.publish(voice, { version: 0 });
  await c.put(`/agentry/v1/agents/${voice}/tags/prod`, { body: { version: 0 } });
  chat = (await c.chatAgent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x' } })).agent_id;
});
after(async () => { await srv?.stop(); });

// assertPhone checks the shape of a PhoneNumberResponse.
function assertPhone(p) {
  assert.equal(typeof p.phone_number, 'string');
  assert.ok(['retell-twilio', 'retell-telnyx', 'custom'].includes(p.phone_number_type), p.phone_number_type);
  assert.ok(Number.isInteger(p.last_modification_timestamp) && Math.abs(p.last_modification_timestamp - Date.now()) < 600_000,
    'last_modification_timestamp in milliseconds');
  assert.equal(typeof p.phone_number_pretty, 'string');
  for (const [k, v] of Object.entries(p)) assert.notEqual(v, null, `${k} is omitted when unset, never null`);
  assert.ok(!JSON.stringify(p).includes('password'), 'no password is ever answered');
}

test('create-phone-number invents a number in the area code, binds agents, and every field round-trips', async () => {
  const body = {
    area_code: 415,
    nickname: 'Front desk',
    inbound_agents: [{ agent_id: voice, agent_version: 'prod', weight: 0.7 }, { agent_id: voice, agent_version: 1, weight: 0.3 }],
    outbound_agents: [{ agent_id: voice, weight: 1 }],
    inbound_webhook_url: 'https://example.com/inbound',
    allowed_inbound_country_list: ['US', 'CA'],
    allowed_outbound_country_list: ['US'],
    transport: 'TLS',
    fallback_number: '+14155550999',
  };
  const { data: p, response } = await c.phoneNumber.create(body).withResponse();
  assert.equal(response.status, 201);
  assertPhone(p);
  assert.match(p.phone_number, /^\+1415[2-9]\d{6}$/);
  assert.equal(p.phone_number_type, 'retell-twilio');
  assert.equal(p.area_code, 415);
  assert.equal(p.phone_number_pretty, `+1 (415) ${p.phone_number.slice(5, 8)}-${p.phone_number.slice(8)}`);
  for (const k of ['nickname', 'inbound_agents', 'outbound_agents', 'inbound_webhook_url', 'allowed_inbound_country_list',
    'allowed_outbound_country_list', 'fallback_number']) {
    assert.deepEqual(p[k], body[k], k);
  }
  assert.deepEqual(p.sip_outbound_trunk_config, { transport: 'TLS' });
  assert.deepEqual(await c.phoneNumber.retrieve(p.phone_number), p, 'retrieve answers what create answered');
});

test('create-phone-number: toll-free, Canadian and Telnyx numbers; numbers are never handed out twice', async () => {
  const tf = await c.phoneNumber.create({ toll_free: true });
  assert.match(tf.phone_number, /^\+18(00|33|44|55|66|77|88)\d{7}$/);
  const ca = await c.phoneNumber.create({ country_code: 'CA', area_code: 604, number_provider: 'telnyx' });
  assert.match(ca.phone_number, /^\+1604\d{7}$/);
  assert.equal(ca.phone_number_type, 'retell-telnyx');
  const seen = new Set();
  for (let i = 0; i < 20; i++) {
    const p = await c.phoneNumber.create({ area_code: 212 });
    assert.ok(!seen.has(p.phone_number), `${p.phone_number} handed out twice`);
    seen.add(p.phone_number);
  }
  await rejects(c.phoneNumber.create({ area_code: 415, country_code: 'CA' }), BadRequestError, /^area_code: .*Canadian/);
  await rejects(c.phoneNumber.create({ area_code: 800 }), BadRequestError, /toll_free/);
  await rejects(c.phoneNumber.create({ country_code: 'GB' }), BadRequestError, /^country_code: must be one of US, CA/);
});

test('import-phone-number takes the caller\'s number as custom; E.164 is checked only when asked', async () => {
  const { data: p, response } = await c.phoneNumber.import({
    phone_number: '+14155550100', termination_uri: 'trunk.pstn.twilio.com',
    sip_trunk_auth_username: 'trunk-user', sip_trunk_auth_password: 's3cret', nickname: 'SIP',
    inbound_agents: [{ agent_id: voice, weight: 1 }],
  }).withResponse();
  assert.equal(response.status, 201);
  assertPhone(p);
  assert.equal(p.phone_number, '+14155550100');
  assert.equal(p.phone_number_type, 'custom');
  assert.deepEqual(p.sip_outbound_trunk_config, { termination_uri: 'trunk.pstn.twilio.com', auth_username: 'trunk-user' });
  assert.deepEqual(p.inbound_agents, [{ agent_id: voice, weight: 1 }], 'agent_version absent stays absent (it means latest)');
  const pseudo = await c.phoneNumber.import({ phone_number: 'desk-7', termination_uri: 'x.example.com' });
  assert.equal(pseudo.phone_number, 'desk-7', 'ignore_e164_validation defaults to true');
  assert.equal(pseudo.phone_number_pretty, 'desk-7');
  assert.equal((await c.phoneNumber.retrieve('desk-7')).phone_number, 'desk-7');
  await rejects(c.phoneNumber.import({ phone_number: 'desk-8', termination_uri: 'x', ignore_e164_validation: false }),
    BadRequestError, /^phone_number: .*E\.164/);
  await rejects(c.phoneNumber.import({ phone_number: '+14155550100', termination_uri: 'x' }), BadRequestError, /already in use/);
  await rejects(c.phoneNumber.import({ phone_number: '+14155550101' }), BadRequestError, /^termination_uri: is required/);
  await rejects(c.phoneNumber.import({ phone_number: '+14155550101', termination_uri: 'x', ignore_e164_validation: 'false' }),
    BadRequestError, /^ignore_e164_validation: must be a boolean/);
});

test('update-phone-number is a PATCH: absent fields stay, null clears, SMS lists take chat agents', async () => {
  const p = await c.phoneNumber.import({ phone_number: '+14155550200', termination_uri: 'a.example.com', nickname: 'one',
    inbound_webhook_url: 'https://example.com/a', transport: 'UDP' });
  const u = await c.phoneNumber.update(p.phone_number, {
    nickname: null,
    inbound_sms_agents: [{ agent_id: chat, weight: 1 }],
    outbound_sms_agents: [{ agent_id: chat, agent_version: 'latest', weight: 1 }],
    outbound_agents: [{ agent_id: voice, agent_version: 'latest_published', weight: 0.5 }, { agent_id: voice, agent_version: 0, weight: 0.5 }],
    inbound_sms_webhook_url: 'https://example.com/sms',
    termination_uri: 'b.example.com', auth_username: 'u2', auth_password: 'p2', transport: null,
  });
  assertPhone(u);
  assert.equal(u.nickname, undefined, 'null clears nickname');
  assert.equal(u.inbound_webhook_url, 'https://example.com/a', 'an absent field is unchanged');
  assert.deepEqual(u.inbound_sms_agents, [{ agent_id: chat, weight: 1 }]);
  assert.deepEqual(u.outbound_sms_agents, [{ agent_id: chat, agent_version: 'latest', weight: 1 }]);
  assert.deepEqual(u.outbound_agents[0], { agent_id: voice, agent_version: 'latest_published', weight: 0.5 });
  assert.equal(u.inbound_sms_webhook_url, 'https://example.com/sms');
  assert.deepEqual(u.sip_outbound_trunk_config, { termination_uri: 'b.example.com', auth_username: 'u2' });
  assert.ok(u.last_modification_timestamp >= p.last_modification_timestamp);
  const cleared = await c.phoneNumber.update(p.phone_number, { outbound_agents: null, inbound_sms_agents: [] });
  assert.equal(cleared.outbound_agents, undefined);
  assert.deepEqual(cleared.inbound_sms_agents, []);
  await rejects(c.phoneNumber.update(p.phone_number, { termination_uri: null }), BadRequestError, /^termination_uri: cannot be null/);
  await rejects(c.phoneNumber.update(p.phone_number, { transport: 'SCTP' }), BadRequestError, /^transport: must be one of TLS, TCP, UDP/);
  await rejects(c.phoneNumber.update(p.phone_number, { fallback_number: p.phone_number }), BadRequestError, /^fallback_number: .*itself/);
});

test('binding lists are checked: weights, duplicates, agents under the key, the kind of agent, versions and tags', async () => {
  const p = await c.phoneNumber.import({ phone_number: '+14155550300', termination_uri: 'x.example.com' });
  const cases = [
    [{ inbound_agents: [{ agent_id: voice, weight: 0.5 }, { agent_id: voice, agent_version: 0, weight: 0.4 }] }, BadRequestError, /^inbound_agents: weights must add up to 1/],
    [{ inbound_agents: [{ agent_id: voice, weight: 0 }] }, BadRequestError, /^inbound_agents\[0\]\.weight: must be greater than 0/],
    [{ inbound_agents: [{ agent_id: voice, weight: 1.5 }] }, BadRequestError, /^inbound_agents\[0\]\.weight/],
    [{ inbound_agents: [{ agent_id: voice, weight: 0.5 }, { agent_id: voice, agent_version: 'latest', weight: 0.5 }] }, BadRequestError, /^inbound_agents\[1\]: duplicates entry 0/],
    [{ inbound_agents: [{ agent_id: 'agent_missing', weight: 1 }] }, UnprocessableEntityError, /inbound_agents\[0\]\.agent_id: agent agent_missing does not exist/],
    [{ outbound_agents: [{ agent_id: chat, weight: 1 }] }, BadRequestError, /^outbound_agents\[0\]\.agent_id: .* voice agents/],
    [{ inbound_sms_agents: [{ agent_id: voice, weight: 1 }] }, BadRequestError, /^inbound_sms_agents\[0\]\.agent_id: .* chat agents/],
    [{ inbound_agents: [{ agent_id: voice, agent_version: 9, weight: 1 }] }, UnprocessableEntityError, /no version 9/],
    [{ inbound_agents: [{ agent_id: voice, agent_version: 'staging', weight: 1 }] }, UnprocessableEntityError, /no tag "staging"/],
    [{ inbound_agents: [{ agent_id: voice, agent_version: 'v2', weight: 1 }] }, BadRequestError, /^inbound_agents\[0\]\.agent_version/],
    [{ inbound_agents: [{ agent_id: voice, agent_version: 'Prod', weight: 1 }] }, BadRequestError, /^inbound_agents\[0\]\.agent_version/],
    [{ inbound_agents: [{ weight: 1 }] }, BadRequestError, /^inbound_agents\[0\]\.agent_id: is required/],
  ];
  for (const [body, Cls, message] of cases) await rejects(c.phoneNumber.update(p.phone_number, body), Cls, message);
  assert.deepEqual(await c.phoneNumber.retrieve(p.phone_number), p, 'refused updates changed nothing');
  // Floating point: 0.1 + 0.2 + 0.7 is 1 to within the stated tolerance.
  const ok = await c.phoneNumber.update(p.phone_number, { inbound_agents: [
    { agent_id: voice, agent_version: 0, weight: 0.1 }, { agent_id: voice, agent_version: 1, weight: 0.2 },
    { agent_id: voice, agent_version: 'prod', weight: 0.7 }] });
  assert.equal(ok.inbound_agents.length, 3);
  // Another workspace's agent is a missing one.
  const theirs = await srv.clientB.agent.create(agentBody());
  await rejects(c.phoneNumber.update(p.phone_number, { inbound_agents: [{ agent_id: theirs.agent_id, weight: 1 }] }),
    UnprocessableEntityError, /does not exist/);
});

test('v2/list-phone-numbers pages like the other lists', async () => {
  const d = await startServer({ workspaces: ['solo'] });
  try {
    const cl = d.clientA;
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await cl.phoneNumber.import({ phone_number: `+1212555010${i}`, termination_uri: 'x' })).phone_number);
    for (const sort_order of ['ascending', 'descending']) {
      const got = [];
      let key;
      for (;;) {
        const page = await cl.phoneNumber.list({ limit: 2, sort_order, ...(key ? { pagination_key: key } : {}) });
        assert.ok(page.items.length <= 2);
        page.items.forEach(assertPhone);
        got.push(...page.items.map((p) => p.phone_number));
        if (!page.has_more) { assert.equal(page.pagination_key, undefined); break; }
        key = page.pagination_key;
      }
      assert.deepEqual([...got].sort(), [...made].sort(), `${sort_order}: every number once`);
    }
    const all = await cl.phoneNumber.list();
    assert.equal(all.items.length, 5);
    await rejects(cl.phoneNumber.list({ limit: 0 }), BadRequestError, /^limit/);
  } finally {
    await d.stop();
  }
});

test('a missing number is 422 on retrieve, update and delete; another workspace\'s number is a missing one', async () => {
  const p = await c.phoneNumber.import({ phone_number: '+14155550400', termination_uri: 'x' });
  const b = srv.clientB;
  for (const cl of [c, b]) {
    const n = cl === c ? '+19995550000' : p.phone_number;
    await rejects(cl.phoneNumber.retrieve(n), UnprocessableEntityError, /^Cannot find requested asset under given api key/);
    await rejects(cl.phoneNumber.update(n, { nickname: 'x' }), UnprocessableEntityError, /^Cannot find requested asset/);
    await rejects(cl.phoneNumber.delete(n), UnprocessableEntityError, /^Cannot find requested asset/);
  }
  assert.ok(!(await b.phoneNumber.list()).items.some((x) => x.phone_number === p.phone_number));
  await rejects(b.phoneNumber.import({ phone_number: p.phone_number, termination_uri: 'x' }), BadRequestError, /already in use/);
  const res = await c.phoneNumber.delete(p.phone_number).asResponse();
  assert.equal(res.status, 204);
  await rejects(c.phoneNumber.retrieve(p.phone_number), UnprocessableEntityError);
});

test('what a number binds cannot be deleted out from under it; the message names the number', async () => {
  const a = (await c.agent.create(agentBody())).agent_id;
  await c.agent.createVersion(a, { base_version: 0 });
  const p = await c.phoneNumber.import({ phone_number: '+14155550500', termination_uri: 'x',
    inbound_agents: [{ agent_id: a, agent_version: 1, weight: 1 }] });
  await rejects(c.agent.delete(a), BadRequestError, /\+14155550500 \(inbound_agents\)/);
  await rejects(c.agent.deleteVersion(a, { version: 1 }), BadRequestError, /\+14155550500 \(inbound_agents\)/);
  await c.agent.deleteVersion(a, { version: 0 }); // not bound
  await c.phoneNumber.delete(p.phone_number);
  await c.agent.delete(a);
});
