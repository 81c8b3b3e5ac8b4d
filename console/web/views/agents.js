// Agents: voice and chat, a page at a time (never the whole workspace),
// searched by name or id as you type, filtered by channel, and by agentry's
// list filters: agents with a published version, agents whose tag is
// assigned.

import {agents} from '../api.js';
import {h, replace, errorBox, loading, timeEl, chip, debounce, field} from '../dom.js';
import {tagNameProblem} from './tags.js';

const PAGE = 50;

export async function render(root, {query, signal, navigate}) {
  const state = {
    q: query.get('q') || '',
    channel: query.get('channel') || '',
    published: query.get('published') === '1',
    tag: query.get('tag') || '',
    keys: [undefined], // the pagination key of each page seen; keys[i] opens page i
    page: 0,
  };

  const search = h('input', {type: 'search', value: state.q, placeholder: 'Name or agent id', autocomplete: 'off'});
  const channel = h('select', {value: state.channel},
    h('option', {value: ''}, 'Voice and chat'), h('option', {value: 'voice'}, 'Voice'), h('option', {value: 'chat'}, 'Chat'));
  const published = h('input', {type: 'checkbox', checked: state.published});
  const tag = h('input', {type: 'text', value: state.tag, placeholder: 'e.g. prod', autocomplete: 'off', spellcheck: 'false',
    size: '12'});
  const tagProblem = h('span', {class: 'row-problem', id: 'tag-filter-problem', 'aria-live': 'polite'});
  tag.id = 'tag-filter';
  tag.setAttribute('aria-describedby', 'tag-filter-problem');
  const results = h('div', {class: 'results', 'aria-live': 'polite'});
  const prev = h('button', {type: 'button', disabled: true}, '← Previous');
  const next = h('button', {type: 'button', disabled: true}, 'Next →');
  const pageLabel = h('span', {class: 'muted'});

  replace(root,
    h('div', {class: 'heading'}, h('h1', {}, 'Agents')),
    h('form', {class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); reset(); }},
      field('Search', search),
      field('Channel', channel),
      h('div', {class: 'field check'}, h('label', {}, published, ' Published only')),
      h('div', {class: 'field'}, h('label', {for: 'tag-filter'}, 'Assigned tag'), tag, tagProblem)),
    results,
    h('nav', {class: 'pager', 'aria-label': 'Pages of agents'}, prev, pageLabel, next));

  let inflight = null;
  signal.addEventListener('abort', () => inflight && inflight.abort(), {once: true});
  async function load() {
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    const filter = {};
    if (state.q) filter.query = state.q;
    if (state.channel) filter.channel = {type: 'string', op: 'eq', value: state.channel};
    const body = {};
    if (Object.keys(filter).length) body.filter_criteria = filter;
    if (state.published) body.agentry_published_only = true;
    if (state.tag) body.agentry_tag = state.tag;
    results.setAttribute('aria-busy', 'true');
    if (!results.firstChild) replace(results, loading('Loading agents'));
    try {
      const {data} = await agents.list(Object.keys(body).length ? body : undefined, {limit: PAGE, key: state.keys[state.page]}, ctl.signal);
      if (ctl !== inflight) return;
      if (data.has_more && data.pagination_key) state.keys[state.page + 1] = data.pagination_key;
      else state.keys.length = state.page + 1;
      show(data.items || []);
      prev.disabled = state.page === 0;
      next.disabled = !data.has_more;
      pageLabel.textContent = `Page ${state.page + 1}`;
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(results, errorBox(err));
    } finally {
      if (ctl === inflight) results.removeAttribute('aria-busy');
    }
  }

  function show(items) {
    if (!items.length) {
      replace(results, h('p', {class: 'empty'}, state.q || state.channel || state.tag || state.published
        ? 'No agent matches these filters.'
        : 'This workspace has no agents yet. Create one with the API or an SDK (POST /create-agent).'));
      return;
    }
    replace(results, h('table', {class: 'list agents'},
      h('caption', {class: 'sr-only'}, 'Agents, most recently created first'),
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Channel'), h('th', {scope: 'col'}, 'Tags'),
        h('th', {scope: 'col'}, 'Modified'), h('th', {scope: 'col', class: 'id-col'}, 'Agent id'))),
      h('tbody', {}, items.map((a) => h('tr', {},
        h('td', {'data-label': 'Name'}, h('a', {href: `#/agents/${encodeURIComponent(a.agent_id)}`},
          a.agent_name || h('span', {class: 'muted'}, '(no name)'))),
        h('td', {'data-label': 'Channel'}, chip(a.channel, a.channel)),
        h('td', {'data-label': 'Tags'}, tagChips(a.tags)),
        h('td', {'data-label': 'Modified'}, timeEl(a.user_modified_timestamp)),
        h('td', {'data-label': 'Agent id', class: 'id-col'}, h('code', {}, a.agent_id)))))));
  }

  // remember puts the filters in the address, so reload and back keep them.
  function remember() {
    const q = new URLSearchParams();
    if (state.q) q.set('q', state.q);
    if (state.channel) q.set('channel', state.channel);
    if (state.published) q.set('published', '1');
    if (state.tag) q.set('tag', state.tag);
    const qs = q.toString();
    history.replaceState(null, '', `#/agents${qs ? `?${qs}` : ''}`);
  }

  function reset() {
    // A search typed just before leaving the view must not rewrite the
    // address of the page that replaced it.
    if (signal.aborted) return;
    const typedTag = tag.value.trim();
    const problem = typedTag ? tagNameProblem(typedTag) : '';
    tagProblem.textContent = problem;
    tag.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) return; // the list stays as it was until the name is one
    state.q = search.value.trim();
    state.channel = channel.value;
    state.published = published.checked;
    state.tag = typedTag;
    state.keys = [undefined];
    state.page = 0;
    remember();
    load();
  }

  const typed = debounce(reset, 250);
  search.addEventListener('input', typed);
  tag.addEventListener('input', typed);
  channel.addEventListener('change', reset);
  published.addEventListener('change', reset);
  prev.addEventListener('click', () => { if (state.page > 0) { state.page--; load(); } });
  next.addEventListener('click', () => { if (state.keys[state.page + 1]) { state.page++; load(); } });
  await load();
  return {
    // Filters live in the address; a change there from this view is not a
    // new page (remember uses replaceState, which fires no event).
    update: () => false,
    cleanup: () => inflight && inflight.abort(),
  };
}

// tagChips shows an agent's tags: name → version (or unassigned).
export function tagChips(tagMap) {
  const names = Object.keys(tagMap || {}).sort();
  if (!names.length) return h('span', {class: 'muted'}, '—');
  return h('span', {class: 'chips'}, names.map((n) => {
    const v = tagMap[n] && tagMap[n].version;
    return chip(v === undefined || v === null ? `${n}: unassigned` : `${n} → v${v}`, 'tag');
  }));
}
