// create-agent-version, delete-agent-version, get-agent-versions, list-agent-versions.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, configOf, assertAgent, assertSummary, rejects, assertRawError,
  BadRequestError, NotFoundError, UnprocessableEntityError, MISSING_AGENT,
} from './harness.js';

let srv;
let c;
before(async () => { srv = await startServer(); c = srv.clientA; });
after(async () => { await srv?.stop(); });

// agentWithVersions creates an agent and n more drafts based on version 0.
async function agentWithVersions(n, extra = {}) {
  const a = await c.agent.create(agentBody(extra));
  for (let i = 0; i < n; i++) await c.agent.createVersion(a.agent_id, { base_version: 0 });
  return a.agent_id;
}

describe('create-agent-version', () => {
  test('201 with the next number, base_version set, a draft, the base config copied', async () => {
    const a = await c.agent.create(agentBody({
      agent_name: 'Base', webhook_url: 'https://hooks.example.com/v', voice_speed: 0.9,
      voicemail_option: { action: { type: 'hangup' } },
    }));
    const { data: v1, response } = await c.agent.createVersion(a.agent_id, { base_version: 0 }).withResponse();
    assert.equal(response.status, 201);
    assertAgent(v1, { agentId: a.agent_id, version: 1, published: false, baseVersion: 0 });
    assert.deepEqual(configOf(v1), configOf(a), 'the configuration is copied from the base');
    const got = await c.agent.retrieve(a.agent_id, { version: 1 });
    assert.deepEqual(got, v1, 'retrieve returns what create-agent-version returned');
  });

  test('copies a draft base as it is now (after edits)', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'first' }));
    const edited = await c.agent.update(a.agent_id, { agent_name: 'edited', ambient_sound: 'call-center' });
    const v1 = await c.agent.createVersion(a.agent_id, { base_version: 0 });
    assert.deepEqual(configOf(v1), configOf(edited));
  });

  test('copies a published base; the base stays published and unchanged', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'pub' }));
    await c.agent.publish(a.agent_id, { version: 0, version_title: 'release 1' });
    const v1 = await c.agent.createVersion(a.agent_id, { base_version: 0 });
    assertAgent(v1, { version: 1, published: false, baseVersion: 0 });
    assert.equal(v1.agent_name, 'pub');
    const v0 = await c.agent.retrieve(a.agent_id, { version: 0 });
    assert.equal(v0.is_published, true);
    assert.equal(v0.version_title, 'release 1');
  });

  test('a new draft does not inherit version_title or version_description', async () => {
    const a = await c.agent.create(agentBody({ version_title: 'T', version_description: 'D' }));
    await c.agent.publish(a.agent_id, { version: 0, version_title: 'T2', version_description: 'D2' });
    const v1 = await c.agent.createVersion(a.agent_id, { base_version: 0 });
    assert.equal(v1.version_title, null);
    assert.equal(v1.version_description, null);
  });

  test('a draft may be based on a later draft; many drafts coexist', async () => {
    const id = await agentWithVersions(1);
    await c.agent.update(id, { version: 1, agent_name: 'one' });
    const v2 = await c.agent.createVersion(id, { base_version: 1 });
    assertAgent(v2, { version: 2, baseVersion: 1, published: false });
    assert.equal(v2.agent_name, 'one');
    const all = await c.agent.getVersions(id);
    assert.deepEqual(all.map((v) => [v.version, v.is_published]), [[0, false], [1, false], [2, false]]);
  });

  test('editing the copy leaves the base alone', async () => {
    const id = await agentWithVersions(1, { agent_name: 'shared' });
    await c.agent.update(id, { version: 1, agent_name: 'changed' });
    assert.equal((await c.agent.retrieve(id, { version: 0 })).agent_name, 'shared');
  });

  test('numbers are never reused after deletion', async () => {
    const id = await agentWithVersions(2); // v0, v1, v2
    await c.agent.deleteVersion(id, { version: 2 });
    const v3 = await c.agent.createVersion(id, { base_version: 0 });
    assert.equal(v3.version, 3, 'v2 was deleted, the next number is still 3');
    await c.agent.deleteVersion(id, { version: 3 });
    await c.agent.deleteVersion(id, { version: 1 });
    const v4 = await c.agent.createVersion(id, { base_version: 0 });
    assert.equal(v4.version, 4);
  });

  test('unknown agent is 404', async () => {
    await rejects(c.agent.createVersion(MISSING_AGENT, { base_version: 0 }), NotFoundError);
  });

  test('unknown or deleted base version is 404', async () => {
    const id = await agentWithVersions(1);
    await rejects(c.agent.createVersion(id, { base_version: 9 }), NotFoundError);
    await c.agent.deleteVersion(id, { version: 1 });
    await rejects(c.agent.createVersion(id, { base_version: 1 }), NotFoundError);
  });

  test('missing, negative or non-integer base_version is 400; an unknown field is 400 (the reference closes this body)', async () => {
    const id = await agentWithVersions(0);
    await rejects(c.agent.createVersion(id, {}), BadRequestError, /base_version/);
    await rejects(c.agent.createVersion(id, { base_version: -1 }), BadRequestError, /^base_version\b/);
    await rejects(c.agent.createVersion(id, { base_version: 0.5 }), BadRequestError, /^base_version\b/);
    await rejects(c.agent.createVersion(id, { base_version: '0' }), BadRequestError, /^base_version\b/);
    await rejects(c.agent.createVersion(id, { base_version: 0, agent_name: 'x' }), BadRequestError, /agent_name/);
    const list = await c.agent.getVersions(id);
    assert.equal(list.length, 1, 'no version was created by the rejected requests');
  });
});

describe('delete-agent-version', () => {
  test('204; the version is gone from get-agent, get-agent-versions and list-agent-versions', async () => {
    const id = await agentWithVersions(2);
    const { data, response } = await c.agent.deleteVersion(id, { version: 1 }).withResponse();
    assert.equal(response.status, 204);
    assert.ok(data === null || data === undefined || data === '', `no body, got ${JSON.stringify(data)}`);
    await rejects(c.agent.retrieve(id, { version: 1 }), UnprocessableEntityError);
    const all = await c.agent.getVersions(id);
    assert.deepEqual(all.map((v) => v.version), [0, 2]);
    const page = await c.agent.listVersions(id);
    assert.deepEqual(page.items.map((v) => v.version), [2, 0]);
  });

  test('a published version can be deleted', async () => {
    const id = await agentWithVersions(1);
    await c.agent.publish(id, { version: 0 });
    await c.agent.deleteVersion(id, { version: 0 });
    assert.deepEqual((await c.agent.getVersions(id)).map((v) => v.version), [1]);
  });

  test('deleting the latest version makes get-agent return the next largest', async () => {
    const id = await agentWithVersions(2);
    await c.agent.deleteVersion(id, { version: 2 });
    assert.equal((await c.agent.retrieve(id)).version, 1);
  });

  test('deleting the last remaining version is 400 and deletes nothing', async () => {
    const id = await agentWithVersions(1);
    await c.agent.deleteVersion(id, { version: 0 });
    await rejects(c.agent.deleteVersion(id, { version: 1 }), BadRequestError);
    assertAgent(await c.agent.retrieve(id), { version: 1 });
  });

  test('unknown version or agent is 404', async () => {
    const id = await agentWithVersions(1);
    await rejects(c.agent.deleteVersion(id, { version: 5 }), NotFoundError);
    await rejects(c.agent.deleteVersion(MISSING_AGENT, { version: 0 }), NotFoundError);
    await c.agent.deleteVersion(id, { version: 1 });
    await rejects(c.agent.deleteVersion(id, { version: 1 }), NotFoundError, undefined);
  });

  test('missing or non-numeric version is 400', async () => {
    const id = await agentWithVersions(1);
    assertRawError(await srv.raw('DELETE', `/delete-agent-version/${id}`), 400, /version/);
    for (const v of ['latest', 'latest_published', '-1', '1.5', 'prod']) {
      assertRawError(await srv.raw('DELETE', `/delete-agent-version/${id}?version=${v}`), 400, /version/);
    }
    assert.equal((await c.agent.getVersions(id)).length, 2, 'nothing was deleted');
  });
});

describe('get-agent-versions', () => {
  test('every version as a full AgentResponse, ascending', async () => {
    const a = await c.agent.create(agentBody({ agent_name: 'gv' }));
    await c.agent.createVersion(a.agent_id, { base_version: 0 });
    await c.agent.publish(a.agent_id, { version: 1, version_title: 'one' });
    await c.agent.createVersion(a.agent_id, { base_version: 1 });
    const all = await c.agent.getVersions(a.agent_id);
    assert.ok(Array.isArray(all), 'an array');
    assert.deepEqual(all.map((v) => v.version), [0, 1, 2]);
    for (const v of all) {
      assertAgent(v, { agentId: a.agent_id });
      assert.equal(v.agent_name, 'gv');
    }
    assert.deepEqual(all.map((v) => v.is_published), [false, true, false]);
    assert.deepEqual(all.map((v) => v.base_version), [null, 0, 1]);
    assert.equal(all[1].version_title, 'one');
    for (const v of all) {
      assert.deepEqual(v, await c.agent.retrieve(a.agent_id, { version: v.version }), 'same as get-agent');
    }
  });

  test('unknown agent is 404', async () => {
    await rejects(c.agent.getVersions(MISSING_AGENT), NotFoundError);
  });
});

describe('list-agent-versions', () => {
  let id;
  const N = 12; // versions 0..11
  before(async () => {
    id = await agentWithVersions(N - 1);
    await c.agent.publish(id, { version: 3, version_title: 'three', version_description: 'third' });
  });

  test('default: descending, summaries only, has_more false when all fit', async () => {
    const page = await c.agent.listVersions(id);
    assert.deepEqual(page.items.map((v) => v.version), [...Array(N).keys()].reverse());
    assert.equal(page.has_more, false);
    for (const s of page.items) assertSummary(s);
    assert.ok(!('voice_id' in page.items[0]), 'items are summaries, not full agents');
  });

  test('summary fields: base_version only when set, title/description only when set, never null', async () => {
    const page = await c.agent.listVersions(id, { sort_order: 'ascending' });
    const v0 = page.items[0];
    assert.equal(v0.version, 0);
    assert.ok(!('base_version' in v0), `v0 has no base_version, got ${JSON.stringify(v0.base_version)}`);
    assert.ok(!('version_title' in v0) && !('version_description' in v0), JSON.stringify(v0));
    const v3 = page.items[3];
    assert.deepEqual(
      [v3.version, v3.is_published, v3.base_version, v3.version_title, v3.version_description],
      [3, true, 0, 'three', 'third']);
    assert.equal(page.items[1].base_version, 0);
    assert.equal(page.items[1].is_published, false);
  });

  test('sort_order ascending', async () => {
    const page = await c.agent.listVersions(id, { sort_order: 'ascending' });
    assert.deepEqual(page.items.map((v) => v.version), [...Array(N).keys()]);
  });

  for (const sort_order of ['descending', 'ascending']) {
    test(`limit + pagination_key page through every version once (${sort_order})`, async () => {
      const seen = [];
      let key;
      const pages = [];
      for (let i = 0; i < 10; i++) {
        const page = await c.agent.listVersions(id, { limit: 5, sort_order, ...(key ? { pagination_key: key } : {}) });
        pages.push([page.items.length, page.has_more]);
        seen.push(...page.items.map((v) => v.version));
        if (!page.has_more) break;
        assert.equal(typeof page.pagination_key, 'string', 'has_more comes with a pagination_key');
        assert.ok(page.pagination_key.length > 0);
        key = page.pagination_key;
      }
      assert.deepEqual(pages, [[5, true], [5, true], [2, false]]);
      const expected = [...Array(N).keys()];
      if (sort_order === 'descending') expected.reverse();
      assert.deepEqual(seen, expected, 'no duplicates, no gaps, in order');
    });
  }

  test('has_more is false when the last page is exactly full', async () => {
    const p1 = await c.agent.listVersions(id, { limit: 6 });
    assert.equal(p1.has_more, true);
    const p2 = await c.agent.listVersions(id, { limit: 6, pagination_key: p1.pagination_key });
    assert.equal(p2.items.length, 6);
    assert.equal(p2.has_more, false);
  });

  test('paging is stable while versions are added', async () => {
    const pid = await agentWithVersions(5); // 0..5
    const p1 = await c.agent.listVersions(pid, { limit: 3, sort_order: 'ascending' });
    assert.deepEqual(p1.items.map((v) => v.version), [0, 1, 2]);
    await c.agent.createVersion(pid, { base_version: 0 }); // 6
    const p2 = await c.agent.listVersions(pid, { limit: 3, sort_order: 'ascending', pagination_key: p1.pagination_key });
    assert.deepEqual(p2.items.map((v) => v.version), [3, 4, 5]);

    const d1 = await c.agent.listVersions(pid, { limit: 3 });
    assert.deepEqual(d1.items.map((v) => v.version), [6, 5, 4]);
    await c.agent.createVersion(pid, { base_version: 0 }); // 7
    const d2 = await c.agent.listVersions(pid, { limit: 3, pagination_key: d1.pagination_key });
    assert.deepEqual(d2.items.map((v) => v.version), [3, 2, 1], 'a new version does not shift the next page');
  });

  test('limit 1 and limit 1000 are accepted', async () => {
    const p = await c.agent.listVersions(id, { limit: 1 });
    assert.deepEqual(p.items.map((v) => v.version), [N - 1]);
    assert.equal(p.has_more, true);
    const all = await c.agent.listVersions(id, { limit: 1000 });
    assert.equal(all.items.length, N);
  });

  test('limit 0, 1001, negative or non-integer is 400', async () => {
    await rejects(c.agent.listVersions(id, { limit: 0 }), BadRequestError, /limit/);
    await rejects(c.agent.listVersions(id, { limit: 1001 }), BadRequestError, /limit/);
    await rejects(c.agent.listVersions(id, { limit: -5 }), BadRequestError, /limit/);
    assertRawError(await srv.raw('GET', `/list-agent-versions/${id}?limit=2.5`), 400, /limit/);
    assertRawError(await srv.raw('GET', `/list-agent-versions/${id}?limit=ten`), 400, /limit/);
  });

  test('a bad sort_order is 400', async () => {
    await rejects(c.agent.listVersions(id, { sort_order: 'sideways' }), BadRequestError, /sort_order/);
  });

  test('a bad pagination_key is 400', async () => {
    await rejects(c.agent.listVersions(id, { pagination_key: 'not-a-key' }), BadRequestError, /pagination_key/);
  });

  test('a pagination_key used with the other sort order is 400', async () => {
    const p = await c.agent.listVersions(id, { limit: 2, sort_order: 'descending' });
    await rejects(
      c.agent.listVersions(id, { limit: 2, sort_order: 'ascending', pagination_key: p.pagination_key }),
      BadRequestError, /pagination_key/);
  });

  test('unknown agent is 404', async () => {
    await rejects(c.agent.listVersions(MISSING_AGENT), NotFoundError);
  });
});
