// One version of an agent: its metadata, its configuration (readable, in
// groups, and as JSON), and what can be done with it: branch a draft from
// it, edit and publish a draft, compare it, point a tag at it.

import {agents, call} from '../api.js';
import {h, replace, errorBox, loading, timeEl, chip, json, toast, busy} from '../dom.js';
import {openEditor} from './editor.js';
import {publishDialog} from './publish.js';
import {moveTagDialog, RELOAD} from './tags.js';

// META are the fields of a version response that are not configuration.
export const META = ['agent_id', 'version', 'is_published', 'base_version', 'version_title', 'version_description',
  'last_modification_timestamp', 'assigned_tags'];

export function configOf(v) {
  const out = {};
  for (const [k, val] of Object.entries(v)) if (!META.includes(k)) out[k] = val;
  return out;
}

// groups sort configuration fields into sections a person reads; a field no
// rule names goes to General.
const groups = [
  ['Response engine', /^response_engine$/],
  ['Voice', /^(voice_|fallback_voice|ambient_|backchannel|enable_backchannel|pronunciation|normalize_for_speech|volume)/],
  ['Speech and turn-taking', /^(language|responsiveness|interruption|begin_message|reminder_|boosted_keywords|stt_|vocab|denoising|enable_dynamic)/],
  ['Call handling', /^(end_call|end_chat|max_call|voicemail|ring_duration|call_screening|allow_user_dtmf|user_dtmf|ivr|handbook)/],
  ['Webhooks', /webhook/],
  ['Analysis', /analysis/],
  ['Data and privacy', /^(data_storage|opt_in|opt_out|pii|signed_url|contact_memory)/],
];

function groupOf(name) {
  for (const [title, re] of groups) if (re.test(name)) return title;
  return 'General';
}

function value(v) {
  if (v === null) return h('span', {class: 'muted'}, 'null');
  if (typeof v === 'string') return v === '' ? h('span', {class: 'muted'}, '(empty)') : h('span', {class: 'text'}, v);
  if (typeof v !== 'object') return h('code', {}, String(v));
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) {
    return v.length ? h('span', {}, v.join(', ')) : h('span', {class: 'muted'}, '(none)');
  }
  return h('pre', {class: 'value'}, json(v));
}

// readable is the configuration as grouped name–value lists.
export function readable(config) {
  const bySection = new Map([['General', []], ...groups.map(([t]) => [t, []])]);
  for (const name of Object.keys(config).sort()) bySection.get(groupOf(name)).push(name);
  const out = [];
  for (const [title, names] of bySection) {
    if (!names.length) continue;
    out.push(h('section', {class: 'group'}, h('h3', {}, title),
      h('dl', {}, names.map((n) => [h('dt', {}, n), h('dd', {}, value(config[n]))]))));
  }
  return out.length ? out : [h('p', {class: 'muted'}, 'No configuration fields are set.')];
}

// engineDetails loads the pinned LLM or flow version when opened.
function engineDetails(engine, signal) {
  if (!engine || (engine.type !== 'retell-llm' && engine.type !== 'conversation-flow')) return null;
  const llm = engine.type === 'retell-llm';
  const id = llm ? engine.llm_id : engine.conversation_flow_id;
  if (!id) return null;
  const body = h('div', {}, loading());
  let loaded = false;
  const details = h('details', {class: 'engine'},
    h('summary', {}, `${llm ? 'Retell LLM' : 'Conversation flow'} ${id}`,
      engine.version === undefined ? '' : ` version ${engine.version}`),
    body);
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const path = llm ? `/get-retell-llm/${encodeURIComponent(id)}` : `/get-conversation-flow/${encodeURIComponent(id)}`;
      const {data} = await call('GET', path, {query: {version: engine.version}, signal});
      replace(body, h('pre', {class: 'json'}, json(data)));
    } catch (err) {
      if (err.name !== 'AbortError') replace(body, errorBox(err));
    }
  });
  return details;
}

// preferredMode is how the configuration was last shown (readable or json):
// a person who reads JSON keeps reading JSON from version to version.
let preferredMode = 'readable';

// renderVersion fills container with version n of ctx.agent.
export async function renderVersion(container, ctx) {
  const {agent, version: n, signal, base, changed, tagMap} = ctx;
  replace(container, loading(`Loading version ${n}`));
  let v;
  let etag;
  try {
    ({data: v, etag} = await agents.get(agent.channel, agent.agent_id, n, signal));
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    replace(container, errorBox(err));
    return;
  }
  const draft = !v.is_published;
  const status = h('div', {'aria-live': 'polite'});
  const configArea = h('div', {class: 'config'});
  let mode = preferredMode;

  const tabReadable = h('button', {type: 'button', class: 'tab', 'aria-pressed': 'true'}, 'Readable');
  const tabJSON = h('button', {type: 'button', class: 'tab', 'aria-pressed': 'false'}, 'JSON');
  function drawConfig() {
    tabReadable.setAttribute('aria-pressed', String(mode === 'readable'));
    tabJSON.setAttribute('aria-pressed', String(mode === 'json'));
    const config = configOf(v);
    if (mode === 'json') {
      replace(configArea, h('pre', {class: 'json', tabindex: '0', 'aria-label': 'Configuration as JSON'}, json(config)));
    } else {
      replace(configArea, readable(config), engineDetails(config.response_engine, signal));
    }
  }
  tabReadable.addEventListener('click', () => { mode = preferredMode = 'readable'; drawConfig(); });
  tabJSON.addEventListener('click', () => { mode = preferredMode = 'json'; drawConfig(); });

  const tabs = h('div', {class: 'tabs', role: 'group', 'aria-label': 'Show the configuration as'}, tabReadable, tabJSON);
  const actions = h('div', {class: 'actions'});
  const branch = h('button', {type: 'button'}, `New draft from v${n}`);
  branch.addEventListener('click', () => busy(branch, (async () => {
    try {
      const {data} = await agents.branch(agent.agent_id, n);
      toast(`Draft v${data.version} created from v${n}.`);
      await changed(data.version);
    } catch (err) {
      replace(status, errorBox(err));
    }
  })()));
  actions.append(branch);
  if (draft) {
    const edit = h('button', {type: 'button'}, 'Edit configuration');
    edit.addEventListener('click', () => {
      replace(status);
      // While the editor is open, switching views would drop the edit.
      tabs.hidden = true;
      openEditor(configArea, {
        agent, version: v, etag,
        saved: async (next, nextEtag, ignored) => {
          v = next;
          etag = nextEtag;
          toast(ignored ? `Draft v${n} saved. The server ignored: ${ignored}.` : `Draft v${n} saved.`);
          await changed();
        },
        cancelled: () => { tabs.hidden = false; drawConfig(); edit.focus(); },
        reload: () => changed(),
      });
    });
    const publish = h('button', {type: 'button', class: 'primary'}, 'Publish…');
    publish.addEventListener('click', async () => {
      replace(status);
      const outcome = await publishDialog({agent, version: v, etag});
      if (outcome === 'published') {
        toast(`Version ${n} is published.`);
        await changed();
      } else if (outcome === 'reload') {
        await changed();
      }
    });
    actions.append(edit, publish);
  }
  if (v.base_version !== null && v.base_version !== undefined) {
    actions.append(h('a', {class: 'button', href: `${base}/diff?from=${v.base_version}&to=${n}`},
      `Compare with v${v.base_version}`));
  }
  const tagButton = h('button', {type: 'button'}, 'Point a tag here…');
  tagButton.addEventListener('click', async () => {
    const done = await moveTagDialog({agent, tagMap, version: n});
    if (done && done !== RELOAD) toast(done);
    if (done) await changed();
  });
  actions.append(tagButton);

  // assigned_tags: the tags that hold this version, most recently assigned
  // first; the first is the preferred one, whose variables resolve applies.
  const tagNames = v.assigned_tags || [];
  replace(container,
    h('div', {class: 'heading'},
      h('h2', {}, `Version ${n} `, draft ? chip('draft', 'draft') : chip('published', 'published'))),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Based on'), h('dd', {}, v.base_version === null || v.base_version === undefined
        ? 'nothing (the first version)'
        : h('a', {href: `${base}/v/${v.base_version}`}, `v${v.base_version}`)),
      h('dt', {}, 'Title'), h('dd', {}, v.version_title || h('span', {class: 'muted'}, '—')),
      h('dt', {}, 'Description'), h('dd', {}, v.version_description || h('span', {class: 'muted'}, '—')),
      h('dt', {}, draft ? 'Last edited' : 'Published'), h('dd', {}, timeEl(v.last_modification_timestamp)),
      h('dt', {}, 'Tags'), h('dd', {}, tagNames.length
        ? [tagNames.map((t) => chip(t, 'tag')), tagNames.length > 1 ? h('span', {class: 'muted small'}, `${tagNames[0]} is preferred (assigned last)`) : null]
        : h('span', {class: 'muted'}, 'none'))),
    actions,
    status,
    tabs,
    configArea);
  drawConfig();
}
