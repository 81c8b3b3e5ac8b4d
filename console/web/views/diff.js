// The diff of two versions of an agent, side by side. The server compares
// each side as {agent: <configuration>, engine: <the pinned engine
// version's configuration>} and answers a script of changes (JSON Pointer
// paths, named items matched by name or id). The console replays the script
// on the old side to name the items each path passes through (positions say
// little to a reader), groups the changes by agent and engine, and marks
// the words that changed in a changed text.

import {agents, engine, tags as tagsAPI} from '../api.js';
import {h, replace, errorBox, loading, json, field, chip, timeEl} from '../dom.js';
import {findAgent} from './agent.js';
import {configOf} from './version.js';
import {tokens, apply, wordDiff} from '../patch.js';

const OPS = {add: 'added', remove: 'removed', replace: 'changed'};
const ENGINES = {'retell-llm': 'Retell LLM', 'conversation-flow': 'Conversation flow'};

// itemName is how a person knows an item of a list: its name, else its id;
// an LLM state's edge by where it leads.
function itemName(item) {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return null;
  for (const k of ['name', 'tool_id', 'id', 'component_id', 'word']) {
    if (typeof item[k] === 'string' && item[k]) return `“${item[k]}”`;
  }
  if (typeof item.destination_state_name === 'string') return `edge to “${item.destination_state_name}”`;
  if (typeof item.destination_node_id === 'string') return `edge to “${item.destination_node_id}”`;
  return null;
}

// label writes a change's path (without its first token, agent or engine)
// with list items by name, reading doc, the document as the script has made
// it so far.
export function label(change, doc) {
  const toks = tokens(change.path);
  const parts = [];
  let node = doc;
  toks.forEach((t, i) => {
    const last = i === toks.length - 1;
    if (Array.isArray(node) && /^(\d+|-)$/.test(t)) {
      const item = last && change.op === 'add' ? change.to : node[Number(t)];
      parts.push(itemName(item) || `item ${t === '-' ? node.length : Number(t) + 1}`);
      node = node[Number(t)];
    } else {
      parts.push(t);
      node = node && typeof node === 'object' ? node[t] : undefined;
    }
  });
  return parts.slice(1).join(' › ') || (toks[0] === 'engine' ? '(the whole engine)' : '(the whole configuration)');
}

function plain(v) {
  return h('pre', {class: 'value'}, v !== null && typeof v === 'object' ? json(v) : JSON.stringify(v));
}

// cells are a change's old and new values; two texts show the words that
// changed.
function cells(c) {
  if (c.op === 'replace' && typeof c.from === 'string' && typeof c.to === 'string') {
    const d = wordDiff(c.from, c.to);
    if (d) {
      const side = (parts, tag) => h('pre', {class: 'value words'}, parts.map(([changed, text]) => changed ? h(tag, {}, text) : text));
      return [side(d.from, 'del'), side(d.to, 'ins')];
    }
  }
  return ['from' in c ? plain(c.from) : h('span', {class: 'muted'}, '—'), 'to' in c ? plain(c.to) : h('span', {class: 'muted'}, '—')];
}

function engineText(e) {
  if (!e) return h('span', {class: 'muted'}, 'none (custom LLM)');
  const text = `${ENGINES[e.type] || e.type} ${e.id} v${e.version}`;
  return e.missing ? [text, ' ', chip('deleted', 'draft')] : text;
}

// sideCard shows one side's version metadata: not compared, shown beside.
function sideCard(title, s, base) {
  return h('section', {class: 'side', 'aria-label': title},
    h('h2', {}, title, ' ', h('a', {href: `${base}/v/${s.version}`}, `v${s.version}`), ' ',
      s.is_published ? chip('published', 'published') : chip('draft', 'draft')),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Title'), h('dd', {}, s.version_title || h('span', {class: 'muted'}, '—')),
      h('dt', {}, 'Based on'), h('dd', {}, s.base_version === null || s.base_version === undefined ? 'nothing' : `v${s.base_version}`),
      h('dt', {}, 'Modified'), h('dd', {}, timeEl(s.last_modification_timestamp)),
      h('dt', {}, 'Engine'), h('dd', {}, engineText(s.engine))));
}

// sideDocument is one side as the server compares it.
async function sideDocument(agent, side, signal) {
  const [a, e] = await Promise.all([
    agents.get(agent.channel, agent.agent_id, side.version, signal).then((r) => configOf(r.data)),
    side.engine && !side.engine.missing
      ? engine(side.engine.type, side.engine.id, side.engine.version, signal).then((r) => r.data)
      : Promise.resolve(null),
  ]);
  return {agent: a, engine: e};
}

export async function render(root, {params, query, signal}) {
  const id = params.id;
  const base = `#/agents/${encodeURIComponent(id)}`;
  const agent = await findAgent(id, signal);
  const name = agent ? (agent.agent_name || id) : id;
  const top = [
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/agents'}, 'Agents'), ' / ',
      h('a', {href: base}, name), ' / '),
    h('div', {class: 'heading'}, h('h1', {}, 'Compare versions')),
  ];
  if (!agent) {
    replace(root, top, errorBox({message: `No agent ${id} in this workspace.`}));
    return null;
  }
  const refs = h('datalist', {id: 'version-refs'});
  const from = h('input', {type: 'text', list: 'version-refs', required: true, value: query.get('from') || '',
    autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. 3, latest_published, prod'});
  const to = h('input', {type: 'text', list: 'version-refs', required: true, value: query.get('to') || '',
    autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. 5, latest, staging'});
  const out = h('div', {class: 'diff-out', 'aria-live': 'polite'});
  const form = h('form', {class: 'toolbar', onsubmit: (e) => { e.preventDefault(); compare(); }},
    field('From', from, 'a version number, latest, latest_published or a tag'), field('To', to),
    h('div', {class: 'field buttons-inline'},
      h('button', {type: 'submit', class: 'primary'}, 'Compare'),
      h('button', {type: 'button', onclick: () => { [from.value, to.value] = [to.value, from.value]; compare(); }}, 'Swap')),
    refs);
  replace(root, top, form, out);

  // The references a person is likely to want, offered as suggestions.
  Promise.all([agents.versions(id, {limit: 50}, signal), tagsAPI.list(id, signal)]).then(([{data}, t]) => {
    const opts = (data.items || []).map((v) => h('option', {value: String(v.version)},
      `v${v.version} ${v.is_published ? 'published' : 'draft'}${v.version_title ? ` – ${v.version_title}` : ''}`));
    const tagNames = Object.keys((t.data && t.data.tags) || {}).sort();
    replace(refs, h('option', {value: 'latest'}), h('option', {value: 'latest_published'}),
      tagNames.map((n) => h('option', {value: n}, `tag ${n}`)), opts);
    if (!from.value && !to.value && data.items && data.items.length > 1) {
      to.value = String(data.items[0].version);
      from.value = String(data.items[0].base_version ?? data.items[1].version);
      compare();
    }
  }).catch(() => {});

  async function compare() {
    const f = from.value.trim();
    const t = to.value.trim();
    if (!f || !t || signal.aborted) return;
    history.replaceState(null, '', `${base}/diff?from=${encodeURIComponent(f)}&to=${encodeURIComponent(t)}`);
    replace(out, loading('Comparing'));
    try {
      const {data} = await agents.diff(id, f, t, signal);
      // The old side as the server compared it, to name the items on the
      // changes' paths; without it the paths show positions.
      const doc = await sideDocument(agent, data.from, signal).catch((err) => {
        if (err.name === 'AbortError') throw err;
        return {};
      });
      show(data, doc);
    } catch (err) {
      if (err.name !== 'AbortError') replace(out, errorBox(err));
    }
  }

  function show(data, doc) {
    const changes = data.changes || [];
    const fv = data.from.version;
    const tv = data.to.version;
    const sides = h('div', {class: 'sides'}, sideCard('From', data.from, base), sideCard('To', data.to, base));
    const head = h('p', {class: 'summary'}, `v${fv} → v${tv}: ${changes.length} ${changes.length === 1 ? 'change' : 'changes'}`);
    if (!changes.length) {
      replace(out, sides, head, h('p', {class: 'empty'}, 'The two versions have the same configuration and engine.'));
      return;
    }
    const rows = [];
    let group = null;
    let working = structuredClone(doc);
    for (const c of changes) {
      const section = tokens(c.path)[0];
      if (section !== group) {
        group = section;
        const e = data.to.engine || data.from.engine;
        rows.push(h('tr', {class: 'group'}, h('th', {colspan: '3', scope: 'colgroup'}, section === 'engine'
          ? ['Engine', e ? ` (${ENGINES[e.type] || e.type})` : '']
          : 'Agent configuration')));
      }
      const name = label(c, working);
      working = apply(working, c);
      const [a, b] = cells(c);
      rows.push(h('tr', {class: `op-${c.op}`},
        h('th', {scope: 'row', 'data-label': 'Field'}, h('span', {class: 'op'}, OPS[c.op] || c.op), ' ',
          h('span', {class: 'path', title: c.path}, name)),
        h('td', {class: 'from', 'data-label': `v${fv}`}, a),
        h('td', {class: 'to', 'data-label': `v${tv}`}, b)));
    }
    replace(out, sides, head, h('table', {class: 'diff'},
      h('caption', {class: 'sr-only'}, `Changes from v${fv} to v${tv}`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Field'), h('th', {scope: 'col'}, `v${fv}`), h('th', {scope: 'col'}, `v${tv}`))),
      h('tbody', {}, rows)));
  }

  if (from.value && to.value) await compare();
  return null;
}
