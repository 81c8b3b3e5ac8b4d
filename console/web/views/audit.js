// The audit log: every change, newest first, a page at a time, filtered by
// the query parameters the audit endpoint documents (object_type,
// object_id, actor, action, since, until), kept in the address.

import {audit} from '../api.js';
import {h, replace, errorBox, loading, timeEl, field, debounce, json} from '../dom.js';
import {actorText} from './taghistory.js';

const PAGE = 50;

// OBJECT_TYPES are the object types of audit entries.
export const OBJECT_TYPES = ['agent', 'retell_llm', 'conversation_flow', 'phone_number', 'knowledge_base',
  'conversation_flow_component', 'voice', 'asset', 'app', 'test_case_definition', 'batch_test', 'api_key', 'webhook',
  'webhook_delivery', 'audit_log'];

// ACTIONS is the catalogue of actions (docs/API.md, "Audit log"), offered
// as suggestions; the filter also takes a prefix ending in .* .
export const ACTIONS = ['agent.created', 'agent.updated', 'agent.deleted', 'agent_version.created',
  'agent_version.published', 'agent_version.deleted', 'tag.moved', 'tag.reverted', 'tag.deleted',
  'phone_number.created', 'phone_number.updated', 'phone_number.routing_changed', 'phone_number.deleted',
  'knowledge_base.created', 'knowledge_base.sources_added', 'knowledge_base.source_deleted', 'knowledge_base.deleted',
  'conversation_flow_component.created', 'conversation_flow_component.updated', 'conversation_flow_component.deleted',
  'voice.created', 'asset.created', 'app.created', 'app.updated', 'app.deleted',
  'test_case_definition.created', 'test_case_definition.updated', 'test_case_definition.deleted', 'batch_test.created',
  'api_key.created', 'api_key.revoked', 'webhook.created', 'webhook.updated', 'webhook.deleted',
  'webhook_delivery.retried', 'audit_log.pruned', 'retell_llm.created', 'retell_llm.updated', 'retell_llm.deleted',
  'conversation_flow.created', 'conversation_flow.updated', 'conversation_flow.deleted'];

function objectLink(e) {
  const id = e.object_id;
  if (!id) return h('span', {class: 'muted'}, e.object_type || '—');
  const code = h('code', {}, id);
  if (e.object_type === 'agent') {
    const v = e.version !== undefined && e.version !== null ? `/v/${e.version}` : '';
    return h('a', {href: `#/agents/${encodeURIComponent(id)}${v}`}, 'agent ', code, v ? ` v${e.version}` : '');
  }
  if (e.object_type === 'phone_number') {
    return h('a', {href: `#/phone-numbers/${encodeURIComponent(id)}`}, 'number ', code);
  }
  return h('span', {}, `${e.object_type} `, code, e.version !== undefined && e.version !== null ? ` v${e.version}` : '');
}

function engineRef(e) {
  if (!e || typeof e !== 'object') return String(e);
  return [e.type, e.id || e.llm_id || e.conversation_flow_id, e.version !== undefined ? `v${e.version}` : ''].filter(Boolean).join(' ');
}

// summary says in a line what an entry changed, where its details allow.
function summary(e) {
  const d = e.details || {};
  if (e.action.startsWith('tag.') && d.tag) {
    const v = (x) => (x === null || x === undefined ? 'unassigned' : `v${x}`);
    const what = e.action === 'tag.deleted' ? `${d.tag} deleted` : `${d.tag}: ${d.dynamic_variables_before === null ? 'new' : v(d.version_before)} → ${v(d.version_after)}`;
    return [what, d.revert_of ? ` (revert of #${d.revert_of})` : '', d.reason ? ` — “${d.reason}”` : ''].join('');
  }
  if (e.paths && e.paths.length) return e.paths.join(', ');
  if (e.action === 'agent_version.published' && d.version_title) return `“${d.version_title}”`;
  if (e.action === 'agent_version.created' && d.base_version !== undefined) return `from v${d.base_version}`;
  if (e.action.endsWith('.created') && d.kind) return `${d.kind}${e.object_type === 'agent' ? ' agent' : ''}${d.engine ? `, engine ${engineRef(d.engine)}` : ''}`;
  return '';
}

function detailsCell(e) {
  const text = summary(e);
  const rest = {};
  if (e.details) rest.details = e.details;
  if (e.paths) rest.paths = e.paths;
  return [text ? h('span', {}, text) : null,
    Object.keys(rest).length ? h('details', {class: 'entry'}, h('summary', {}, 'All details'), h('pre', {class: 'value'}, json(rest))) : null];
}

// toTime turns a datetime-local value into milliseconds since the epoch
// (the API takes those or RFC 3339); '' stays ''.
function toTime(value) {
  if (!value) return '';
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? String(ms) : '';
}

// fromTime shows milliseconds from the address in a datetime-local field.
function fromTime(ms) {
  const n = Number(ms);
  if (!ms || !Number.isFinite(n)) return '';
  const d = new Date(n - new Date(n).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 19);
}

export async function render(root, {query, signal}) {
  const heading = h('div', {class: 'heading'}, h('h1', {}, 'Audit log'));
  const objectType = h('select', {name: 'object_type'}, h('option', {value: ''}, 'Any'),
    OBJECT_TYPES.map((t) => h('option', {value: t}, t.replace(/_/g, ' '))));
  objectType.value = query.get('object_type') || '';
  const text = (name, attrs = {}) => h('input', {type: 'text', name, autocomplete: 'off', spellcheck: 'false',
    value: query.get(name) || '', ...attrs});
  const objectID = text('object_id', {placeholder: 'agent_…, +1415…'});
  const actor = text('actor', {placeholder: 'key_1a2b3c4d or a label', size: '16'});
  const action = text('action', {placeholder: 'tag.moved, agent_version.*', list: 'audit-actions'});
  const since = h('input', {type: 'datetime-local', name: 'since', step: '1', value: fromTime(query.get('since'))});
  const until = h('input', {type: 'datetime-local', name: 'until', step: '1', value: fromTime(query.get('until'))});
  const prefixes = [...new Set(ACTIONS.map((a) => `${a.split('.')[0]}.*`))];
  const actions = h('datalist', {id: 'audit-actions'}, [...ACTIONS, ...prefixes].map((a) => h('option', {value: a})));
  // The filters by the parameter each sends.
  const filters = [['object_type', objectType], ['object_id', objectID], ['actor', actor], ['action', action],
    ['since', since], ['until', until]];
  const body = h('tbody');
  const status = h('div', {'aria-live': 'polite'});
  const more = h('button', {type: 'button', hidden: true}, 'Show older entries');
  const form = h('form', {class: 'toolbar audit-filters', role: 'search', onsubmit: (e) => { e.preventDefault(); load(true); }},
    field('Object type', objectType), field('Object id', objectID), field('Actor', actor), field('Action', action), actions,
    field('Since', since), field('Until', until),
    h('div', {class: 'field buttons-inline'}, h('button', {type: 'button', onclick: () => {
      for (const [, el] of filters) el.value = '';
      load(true);
    }}, 'Clear')));
  // On a phone the filters fold away unless one is set, so that the entries
  // come first.
  const folded = matchMedia('(max-width: 760px)').matches && !filters.some(([, el]) => el.value);
  const filterBox = h('details', {class: 'filters', open: !folded}, h('summary', {}, 'Filters'), form);
  replace(root, heading, filterBox, status, h('table', {class: 'list audit'},
    h('caption', {class: 'sr-only'}, 'Audit log entries, newest first'),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, '#'), h('th', {scope: 'col'}, 'When'), h('th', {scope: 'col'}, 'Who'),
      h('th', {scope: 'col'}, 'Action'), h('th', {scope: 'col'}, 'Object'), h('th', {scope: 'col'}, 'What'))),
    body), more);
  let key;
  let ctl = null;

  signal.addEventListener('abort', () => ctl && ctl.abort(), {once: true});
  async function load(reset) {
    if (signal.aborted) return; // a filter typed just before leaving
    if (ctl) ctl.abort();
    const mine = new AbortController();
    ctl = mine;
    const q = {limit: PAGE};
    for (const [name, el] of filters) {
      const v = el.type === 'datetime-local' ? toTime(el.value) : el.value.trim();
      if (v) q[name] = v;
    }
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
      if (reset && !items.length) replace(status, h('p', {class: 'empty'}, 'No entries match these filters.'));
      body.append(...items.map((e) => h('tr', {},
        h('td', {'data-label': '#'}, String(e.seq)),
        h('td', {'data-label': 'When'}, timeEl(e.timestamp),
          e.request_id ? h('code', {class: 'request-id', title: 'Request id'}, e.request_id) : null),
        h('td', {'data-label': 'Who'}, actorText(e.actor)),
        h('td', {'data-label': 'Action'}, h('code', {}, e.action || '')),
        h('td', {'data-label': 'Object'}, objectLink(e)),
        h('td', {'data-label': 'What'}, detailsCell(e)))));
      key = data.has_more ? data.pagination_key : undefined;
      more.hidden = !key;
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (reset) body.replaceChildren();
      more.hidden = true;
      replace(status, errorBox(err));
    }
  }
  const typed = debounce(() => load(true), 300);
  for (const [, el] of filters) el.addEventListener(el.tagName === 'SELECT' || el.type === 'datetime-local' ? 'change' : 'input', typed);
  more.addEventListener('click', () => load(false));
  await load(true);
  return null;
}
