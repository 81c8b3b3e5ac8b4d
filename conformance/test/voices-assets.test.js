// Voices, assets, repair-agent and the account answers through the SDK.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, rejects, agentBody, assertAgent, APIError,
  BadRequestError, ConflictError, UnprocessableEntityError,
} from './harness.js';

let srv;
let c;
let cB;
before(async () => {
  srv = await startServer({ serveArgs: ['--concurrency-limit', '35'] });
  c = srv.clientA;
  cB = srv.clientB;
});
after(async () => { await srv?.stop(); });

const PROVIDERS = ['elevenlabs', 'openai', 'cartesia', 'minimax', 'fish_audio', 'inworld', 'platform'];

function assertVoice(v) {
  assert.equal(typeof v.voice_id, 'string');
  assert.equal(typeof v.voice_name, 'string');
  assert.ok(PROVIDERS.includes(v.provider), v.provider);
  assert.ok(['male', 'female'].includes(v.gender), v.gender);
  for (const k of ['accent', 'age', 'preview_audio_url']) if (k in v) assert.equal(typeof v[k], 'string', k);
}

// A WAV header: enough to be recognized as audio.
const WAV = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00', 'latin1');

describe('voices', () => {
  test('the built-in catalog has the voices the reference and the SDK use as examples', async () => {
    const list = await c.voice.list();
    list.forEach(assertVoice);
    const ids = list.map((v) => v.voice_id);
    for (const id of ['retell-Cimo', 'cartesia-Cimo', 'minimax-Cimo', '11labs-Adrian', 'openai-Alloy']) assert.ok(ids.includes(id), id);
    const cimo = await c.voice.retrieve('retell-Cimo');
    assertVoice(cimo);
    assert.equal(cimo.provider, 'platform');
    await rejects(c.voice.retrieve('11labs-Nobody'), UnprocessableEntityError, /^Cannot find requested asset under given api key/);
  });

  test('cloned and added voices belong to the workspace', async () => {
    const cloned = await c.voice.clone({ voice_name: 'Founder', voice_provider: 'elevenlabs', files: [new File([WAV], 'a.wav', { type: 'audio/wav' })] });
    assertVoice(cloned);
    assert.match(cloned.voice_id, /^custom_voice_[0-9a-f]{32}$/);
    assert.equal(cloned.voice_name, 'Founder');
    const added = await c.voice.addResource({ provider_voice_id: 'pNInz6obpgDQGcFmaJgB', voice_name: 'Adam', public_user_id: 'owner-1' });
    assertVoice(added);
    assert.equal(added.provider, 'elevenlabs');
    assert.equal(added.gender, 'male', 'a voice the library knows keeps its fields');
    assert.deepEqual(await c.voice.retrieve(cloned.voice_id), cloned);
    const mine = (await c.voice.list()).map((v) => v.voice_id);
    assert.ok(mine.includes(cloned.voice_id) && mine.includes(added.voice_id));
    await rejects(cB.voice.retrieve(cloned.voice_id), UnprocessableEntityError);
    assert.ok(!(await cB.voice.list()).some((v) => v.voice_id === cloned.voice_id));

    await rejects(c.voice.clone({ voice_name: 'x', voice_provider: 'minimax', files: [new File([WAV], 'a.wav'), new File([WAV], 'b.wav')] }),
      BadRequestError, /^files: minimax takes at most 1/);
    await rejects(c.voice.clone({ voice_name: 'x', voice_provider: 'elevenlabs', files: [new File(['hi'], 'a.txt', { type: 'text/plain' })] }),
      BadRequestError, /^files\[0\] \(a\.txt\): must be audio/);
    await rejects(c.voice.addResource({ provider_voice_id: 'abc', voice_name: 'x' }), BadRequestError, /^public_user_id: is required for elevenlabs/);
    await rejects(c.voice.addResource({ provider_voice_id: 'abc', voice_name: '' }), BadRequestError, /^voice_name/);
  });

  test('search-community-voice searches the built-in library', async () => {
    const r = await c.voice.search({ search_query: 'narration' });
    assert.ok(r.voices.length >= 2);
    for (const v of r.voices) {
      assert.equal(typeof v.provider_voice_id, 'string');
      assert.equal(typeof v.name, 'string');
      assert.match(v.description.toLowerCase(), /narration/);
    }
    const cartesia = await c.voice.search({ search_query: 'a', voice_provider: 'cartesia' });
    assert.ok(cartesia.voices.length > 0 && cartesia.voices.every((v) => v.public_user_id === undefined));
    assert.deepEqual((await c.voice.search({ search_query: 'zzzz-no-such-voice' })).voices, []);
    await rejects(c.voice.search({ search_query: 'x', voice_provider: 'openai' }), BadRequestError, /^voice_provider: must be one of/);
  });

  test("an agent's voice_id is not checked: a real team's custom voice keeps working", async () => {
    const a = await c.agent.create(agentBody({ voice_id: 'custom_voice_from_my_retell_account', fallback_voice_ids: ['11labs-Unknown'] }));
    assertAgent(a);
    assert.equal(a.voice_id, 'custom_voice_from_my_retell_account');
  });
});

describe('assets', () => {
  test('create-asset stores the file; hold music must name an audio asset of the workspace', async () => {
    const audio = await c.asset.create({ file: new File([WAV], 'hold.wav', { type: 'audio/wav' }) });
    assert.match(audio.asset_id, /^asset_[0-9a-f]{32}$/);
    assert.equal(audio.file_name, 'hold.wav');
    assert.equal(audio.content_type, 'audio/wav');
    assert.equal(audio.file_size, WAV.length);
    assert.ok(Math.abs(audio.created_timestamp - Date.now()) < 60_000);
    const bytes = await fetch(audio.url, { headers: { Authorization: `Bearer ${srv.keys.alpha}` } });
    assert.equal(bytes.status, 200);
    assert.deepEqual(Buffer.from(await bytes.arrayBuffer()), WAV);
    const image = await c.asset.create({ file: new File([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')], 'map.png') });
    assert.equal(image.content_type, 'image/png');

    const tool = (asset) => ({
      general_tools: [{
        type: 'transfer_call', name: 'to_desk', transfer_destination: { type: 'predefined', number: '+14155550100' },
        transfer_option: { type: 'warm_transfer', on_hold_music: 'custom', custom_on_hold_music_asset_id: asset },
      }],
    });
    const llm = await c.llm.create(tool(audio.asset_id));
    assert.equal(llm.general_tools[0].transfer_option.custom_on_hold_music_asset_id, audio.asset_id);
    await rejects(c.llm.create(tool('asset_none')), UnprocessableEntityError,
      /general_tools\[0\]\.transfer_option\.custom_on_hold_music_asset_id: no asset asset_none/);
    await rejects(cB.llm.create(tool(audio.asset_id)), UnprocessableEntityError);
    await rejects(c.llm.create(tool(image.asset_id)), BadRequestError, /image\/png, but an audio asset is required/);

    const tooBig = await rejects(c.asset.create({ file: new File([Buffer.alloc(10 * 1024 * 1024 + 1)], 'big.wav') }), APIError, /larger than the limit of 10 MiB/);
    assert.equal(tooBig.status, 413);
    await rejects(c.asset.create({ file: new File(['MZ'], 'tool.exe') }), BadRequestError, /must be an image .* or audio/);
  });
});

describe('repair-agent', () => {
  test('a draft is repaired (nothing to fix is a no-op); a published version is a 409', async () => {
    const a = await c.agent.create(agentBody({ voice_id: '11labs-Adrian' }));
    const repaired = await c.agent.repair(a.agent_id);
    assertAgent(repaired, { agentId: a.agent_id, version: 0, published: false });
    assert.deepEqual(repaired, await c.agent.retrieve(a.agent_id), 'nothing to fix: nothing changed');
    assert.equal(repaired.last_modification_timestamp, a.last_modification_timestamp);
    await c.agent.publish(a.agent_id, { version: 0 });
    await rejects(c.agent.repair(a.agent_id, { version: 0 }), ConflictError, /published and cannot be repaired/);
    await rejects(c.agent.repair(a.agent_id), ConflictError, /version 0/);
    await rejects(c.agent.repair('agent_missing'), UnprocessableEntityError);
    await rejects(cB.agent.repair(a.agent_id), UnprocessableEntityError);
  });
});

describe('account', () => {
  test('get-concurrency reports the configured limit and no ongoing calls', async () => {
    const r = await c.concurrency.retrieve();
    assert.equal(r.concurrency_limit, 35);
    assert.equal(r.base_concurrency, 35);
    assert.equal(r.current_concurrency, 0);
    assert.equal(r.purchased_concurrency, 0);
    assert.equal(r.concurrency_burst_enabled, false);
  });

  test("get-api-key-info names the calling key's workspace", async () => {
    const a = await c.identity.retrieve();
    const b = await cB.identity.retrieve();
    assert.equal(a.org_name, 'alpha');
    assert.equal(b.org_name, 'beta');
    assert.match(a.org_id, /^ws_[0-9a-f]{32}$/);
    assert.notEqual(a.org_id, b.org_id);
    assert.equal(a.api_key_name, null, 'keys made by `agentry keys create` have no label');
  });
});
