// POST /v2/list-agents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, rejects, assertRawError, sleep, BadRequestError,
} from './harness.js';

let srv;
let c;
const made = []; // agent ids in creation order
before(async () => {
  srv = await startServer();
  c = srv.clientA;
  for (const name of ['Alpha Support', 'beta SALES', 'Gamma support desk', 'delta', 'Epsilon']) {
    const a = await c.agent.create(agentBody({ agent_name: name }));
    made.push(a.agent_id);
    await sleep(3); // distinct creation times
  }
  // Give "delta" more versions: it must still be listed once.
  await c.agent.createVersion(made[3], { base_version: 0 });
  await c.agent.publish(made[3], { version: 1 });
  await c.agent.createVersion(made[3], { base_version: 1 });
});
after(async () => { await srv?.stop(); });

async function listAll(params = {}) {
  const ids = [];
  let key;
  for (let i = 0; i < 50; i++) {
    const page = await c.agent.list({ ...params, ...(key ? { pagination_key: key } : {}) });
    ids.push(...page.items.map((x) => x.agent_id));
    if (!page.has_more) return ids;
    key = page.pagination_key;
  }
  throw new Error('list-agents never stopped paging');
}

test('one item per agent, newest first by default, with the documented fields', async () => {
  const { data: page, response } = await c.agent.list().withResponse();
  assert.equal(response.status, 200);
  assert.equal(page.has_more, false);
  assert.deepEqual(page.items.map((x) => x.agent_id), [...made].reverse());
  for (const it of page.items) {
    assert.match(it.agent_id, /^agent_[0-9a-f]+$/);
    assert.equal(typeof it.agent_name, 'string');
    assert.equal(it.channel, 'voice');
    assert.ok(Number.isInteger(it.user_modified_timestamp), 'user_modified_timestamp is an integer');
    assert.ok(Math.abs(it.user_modified_timestamp - Date.now()) < 10 * 60_000, 'in milliseconds');
    assert.deepEqual(it.tags, {});
  }
  assert.deepEqual(page.items.map((x) => x.agent_name),
    ['Epsilon', 'delta', 'Gamma support desk', 'beta SALES', 'Alpha Support']);
});

test('sort_order ascending lists oldest first', async () => {
  const page = await c.agent.list({ sort_order: 'ascending' });
  assert.deepEqual(page.items.map((x) => x.agent_id), made);
});

for (const sort_order of ['descending', 'ascending']) {
  test(`limit + pagination_key page through every agent once (${sort_order})`, async () => {
    const p1 = await c.agent.list({ limit: 2, sort_order });
    assert.equal(p1.items.length, 2);
    assert.equal(p1.has_more, true);
    assert.equal(typeof p1.pagination_key, 'string');
    const ids = await listAll({ limit: 2, sort_order });
    const expected = sort_order === 'ascending' ? made : [...made].reverse();
    assert.deepEqual(ids, expected, 'no duplicates, no gaps');
  });
}

test('paging is stable while agents are added', async () => {
  const p1 = await c.agent.list({ limit: 2 });
  const extra = await c.agent.create(agentBody({ agent_name: 'late arrival' }));
  try {
    const rest = [];
    let key = p1.pagination_key;
    for (;;) {
      const p = await c.agent.list({ limit: 2, pagination_key: key });
      rest.push(...p.items.map((x) => x.agent_id));
      if (!p.has_more) break;
      key = p.pagination_key;
    }
    assert.deepEqual([...p1.items.map((x) => x.agent_id), ...rest], [...made].reverse(),
      'the new agent does not shift or repeat items on later pages');
  } finally {
    await c.agent.delete(extra.agent_id);
  }
});

test('agent_name is the latest version\'s name; "" when unset', async () => {
  const a = await c.agent.create(agentBody());
  try {
    let item = (await c.agent.list({ filter_criteria: { query: a.agent_id } })).items;
    assert.equal(item.length, 1);
    assert.equal(item[0].agent_name, '');
    await c.agent.createVersion(a.agent_id, { base_version: 0 });
    await c.agent.update(a.agent_id, { version: 1, agent_name: 'renamed in v1' });
    item = (await c.agent.list({ filter_criteria: { query: a.agent_id } })).items;
    assert.equal(item[0].agent_name, 'renamed in v1');
    await c.agent.update(a.agent_id, { version: 0, agent_name: 'renamed in v0' });
    item = (await c.agent.list({ filter_criteria: { query: a.agent_id } })).items;
    assert.equal(item[0].agent_name, 'renamed in v1', 'v1 is the latest version');
    await c.agent.deleteVersion(a.agent_id, { version: 1 });
    item = (await c.agent.list({ filter_criteria: { query: a.agent_id } })).items;
    assert.equal(item[0].agent_name, 'renamed in v0', 'after deleting v1, v0 is the latest');
  } finally {
    await c.agent.delete(a.agent_id);
  }
});

test('user_modified_timestamp moves with an edit to any version', async () => {
  const a = await c.agent.create(agentBody({ agent_name: 'tick-tock' }));
  try {
    const t0 = (await c.agent.list({ filter_criteria: { query: 'tick-tock' } })).items[0].user_modified_timestamp;
    assert.ok(t0 >= a.last_modification_timestamp - 1000);
    await sleep(10);
    await c.agent.createVersion(a.agent_id, { base_version: 0 });
    await c.agent.update(a.agent_id, { version: 0, voice_speed: 1.3 });
    const t1 = (await c.agent.list({ filter_criteria: { query: 'tick-tock' } })).items[0].user_modified_timestamp;
    assert.ok(t1 > t0, `${t1} > ${t0}`);
  } finally {
    await c.agent.delete(a.agent_id);
  }
});

test('filter_criteria.channel eq voice lists voice agents; eq chat lists none of them', async () => {
  const voice = await c.agent.list({ filter_criteria: { channel: { type: 'string', op: 'eq', value: 'voice' } } });
  assert.deepEqual(voice.items.map((x) => x.agent_id), [...made].reverse());
  const chat = await c.agent.list({ filter_criteria: { channel: { type: 'string', op: 'eq', value: 'chat' } } });
  assert.deepEqual(chat.items, []);
  assert.equal(chat.has_more, false);
});

test('filter_criteria.query is a case-insensitive substring of the name', async () => {
  const page = await c.agent.list({ filter_criteria: { query: 'SUPPORT' } });
  assert.deepEqual(page.items.map((x) => x.agent_name), ['Gamma support desk', 'Alpha Support']);
  const sales = await c.agent.list({ filter_criteria: { query: 'sales' } });
  assert.deepEqual(sales.items.map((x) => x.agent_name), ['beta SALES']);
  const none = await c.agent.list({ filter_criteria: { query: 'no such agent name' } });
  assert.deepEqual(none.items, []);
});

test('filter_criteria.query matches a substring of the agent id', async () => {
  const id = made[2];
  const page = await c.agent.list({ filter_criteria: { query: id.slice(8, 20) } });
  assert.deepEqual(page.items.map((x) => x.agent_id), [id]);
});

test('filters combine with AND and with paging', async () => {
  const ids = await listAll({
    limit: 1,
    filter_criteria: { query: 'support', channel: { type: 'string', op: 'eq', value: 'voice' } },
  });
  assert.deepEqual(ids, [made[2], made[0]]);
});

test('limit 0 or 1001 is 400', async () => {
  await rejects(c.agent.list({ limit: 0 }), BadRequestError, /limit/);
  await rejects(c.agent.list({ limit: 1001 }), BadRequestError, /limit/);
  const ok = await c.agent.list({ limit: 1000 });
  assert.equal(ok.items.length, made.length);
});

test('a bad pagination_key or sort_order is 400', async () => {
  await rejects(c.agent.list({ pagination_key: '%%%garbage' }), BadRequestError, /pagination_key/);
  await rejects(c.agent.list({ sort_order: 'random' }), BadRequestError, /sort_order/);
});

test('a bad filter is 400 naming the field', async () => {
  await rejects(c.agent.list({ filter_criteria: { channel: { type: 'string', op: 'eq', value: 'sms' } } }),
    BadRequestError, /^filter_criteria\.channel/);
  await rejects(c.agent.list({ filter_criteria: { query: 5 } }), BadRequestError, /^filter_criteria\.query/);
  // A misspelt filter is an unknown field: ignored by default (fields.test.js).
});

test('no body at all is accepted (raw request)', async () => {
  const res = await srv.raw('POST', '/v2/list-agents?limit=2');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.items.length, 2);
  assert.equal(res.json.has_more, true);
  assertRawError(await srv.raw('POST', '/v2/list-agents', { body: '{"filter_criteria":' }), 400);
});
