// Unknown fields in request bodies, in both modes: by default they are
// accepted, left out of what is stored and named in Agentry-Ignored-Fields
// (a client written against another revision of Retell's API works); with
// `serve --strict` they are a 400 that names them. Objects the reference
// closes (additionalProperties: false) refuse them in both modes.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, agentBody, ENGINE, rejects, assertRawError, BadRequestError, configOf,
} from './harness.js';

const IGNORED = 'agentry-ignored-fields';
const FLOW = {
  start_speaker: 'agent', model_choice: { type: 'cascading', model: 'gpt-5' },
  nodes: [{ id: 'start', type: 'end' }],
};

for (const mode of ['default', 'strict']) {
  const strict = mode === 'strict';

  describe(`unknown fields, ${mode} mode`, () => {
    let srv, c;
    before(async () => {
      srv = await startServer({ strict });
      c = srv.clientA;
    });
    after(() => srv?.stop());

    // expectIgnored sends one raw request and checks the answer of the mode:
    // 2xx naming exactly `fields` in the header, or a 400 naming the first
    // of them (the strict message names the unknown fields of the first
    // object that has some, the body itself first).
    async function expectIgnored(method, path, body, fields, okStatus) {
      const res = await srv.raw(method, path, { body });
      if (strict) {
        const [first] = fields;
        const at = first.includes('.') ? `^${first.slice(0, first.lastIndexOf('.'))}: ` : '^';
        assertRawError(res, 400, new RegExp(`${at}unknown fields? "${first.split('.').pop()}"`));
        return res;
      }
      assert.equal(res.status, okStatus, res.text);
      assert.equal(res.headers.get(IGNORED), fields.join(', '));
      return res;
    }

    test('create-agent: fields of an older revision, at the top and nested', async () => {
      const body = agentBody({
        enable_voicemail_detection: true,
        voicemail_option: { action: { type: 'hangup' }, detection_promt: 'x' },
      });
      const res = await expectIgnored('POST', '/create-agent', body,
        ['enable_voicemail_detection', 'voicemail_option.detection_promt'], 201);
      if (strict) return;
      const stored = await c.agent.retrieve(res.json.agent_id);
      assert.ok(!('enable_voicemail_detection' in stored), 'an ignored field is not stored');
      assert.deepEqual(stored.voicemail_option, { action: { type: 'hangup' } }, 'the rest of the object is');
    });

    test('the SDK passes unknown fields through: they are ignored, or refused in strict mode', async () => {
      const call = c.agent.create(agentBody({ voice_idd: 'retell-Cimo', agnet_name: 'b' }));
      if (strict) {
        const e = await rejects(call, BadRequestError, /unknown fields "agnet_name", "voice_idd"/);
        assert.equal(e.status, 400);
        return;
      }
      const a = await call;
      assert.ok(!('voice_idd' in a) && !('agnet_name' in a));
    });

    test('update-agent: a patch keeps its known fields, drops the unknown ones', async () => {
      const a = await c.agent.create(agentBody({ agent_name: 'Stable' }));
      const res = await expectIgnored('PATCH', `/update-agent/${a.agent_id}`,
        { agent_name: 'Renamed', agent_nmae: 'typo', response_engine: { ...ENGINE, llm_id: 'llm_x' } },
        ['agent_nmae', 'response_engine.llm_id'], 200);
      const got = await c.agent.retrieve(a.agent_id);
      if (strict) {
        assert.equal(got.agent_name, 'Stable', 'a refused patch changes nothing');
        return;
      }
      assert.equal(res.json.agent_name, 'Renamed');
      assert.deepEqual(got.response_engine, ENGINE);
      assert.ok(!('agent_nmae' in got));
    });

    test('chat agents, Retell LLMs and conversation flows', async () => {
      await expectIgnored('POST', '/create-chat-agent', { response_engine: { ...ENGINE }, voice_id: 'retell-Cimo' }, ['voice_id'], 201);
      await expectIgnored('POST', '/create-retell-llm', { general_promt: 'x', general_prompt: 'y' }, ['general_promt'], 201);
      await expectIgnored('POST', '/create-conversation-flow', { ...FLOW, global_promt: 'x' }, ['global_promt'], 201);
      const llm = await c.llm.create({ general_prompt: 'y' });
      await expectIgnored('PATCH', `/update-retell-llm/${llm.llm_id}`, { states_count: 2 }, ['states_count'], 200);
    });

    test('request bodies that are not configurations: publish and the list filter', async () => {
      const a = await c.agent.create(agentBody());
      await expectIgnored('POST', `/publish-agent-version/${a.agent_id}`, { version: 0, title: 'typo' }, ['title'], 200);
      assert.equal((await c.agent.retrieve(a.agent_id)).is_published, !strict);
      await expectIgnored('POST', '/v2/list-agents', { filter_criteria: { query: '', owner: 'me' } }, ['filter_criteria.owner'], 200);
    });

    test('objects the reference closes refuse unknown fields in both modes', async () => {
      const a = await c.agent.create(agentBody());
      await rejects(c.agent.update(a.agent_id, { contact_memory_config: { enable_write: true } }),
        BadRequestError, /^contact_memory_config: unknown field "enable_write"/);
      await rejects(c.agent.update(a.agent_id, { call_screening_option: { agent_identity: 'a', call_purpose: 'b', tone: 'x' } }),
        BadRequestError, /^call_screening_option: unknown field "tone"/);
      await rejects(c.agent.createVersion(a.agent_id, { base_version: 0, agent_name: 'x' }),
        BadRequestError, /unknown field "agent_name"/);
      const got = await c.agent.retrieve(a.agent_id);
      assert.ok(!('call_screening_option' in got));
      assert.equal((await c.agent.getVersions(a.agent_id)).length, 1);
    });

    test('a request with nothing unknown names nothing', async () => {
      const res = await srv.raw('POST', '/create-agent', { body: agentBody() });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get(IGNORED), null);
      assert.ok(configOf(res.json).voice_id);
    });
  });
}
