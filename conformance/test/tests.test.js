// Test case definitions, batch tests and their runs, through client.tests,
// on a server whose batch tests run through the example test runner, and
// on one with no runner.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, rejects, sleep,
  BadRequestError, NotFoundError, UnprocessableEntityError,
} from './harness.js';
import { startRunner } from './example-runner.js';

const LLM = Object.freeze({
  general_prompt: 'You answer the front desk of {{clinic}}. Offer Tuesday slots first.',
  start_speaker: 'agent',
});

function assertDefinition(d) {
  assert.match(d.test_case_definition_id, /^test_case_definition_[0-9a-f]+$/);
  assert.equal(d.type, 'simulation');
  for (const k of ['name', 'user_prompt', 'llm_model']) assert.equal(typeof d[k], 'string', k);
  assert.ok(Array.isArray(d.metrics) && Array.isArray(d.tool_mocks), 'metrics and tool_mocks are arrays');
  assert.equal(typeof d.dynamic_variables, 'object');
  assert.ok(Number.isInteger(d.creation_timestamp) && Number.isInteger(d.user_modified_timestamp));
  assert.ok(Math.abs(d.creation_timestamp - Date.now()) < 10 * 60_000, 'timestamps are milliseconds');
}

function assertBatch(b) {
  assert.match(b.test_case_batch_job_id, /^test_case_batch_job_[0-9a-f]+$/);
  assert.ok(['in_progress', 'complete'].includes(b.status), `status ${b.status}`);
  for (const k of ['pass_count', 'fail_count', 'error_count', 'total_count', 'creation_timestamp', 'user_modified_timestamp']) {
    assert.ok(Number.isInteger(b[k]) && b[k] >= 0, `${k}: ${b[k]}`);
  }
  assert.ok(Number.isInteger(b.response_engine.version), 'the batch names the engine version it ran against');
}

// waitComplete polls getBatchTest as a client of Retell would, recording
// every status it sees.
async function waitComplete(c, id) {
  const seen = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(25)) {
    const b = await c.tests.getBatchTest(id);
    assertBatch(b);
    if (seen.at(-1) !== b.status) seen.push(b.status);
    if (b.status === 'complete') return { batch: b, seen };
  }
  assert.fail(`batch ${id} did not complete within 20 s`);
}

describe('batch tests through the example runner', () => {
  let runner;
  let srv;
  let c;
  let llm;
  let engine;
  before(async () => {
    runner = await startRunner();
    srv = await startServer({ serveArgs: ['--test-runner-url', runner.url] });
    c = srv.clientA;
    llm = await c.llm.create(LLM);
    engine = { type: 'retell-llm', llm_id: llm.llm_id };
  });
  after(async () => { await srv?.stop(); await runner?.stop(); });

  test('a definition is created with defaults, read, updated by PUT, listed and deleted', async () => {
    const d = await c.tests.createTestCaseDefinition({
      name: 'Books on Tuesday', response_engine: engine, user_prompt: 'You want a cleaning.',
      metrics: ['prompt contains: tuesday'],
    });
    assertDefinition(d);
    assert.deepEqual(d.response_engine, engine);
    assert.deepEqual(d.dynamic_variables, {});
    assert.deepEqual(d.tool_mocks, []);
    assert.equal(d.llm_model, 'gpt-4.1');
    assert.deepEqual(await c.tests.getTestCaseDefinition(d.test_case_definition_id), d);

    const up = await c.tests.updateTestCaseDefinition(d.test_case_definition_id, {
      dynamic_variables: { clinic: 'Northside' },
      tool_mocks: [{ tool_name: 'book', input_match_rule: { type: 'partial_match', args: { day: 'tue' } }, output: '{"ok":true}' }],
    });
    assertDefinition(up);
    assert.equal(up.name, 'Books on Tuesday', 'a PUT keeps the fields it does not send');
    assert.deepEqual(up.dynamic_variables, { clinic: 'Northside' });
    assert.equal(up.tool_mocks[0].input_match_rule.args.day, 'tue');
    assert.ok(up.user_modified_timestamp >= d.user_modified_timestamp);

    const list = await c.tests.listTestCaseDefinitions({ type: 'retell-llm', llm_id: llm.llm_id });
    assert.ok(list.items.some((x) => x.test_case_definition_id === d.test_case_definition_id));
    await c.tests.deleteTestCaseDefinition(d.test_case_definition_id);
    await rejects(c.tests.getTestCaseDefinition(d.test_case_definition_id), NotFoundError);
    await rejects(c.tests.deleteTestCaseDefinition(d.test_case_definition_id), NotFoundError);
    await rejects(c.tests.updateTestCaseDefinition(d.test_case_definition_id, { name: 'x' }), NotFoundError);
  });

  test('definitions list by engine, page by page', async () => {
    const other = await c.llm.create(LLM);
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const d = await c.tests.createTestCaseDefinition({
        name: `page ${i}`, response_engine: { type: 'retell-llm', llm_id: other.llm_id }, user_prompt: 'u', metrics: [],
      });
      ids.push(d.test_case_definition_id);
    }
    const got = [];
    let key;
    for (;;) {
      const page = await c.tests.listTestCaseDefinitions({ type: 'retell-llm', llm_id: other.llm_id, limit: 2, pagination_key: key });
      assert.ok(page.items.length <= 2);
      got.push(...page.items.map((d) => d.test_case_definition_id));
      if (!page.has_more) { assert.equal(page.pagination_key, undefined); break; }
      key = page.pagination_key;
    }
    assert.deepEqual(got, [...ids].reverse(), 'newest first, each once');
    const flowList = await c.tests.listTestCaseDefinitions({ type: 'conversation-flow', conversation_flow_id: 'conversation_flow_none' });
    assert.deepEqual(flowList, { items: [], has_more: false });
  });

  test('a batch runs through the runner and reports each outcome', async () => {
    const cases = [
      ['pass', ['prompt contains: {{clinic}}', 'prompt contains: tuesday']],
      ['fail', ['prompt contains: saturday']],
      ['error', ['books a slot']],
    ];
    const ids = [];
    for (const [name, metrics] of cases) {
      const d = await c.tests.createTestCaseDefinition({ name, response_engine: engine, user_prompt: `I am ${name}.`, metrics });
      ids.push(d.test_case_definition_id);
    }
    const b = await c.tests.createBatchTest({ response_engine: engine, test_case_definition_ids: ids });
    assertBatch(b);
    assert.equal(b.status, 'in_progress');
    assert.equal(b.total_count, 3);
    assert.deepEqual(b.response_engine, { ...engine, version: 0 }, 'no version: the latest, named in the answer');

    const { batch, seen } = await waitComplete(c, b.test_case_batch_job_id);
    assert.equal(seen.at(-1), 'complete');
    assert.deepEqual([batch.pass_count, batch.fail_count, batch.error_count], [1, 1, 1]);
    assert.ok(batch.user_modified_timestamp >= b.user_modified_timestamp);

    const runs = await c.tests.listTestRuns(b.test_case_batch_job_id);
    assert.deepEqual(runs.items.map((r) => r.status), ['pass', 'fail', 'error'], 'runs in the order of the ids');
    for (const [i, r] of runs.items.entries()) {
      assert.match(r.test_case_job_id, /^test_case_job_[0-9a-f]+$/);
      assert.equal(r.test_case_definition_id, ids[i]);
      assert.equal(r.test_case_definition_snapshot.test_case_definition_id, ids[i]);
      assert.equal(typeof r.result_explanation, 'string');
      assert.deepEqual(r.transcript_snapshot, { turns: [{ role: 'user', content: `I am ${cases[i][0]}.` }] });
      assert.deepEqual(await c.tests.getTestRun(r.test_case_job_id), r);
    }
    assert.match(runs.items[1].result_explanation, /saturday.*did not hold/);
    assert.match(runs.items[2].result_explanation, /cannot judge/);
  });

  test('a run keeps the definition as it was when the batch was made', async () => {
    const d = await c.tests.createTestCaseDefinition({ name: 'snap', response_engine: engine, user_prompt: 'before', metrics: ['prompt lacks: monday'] });
    const b = await c.tests.createBatchTest({ response_engine: engine, test_case_definition_ids: [d.test_case_definition_id] });
    await c.tests.updateTestCaseDefinition(d.test_case_definition_id, { user_prompt: 'after' });
    await c.tests.deleteTestCaseDefinition(d.test_case_definition_id);
    await waitComplete(c, b.test_case_batch_job_id);
    const [run] = (await c.tests.listTestRuns(b.test_case_batch_job_id)).items;
    assert.equal(run.test_case_definition_snapshot.user_prompt, 'before');
    assert.equal(run.status, 'pass');
  });

  test('batches list by engine version; the latest by default', async () => {
    const own = await c.llm.create(LLM);
    const ref = { type: 'retell-llm', llm_id: own.llm_id };
    const d = await c.tests.createTestCaseDefinition({ name: 'v', response_engine: ref, user_prompt: 'u', metrics: [] });
    const v0 = await c.tests.createBatchTest({ response_engine: ref, test_case_definition_ids: [d.test_case_definition_id] });
    const agent = await c.agent.create({ voice_id: 'retell-Cimo', response_engine: ref });
    await c.agent.createVersion(agent.agent_id, { base_version: 0 }); // the LLM gets version 1
    const v1 = await c.tests.createBatchTest({ response_engine: ref, test_case_definition_ids: [d.test_case_definition_id] });
    assert.equal(v1.response_engine.version, 1);
    const latest = await c.tests.listBatchTests({ type: 'retell-llm', llm_id: own.llm_id });
    assert.deepEqual(latest.items.map((b) => b.test_case_batch_job_id), [v1.test_case_batch_job_id]);
    const first = await c.tests.listBatchTests({ type: 'retell-llm', llm_id: own.llm_id, version: 0 });
    assert.deepEqual(first.items.map((b) => b.test_case_batch_job_id), [v0.test_case_batch_job_id]);
    first.items.forEach(assertBatch);
  });

  test('bad requests name the field; missing assets are 422 and 404 as the reference says', async () => {
    await rejects(c.tests.createTestCaseDefinition({ response_engine: engine, user_prompt: 'u', metrics: [] }), BadRequestError, /name: is required/);
    await rejects(c.tests.createTestCaseDefinition({
      name: 'n', response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x' }, user_prompt: 'u', metrics: [],
    }), BadRequestError, /response_engine\.type/);
    await rejects(c.tests.createTestCaseDefinition({
      name: 'n', response_engine: { type: 'retell-llm', llm_id: 'llm_missing' }, user_prompt: 'u', metrics: [],
    }), UnprocessableEntityError, /llm_missing/);
    await rejects(c.tests.createBatchTest({ response_engine: engine, test_case_definition_ids: [] }), BadRequestError, /test_case_definition_ids/);
    await rejects(c.tests.createBatchTest({ response_engine: engine, test_case_definition_ids: ['test_case_definition_nope'] }),
      UnprocessableEntityError, /test_case_definition_nope/);
    await rejects(c.tests.listTestCaseDefinitions({ type: 'retell-llm' }), BadRequestError, /llm_id: is required/);
    await rejects(c.tests.getBatchTest('test_case_batch_job_missing'), NotFoundError);
    await rejects(c.tests.getTestRun('test_case_job_missing'), NotFoundError);
    await rejects(c.tests.listTestRuns('test_case_batch_job_missing'), NotFoundError);
  });

  test("another workspace's tests answer like missing ones", async () => {
    const d = await c.tests.createTestCaseDefinition({ name: 'mine', response_engine: engine, user_prompt: 'u', metrics: [] });
    const b = await c.tests.createBatchTest({ response_engine: engine, test_case_definition_ids: [d.test_case_definition_id] });
    const cB = srv.clientB;
    await rejects(cB.tests.getTestCaseDefinition(d.test_case_definition_id), NotFoundError);
    await rejects(cB.tests.getBatchTest(b.test_case_batch_job_id), NotFoundError);
    await rejects(cB.tests.createBatchTest({ response_engine: engine, test_case_definition_ids: [d.test_case_definition_id] }),
      UnprocessableEntityError);
    assert.deepEqual((await cB.tests.listTestCaseDefinitions({ type: 'retell-llm', llm_id: llm.llm_id })).items, []);
  });
});

describe('batch tests without a runner', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  test('every run ends in error saying no runner is configured, never as passed', async () => {
    const c = srv.clientA;
    const flow = await c.conversationFlow.create({
      start_speaker: 'agent', model_choice: { type: 'cascading', model: 'gpt-4.1' }, nodes: [{ id: 'a', type: 'end' }],
    });
    const engine = { type: 'conversation-flow', conversation_flow_id: flow.conversation_flow_id };
    const ids = [];
    for (const name of ['a', 'b']) {
      ids.push((await c.tests.createTestCaseDefinition({ name, response_engine: engine, user_prompt: 'u', metrics: ['prompt lacks: x'] })).test_case_definition_id);
    }
    const b = await c.tests.createBatchTest({ response_engine: engine, test_case_definition_ids: ids });
    const { batch } = await waitComplete(c, b.test_case_batch_job_id);
    assert.deepEqual([batch.pass_count, batch.fail_count, batch.error_count], [0, 0, 2]);
    for (const r of (await c.tests.listTestRuns(b.test_case_batch_job_id)).items) {
      assert.equal(r.status, 'error');
      assert.match(r.result_explanation, /no test runner is configured/);
      assert.match(r.result_explanation, /--test-runner-url/);
    }
  });
});
