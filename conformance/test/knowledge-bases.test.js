// Knowledge bases through the SDK: multipart bodies as client.knowledgeBase
// builds them (texts and URLs as JSON parts, each file its own part), the
// status a polling client sees, sources kept and served, and the integrity
// of the LLMs and flows that use them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Retell, startServer, rejects, assertRawError, APIError,
  BadRequestError, UnprocessableEntityError,
} from './harness.js';

let srv;
let c;
let cB;
// Indexing takes 400 ms here, so that polling is seen to wait.
before(async () => {
  srv = await startServer({ serveArgs: ['--kb-indexing-time', '400ms'] });
  c = srv.clientA;
  cB = srv.clientB;
});
after(async () => { await srv?.stop(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// poll gets the knowledge base until its status is not in progress.
async function poll(id, client = c) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const kb = await client.knowledgeBase.retrieve(id);
    if (kb.status !== 'in_progress' && kb.status !== 'refreshing_in_progress') return kb;
    assert.ok(Date.now() < deadline, `still ${kb.status} after 10 s`);
    await sleep(50);
  }
}

function assertKnowledgeBase(kb) {
  assert.match(kb.knowledge_base_id, /^knowledge_base_[0-9a-f]{32}$/);
  assert.equal(typeof kb.knowledge_base_name, 'string');
  assert.ok(['in_progress', 'complete', 'error', 'refreshing_in_progress'].includes(kb.status), kb.status);
  assert.ok(Array.isArray(kb.knowledge_base_sources));
  for (const s of kb.knowledge_base_sources) {
    assert.match(s.source_id, /^source_[0-9a-f]{32}$/);
    if (s.type === 'document') {
      assert.equal(typeof s.filename, 'string');
      assert.equal(typeof s.file_size, 'number');
      assert.match(s.file_url, /^http:\/\/127\.0\.0\.1:\d+\/agentry\/v1\/knowledge-bases\//);
    } else if (s.type === 'text') {
      assert.equal(typeof s.title, 'string');
      assert.match(s.content_url, /^http:\/\/127\.0\.0\.1:\d+\/agentry\/v1\/knowledge-bases\//);
    } else {
      assert.equal(s.type, 'url');
      assert.equal(typeof s.url, 'string');
    }
  }
}

const FLOW = (extra = {}) => ({
  start_speaker: 'agent',
  model_choice: { type: 'cascading', model: 'gpt-5.6-terra' },
  start_node_id: 'start',
  nodes: [{ id: 'start', type: 'conversation', instruction: { type: 'prompt', text: 'Hi.' } }],
  ...extra,
});

describe('create-knowledge-base', () => {
  test('texts, URLs and files as the SDK sends them; in_progress, then complete with the sources', async () => {
    const file = path.join(srv.dir, 'menu.txt');
    await writeFile(file, 'soup\nsalad\n');
    const created = await c.knowledgeBase.create({
      knowledge_base_name: 'Clinic FAQ',
      knowledge_base_texts: [{ title: 'Hours', text: 'Open 9 to 5.' }],
      knowledge_base_urls: ['https://www.example.com/faq', 'https://www.example.com/prices'],
      knowledge_base_files: [
        await Retell.toFile(Buffer.from([0, 1, 2, 255]), 'raw.bin', { type: 'application/octet-stream' }),
        createReadStream(file),
        new File(['# Notes\n'], 'notes.md', { type: 'text/markdown' }),
      ],
      enable_auto_refresh: true,
      max_chunk_size: 1500,
      min_chunk_size: 300,
    });
    assertKnowledgeBase(created);
    assert.equal(created.status, 'in_progress');
    assert.deepEqual(created.knowledge_base_sources, [], 'sources are listed once indexed');
    assert.equal(created.knowledge_base_name, 'Clinic FAQ');
    assert.equal(created.max_chunk_size, 1500);
    assert.equal(created.min_chunk_size, 300);
    assert.equal(created.enable_auto_refresh, true);

    const kb = await poll(created.knowledge_base_id);
    assert.equal(kb.status, 'complete');
    assertKnowledgeBase(kb);
    assert.deepEqual(kb.knowledge_base_sources.map((s) => s.type), ['text', 'document', 'document', 'document', 'url', 'url']);
    // The SDK appends a read stream's part after it has read it, so files
    // arrive in no fixed order: agentry keeps them in the order received.
    const docs = kb.knowledge_base_sources.filter((s) => s.type === 'document');
    assert.deepEqual(docs.map((s) => [s.filename, s.file_size]).sort(), [['menu.txt', 11], ['notes.md', 8], ['raw.bin', 4]]);
    assert.ok(Number.isInteger(kb.last_refreshed_timestamp) && Math.abs(kb.last_refreshed_timestamp - Date.now()) < 60_000,
      `auto refresh: last_refreshed_timestamp ${kb.last_refreshed_timestamp}`);

    // The stored bytes, behind file_url and content_url, with the key.
    const raw = docs.find((s) => s.filename === 'raw.bin');
    const res = await fetch(raw.file_url, { headers: { Authorization: `Bearer ${srv.keys.alpha}` } });
    assert.equal(res.status, 200);
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 1, 2, 255]);
    const text = await fetch(kb.knowledge_base_sources[0].content_url, { headers: { Authorization: `Bearer ${srv.keys.alpha}` } });
    assert.equal(await text.text(), 'Open 9 to 5.');
    const other = await fetch(raw.file_url, { headers: { Authorization: `Bearer ${srv.keys.beta}` } });
    assert.equal(other.status, 404, "another workspace cannot read the source's bytes");
  });

  test('field rules: 400 naming the field', async () => {
    await rejects(c.knowledgeBase.create({ knowledge_base_name: 'x'.repeat(40) }), BadRequestError, /^knowledge_base_name: must be at most 39/);
    await rejects(c.knowledgeBase.create({ knowledge_base_name: 'k', max_chunk_size: 100 }), BadRequestError, /^max_chunk_size: must be between 600 and 6000/);
    await rejects(c.knowledgeBase.create({ knowledge_base_name: 'k', max_chunk_size: 700, min_chunk_size: 700 }), BadRequestError, /^min_chunk_size: must be less than max_chunk_size/);
    await rejects(c.knowledgeBase.create({ knowledge_base_name: 'k', knowledge_base_urls: ['mailto:x@example.com'] }), BadRequestError, /^knowledge_base_urls\[0\]/);
    await rejects(c.knowledgeBase.create({ knowledge_base_name: 'k', knowledge_base_texts: [{ title: 't' }] }), BadRequestError, /^knowledge_base_texts\[0\]\.text: is required/);
    await rejects(c.knowledgeBase.create({}), BadRequestError, /^knowledge_base_name: is required/);
  });

  test('limits: a file over 50 MiB or a body over 64 MiB is a 413; JSON is a 415', async () => {
    const big = new File([Buffer.alloc(50 * 1024 * 1024 + 1, 0x61)], 'big.txt');
    const e = await rejects(c.knowledgeBase.create({ knowledge_base_name: 'k', knowledge_base_files: [big] }), APIError,
      /^knowledge_base_files \(big\.txt\): larger than the limit of 50 MiB per file/);
    assert.equal(e.status, 413);
    const res = await srv.raw('POST', '/create-knowledge-base', { body: { knowledge_base_name: 'k' } });
    assertRawError(res, 415, /multipart\/form-data/);
  });
});

describe('add-knowledge-base-sources and delete-knowledge-base-source', () => {
  test('adding sources refreshes: the indexed sources stay listed until the new ones are', async () => {
    const first = await poll((await c.knowledgeBase.create({
      knowledge_base_name: 'Growing', knowledge_base_texts: [{ title: 'A', text: 'a' }],
    })).knowledge_base_id);
    const added = await c.knowledgeBase.addSources(first.knowledge_base_id, {
      knowledge_base_files: [new File(['b'], 'b.txt', { type: 'text/plain' })],
      knowledge_base_urls: ['https://example.com/c'],
    });
    assert.equal(added.status, 'refreshing_in_progress');
    assert.deepEqual(added.knowledge_base_sources, first.knowledge_base_sources);
    const after = await poll(first.knowledge_base_id);
    assert.equal(after.status, 'complete');
    assert.deepEqual(after.knowledge_base_sources.map((s) => s.type), ['text', 'document', 'url']);

    const removed = await c.knowledgeBase.deleteSource(after.knowledge_base_sources[0].source_id, { knowledge_base_id: first.knowledge_base_id });
    assertKnowledgeBase(removed);
    assert.deepEqual(removed.knowledge_base_sources.map((s) => s.type), ['document', 'url']);
    await rejects(c.knowledgeBase.deleteSource(after.knowledge_base_sources[0].source_id, { knowledge_base_id: first.knowledge_base_id }),
      UnprocessableEntityError, /no source/);
    await rejects(c.knowledgeBase.addSources(first.knowledge_base_id, {}), BadRequestError, /at least one source/);
  });
});

describe('get, list, delete and workspaces', () => {
  test('missing and foreign knowledge bases are 422 everywhere', async () => {
    const mine = await c.knowledgeBase.create({ knowledge_base_name: 'Mine' });
    for (const client of [c, cB]) {
      const id = client === c ? 'knowledge_base_missing' : mine.knowledge_base_id;
      await rejects(client.knowledgeBase.retrieve(id), UnprocessableEntityError, /^Cannot find requested asset under given api key/);
      await rejects(client.knowledgeBase.delete(id), UnprocessableEntityError);
      await rejects(client.knowledgeBase.addSources(id, { knowledge_base_urls: ['https://x.example'] }), UnprocessableEntityError);
      await rejects(client.knowledgeBase.deleteSource('source_x', { knowledge_base_id: id }), UnprocessableEntityError);
    }
    const theirs = await cB.knowledgeBase.list();
    assert.ok(!theirs.some((kb) => kb.knowledge_base_id === mine.knowledge_base_id), 'B lists A\'s knowledge base');
    const list = await c.knowledgeBase.list();
    assert.ok(Array.isArray(list));
    list.forEach(assertKnowledgeBase);
    assert.equal(list[0].knowledge_base_id, mine.knowledge_base_id, 'newest first');
    await c.knowledgeBase.delete(mine.knowledge_base_id);
    await rejects(c.knowledgeBase.retrieve(mine.knowledge_base_id), UnprocessableEntityError);
  });
});

describe('knowledge_base_ids must name knowledge bases of the workspace', () => {
  test('LLMs, flows and flow nodes: 422 naming the path; deleting a used one is a 400 naming its users', async () => {
    const kb = await c.knowledgeBase.create({ knowledge_base_name: 'Used' });
    const id = kb.knowledge_base_id;
    await rejects(c.llm.create({ knowledge_base_ids: [id, 'knowledge_base_nope'] }), UnprocessableEntityError,
      /^Cannot find requested asset under given api key: knowledge_base_ids\[1\]: no knowledge base knowledge_base_nope/);
    await rejects(cB.llm.create({ knowledge_base_ids: [id] }), UnprocessableEntityError, /knowledge_base_ids\[0\]/);
    const llm = await c.llm.create({ knowledge_base_ids: [id] });
    await rejects(c.llm.update(llm.llm_id, { knowledge_base_ids: ['knowledge_base_nope'] }), UnprocessableEntityError);
    await rejects(c.conversationFlow.create(FLOW({
      nodes: [{ id: 'start', type: 'conversation', instruction: { type: 'prompt', text: 'Hi.' }, knowledge_base_ids: ['knowledge_base_nope'] }],
    })), UnprocessableEntityError, /nodes\[0\]\.knowledge_base_ids\[0\]/);
    const flow = await c.conversationFlow.create(FLOW({ knowledge_base_ids: [id] }));

    const e = await rejects(c.knowledgeBase.delete(id), BadRequestError);
    assert.match(e.error.message, new RegExp(`is used by .*Retell LLM ${llm.llm_id} \\(version 0\\)`));
    assert.match(e.error.message, new RegExp(`conversation flow ${flow.conversation_flow_id} \\(version 0\\)`));
    await c.llm.update(llm.llm_id, { knowledge_base_ids: null });
    await c.conversationFlow.update(flow.conversation_flow_id, { knowledge_base_ids: [] });
    await c.knowledgeBase.delete(id);
    await rejects(c.knowledgeBase.retrieve(id), UnprocessableEntityError);
  });
});
