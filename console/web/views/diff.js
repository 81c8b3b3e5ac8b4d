// The diff of two versions of an agent, side by side: the server computes
// the changes (named items such as tools, states and nodes matched by name
// or id, the pinned engine included); the console labels each path with the
// names of the items it passes through and shows the old and new values.

import {agents} from '../api.js';
import * as features from '../features.js';
import {h, replace, errorBox, loading, json, unavailable, field} from '../dom.js';
import {findAgent} from './agent.js';
import {configOf} from './version.js';

const IDENTITY = ['tool_id', 'id', 'component_id', 'name', 'word', 'destination_state_name', 'destination_node_id'];
const OPS = {add: 'added', remove: 'removed', replace: 'changed'};

function identity(item) {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return null;
  for (const k of IDENTITY) if (typeof item[k] === 'string' && item[k]) return item[k];
  return null;
}

function tokens(pointer) {
  if (!pointer) return [];
  return pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// label writes a change's path with named items by name: a pointer's array
// indices are positions, which say little to a reader.
export function label(change, doc) {
  const parts = [];
  let node = doc;
  const toks = tokens(change.path);
  toks.forEach((t, i) => {
    const last = i === toks.length - 1;
    if (Array.isArray(node) && /^\d+$/.test(t)) {
      let name = identity(node[Number(t)]);
      if (last && change.op === 'remove') name = identity(change.from);
      if (last && change.op === 'add') name = identity(change.to);
      parts.push(name ? `“${name}”` : `[${t}]`);
      node = node[Number(t)];
    } else {
      parts.push(t);
      node = node && typeof node === 'object' ? node[t] : undefined;
    }
  });
  return parts.length ? parts.join(' › ') : '(the whole configuration)';
}

function cell(present, v) {
  if (!present) return h('span', {class: 'muted'}, '—');
  if (v !== null && typeof v === 'object') return h('pre', {class: 'value'}, json(v));
  return h('pre', {class: 'value'}, JSON.stringify(v));
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
  if (!features.has('diff')) {
    replace(root, top, unavailable('Comparing versions', 'GET /agentry/v1/agents/{agent_id}/diff'));
    return null;
  }
  if (!agent) {
    replace(root, top, errorBox({message: `No agent ${id} in this workspace.`}));
    return null;
  }
  const refs = h('datalist', {id: 'version-refs'});
  const from = h('input', {type: 'text', list: 'version-refs', required: true, value: query.get('from') || '',
    autocomplete: 'off', placeholder: 'e.g. 3, latest_published, prod'});
  const to = h('input', {type: 'text', list: 'version-refs', required: true, value: query.get('to') || '',
    autocomplete: 'off', placeholder: 'e.g. 5, latest, staging'});
  const out = h('div', {class: 'diff-out', 'aria-live': 'polite'});
  const form = h('form', {class: 'toolbar', onsubmit: (e) => { e.preventDefault(); compare(); }},
    field('From', from, 'a version number, latest, latest_published or a tag'), field('To', to),
    h('div', {class: 'field buttons-inline'},
      h('button', {type: 'submit', class: 'primary'}, 'Compare'),
      h('button', {type: 'button', onclick: () => { [from.value, to.value] = [to.value, from.value]; compare(); }}, 'Swap')),
    refs);
  replace(root, top, form, out);

  // The references a person is likely to want, offered as suggestions.
  agents.versions(id, {limit: 50}, signal).then(({data}) => {
    const opts = (data.items || []).map((v) => h('option', {value: String(v.version)},
      `v${v.version} ${v.is_published ? 'published' : 'draft'}${v.version_title ? ` – ${v.version_title}` : ''}`));
    const tagNames = Object.keys((agent && agent.tags) || {});
    replace(refs, h('option', {value: 'latest'}), h('option', {value: 'latest_published'}),
      tagNames.map((t) => h('option', {value: t}, `tag ${t}`)), opts);
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
      const fv = data.from && data.from.version;
      const tv = data.to && data.to.version;
      // The two configurations, to name the items a change's path passes through.
      const [a, b] = await Promise.all([fv, tv].map((n) => agents.get(agent.channel, id, n, signal)
        .then((r) => configOf(r.data)).catch(() => null)));
      show(data, fv, tv, a, b);
    } catch (err) {
      if (err.name !== 'AbortError') replace(out, errorBox(err));
    }
  }

  function show(data, fv, tv, a, b) {
    const changes = data.changes || [];
    const head = h('p', {class: 'summary'}, h('a', {href: `${base}/v/${fv}`}, `v${fv}`), ' → ',
      h('a', {href: `${base}/v/${tv}`}, `v${tv}`), `: ${changes.length} ${changes.length === 1 ? 'change' : 'changes'}`);
    if (!changes.length) {
      replace(out, head, h('p', {class: 'empty'}, 'The two versions have the same configuration.'));
      return;
    }
    replace(out, head, h('table', {class: 'diff'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Field'), h('th', {scope: 'col'}, `v${fv}`), h('th', {scope: 'col'}, `v${tv}`))),
      h('tbody', {}, changes.map((c) => h('tr', {class: `op-${c.op}`},
        h('th', {scope: 'row', 'data-label': 'Field'}, h('span', {class: 'op'}, OPS[c.op] || c.op), ' ',
          h('span', {class: 'path', title: c.path}, label(c, c.op === 'remove' ? a : b))),
        h('td', {class: 'from', 'data-label': `v${fv}`}, cell('from' in c, c.from)),
        h('td', {class: 'to', 'data-label': `v${tv}`}, cell('to' in c, c.to)))))));
  }

  if (from.value && to.value) await compare();
  return null;
}
