// The audit log: every change, newest first, a page at a time, filtered by
// whatever filters the server's audit endpoint documents.

import {audit} from '../api.js';
import * as features from '../features.js';
import {h, replace, errorBox, loading, timeEl, unavailable, field, debounce} from '../dom.js';
import {actorText} from './taghistory.js';

const PAGING = ['limit', 'sort_order', 'pagination_key'];

function objectLink(e) {
  const id = e.object_id;
  if (!id) return h('span', {class: 'muted'}, '—');
  const text = [e.object_type, h('code', {}, id)];
  if (typeof id === 'string' && id.startsWith('agent_')) {
    const href = `#/agents/${encodeURIComponent(id)}${e.version !== undefined && e.version !== null ? `/v/${e.version}` : ''}`;
    return h('a', {href}, text[0] ? `${text[0]} ` : '', text[1]);
  }
  if (e.object_type && /phone/.test(e.object_type)) {
    return h('a', {href: `#/phone-numbers/${encodeURIComponent(id)}`}, `${e.object_type} `, text[1]);
  }
  return h('span', {}, e.object_type ? `${e.object_type} ` : '', text[1]);
}

export async function render(root, {query, signal}) {
  const heading = h('div', {class: 'heading'}, h('h1', {}, 'Audit log'));
  if (!features.has('audit')) {
    replace(root, heading, unavailable('The audit log', 'GET /agentry/v1/audit'));
    return null;
  }
  const filters = features.queryParams('audit').filter((p) => !PAGING.includes(p.name));
  const inputs = filters.map((p) => {
    const enumValues = p.schema && p.schema.enum;
    const el = enumValues
      ? h('select', {name: p.name}, h('option', {value: ''}, 'any'), enumValues.map((v) => h('option', {value: v}, v)))
      : h('input', {type: 'text', name: p.name, autocomplete: 'off', value: query.get(p.name) || ''});
    if (enumValues) el.value = query.get(p.name) || '';
    return {name: p.name, el, label: p.name.replace(/_/g, ' ')};
  });
  const body = h('tbody');
  const status = h('div', {'aria-live': 'polite'});
  const more = h('button', {type: 'button', hidden: true}, 'Show older entries');
  const form = inputs.length
    ? h('form', {class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); load(true); }},
      inputs.map((i) => field(i.label[0].toUpperCase() + i.label.slice(1), i.el)))
    : null;
  replace(root, heading, form, status, h('table', {class: 'list audit'},
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'When'), h('th', {scope: 'col'}, 'Who'), h('th', {scope: 'col'}, 'Action'),
      h('th', {scope: 'col'}, 'Object'), h('th', {scope: 'col'}, 'Request id'))),
    body), more);
  let key;
  let ctl = null;

  signal.addEventListener('abort', () => ctl && ctl.abort(), {once: true});
  async function load(reset) {
    if (signal.aborted) return; // a filter typed just before leaving
    if (ctl) ctl.abort();
    const mine = new AbortController();
    ctl = mine;
    const q = {limit: 50};
    for (const i of inputs) if (i.el.value.trim()) q[i.name] = i.el.value.trim();
    if (reset) {
      key = undefined;
      const remembered = new URLSearchParams(Object.entries(q).filter(([k]) => k !== 'limit'));
      history.replaceState(null, '', `#/audit${remembered.toString() ? `?${remembered}` : ''}`);
      replace(status, loading('Loading the audit log'));
    } else {
      q.pagination_key = key;
    }
    try {
      const {data} = await audit(q, mine.signal);
      if (mine !== ctl) return;
      if (reset) body.replaceChildren();
      replace(status);
      const items = data.items || [];
      if (reset && !items.length) replace(status, h('p', {class: 'empty'}, 'No entries.'));
      body.append(...items.map((e) => h('tr', {},
        h('td', {'data-label': 'When'}, timeEl(e.timestamp)),
        h('td', {'data-label': 'Who'}, actorText(e.actor)),
        h('td', {'data-label': 'Action'}, h('code', {}, e.action || '')),
        h('td', {'data-label': 'Object'}, objectLink(e)),
        h('td', {'data-label': 'Request id'}, h('code', {class: 'small'}, e.request_id || '')))));
      key = data.has_more ? data.pagination_key : undefined;
      more.hidden = !key;
    } catch (err) {
      if (err.name !== 'AbortError') replace(status, errorBox(err));
    }
  }
  const typed = debounce(() => load(true), 300);
  for (const i of inputs) i.el.addEventListener(i.el.tagName === 'SELECT' ? 'change' : 'input', typed);
  more.addEventListener('click', () => load(false));
  await load(true);
  return null;
}
