// Rules the reference states only in prose (docs/PROSE-RULES.md), through
// the official SDK: what a write stores, and rules across fields.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, agentBody, ENGINE, rejects, BadRequestError } from './harness.js';

let srv, c;
before(async () => { srv = await startServer(); c = srv.clientA; });
after(() => srv?.stop());

const TEN = ['en-US', 'es-ES', 'fr-FR', 'de-DE', 'hi-IN', 'ru-RU', 'pt-PT', 'ja-JP', 'it-IT', 'nl-NL'];

test('language "multi" is stored and returned as the ten locales it stands for', async () => {
  const a = await c.agent.create(agentBody({ language: 'multi' }));
  assert.deepEqual(a.language, TEN);
  assert.deepEqual((await c.agent.retrieve(a.agent_id)).language, TEN);
  const chat = await c.chatAgent.create({ response_engine: { ...ENGINE } });
  const u = await c.chatAgent.update(chat.agent_id, { language: 'multi' });
  assert.deepEqual(u.language, TEN);
  await rejects(c.agent.update(a.agent_id, { language: ['en-US', 'multi'] }), BadRequestError, /^language\[1\]/);
});

test('creating an agent defaults contact_memory_config to read, not update; a patch merges flags', async () => {
  const a = await c.agent.create(agentBody());
  assert.deepEqual(a.contact_memory_config, { enable_read: true, enable_update: false });
  const chat = await c.chatAgent.create({ response_engine: { ...ENGINE } });
  assert.deepEqual(chat.contact_memory_config, { enable_read: true, enable_update: false });
  const own = await c.agent.create(agentBody({ contact_memory_config: { enable_read: false } }));
  assert.deepEqual(own.contact_memory_config, { enable_read: false, enable_update: false });
  const u = await c.agent.update(a.agent_id, { contact_memory_config: { enable_update: true } });
  assert.deepEqual(u.contact_memory_config, { enable_read: true, enable_update: true });
});

test('enable_update needs the conversation stored and, on chat agents, end_chat_after_silence_ms', async () => {
  const a = await c.agent.create(agentBody());
  await rejects(c.agent.update(a.agent_id, { contact_memory_config: { enable_update: true }, data_storage_setting: 'basic_attributes_only' }),
    BadRequestError, /^contact_memory_config\.enable_update: cannot be true while data_storage_setting is basic_attributes_only/);
  await rejects(c.agent.create(agentBody({ contact_memory_config: { enable_update: true }, data_storage_setting: 'basic_attributes_only' })),
    BadRequestError, /^contact_memory_config\.enable_update/);
  const chat = await c.chatAgent.create({ response_engine: { ...ENGINE } });
  await rejects(c.chatAgent.update(chat.agent_id, { contact_memory_config: { enable_update: true } }),
    BadRequestError, /^contact_memory_config\.enable_update: cannot be true on a chat agent without end_chat_after_silence_ms/);
  const ok = await c.chatAgent.update(chat.agent_id, { contact_memory_config: { enable_update: true }, end_chat_after_silence_ms: 120000 });
  assert.equal(ok.contact_memory_config.enable_update, true);
  assert.deepEqual((await c.agent.retrieve(a.agent_id)).contact_memory_config, { enable_read: true, enable_update: false }, 'refused patches change nothing');
});
