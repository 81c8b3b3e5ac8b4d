// One agent: its tags, its versions panel (drafts and published versions,
// what each was based on, titles, descriptions, tags, times; filtered by
// agentry's list filters), and the selected version in detail.

import {agents, tags as tagsAPI} from '../api.js';
import {h, replace, errorBox, loading, timeEl, chip, notice} from '../dom.js';
import {renderVersion} from './version.js';
import {renderTags} from './tags.js';

const PAGE = 50;

// findAgent reads an agent's name, channel and tags: list-agents searches ids
// too, so one small page holds it.
export async function findAgent(id, signal) {
  const {data} = await agents.list({filter_criteria: {query: id}}, {limit: 20}, signal);
  return (data.items || []).find((a) => a.agent_id === id) || null;
}

export async function render(root, {params, signal, navigate}) {
  const id = params.id;
  replace(root, loading('Loading the agent'));
  const agent = await findAgent(id, signal);
  if (!agent) {
    replace(root, h('h1', {}, 'Agent not found'),
      errorBox({message: `No agent ${id} in this workspace.`}), h('p', {}, h('a', {href: '#/agents'}, 'Back to the agents')));
    return null;
  }
  const base = `#/agents/${encodeURIComponent(id)}`;
  const list = h('ol', {class: 'versions', 'aria-label': 'Versions, newest first'});
  const more = h('button', {type: 'button', hidden: true}, 'Show older versions');
  const versionsStatus = h('div', {'aria-live': 'polite'});
  const detail = h('section', {class: 'detail', 'aria-label': 'Selected version'});
  const tagSection = h('section', {class: 'tags-section', 'aria-labelledby': 'tags-h'});
  const onlyPublished = h('input', {type: 'checkbox'});
  const title = h('h1', {}, agent.agent_name || '(no name)');
  const byTag = h('select', {'aria-label': 'Only the version a tag holds'}, h('option', {value: ''}, 'Any tag'));

  replace(root,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/agents'}, 'Agents'), ' / '),
    h('div', {class: 'heading'},
      title,
      h('div', {class: 'actions'},
        h('a', {class: 'button', href: `${base}/diff`}, 'Compare versions'),
        h('a', {class: 'button', href: `#/audit?object_type=agent&object_id=${encodeURIComponent(id)}`}, 'Audit log'))),
    h('p', {class: 'meta'}, chip(agent.channel, agent.channel), ' ', h('code', {}, id)),
    tagSection,
    h('div', {class: 'agent-layout'},
      h('section', {class: 'versions-panel', 'aria-labelledby': 'versions-h'},
        h('h2', {id: 'versions-h'}, 'Versions'),
        h('div', {class: 'version-filters', role: 'search', 'aria-label': 'Filter the versions'},
          h('label', {class: 'check'}, onlyPublished, ' Published only'), byTag),
        versionsStatus, list, more),
      detail));

  const state = {versions: [], nextKey: undefined, selected: params.version === undefined ? null : Number(params.version),
    tagMap: {}, filter: {}};

  // rename reads the agent's item again: a saved draft can change its name
  // (the latest version's) and its tags.
  async function rename() {
    const fresh = await findAgent(id, signal);
    if (!fresh) return;
    Object.assign(agent, fresh);
    title.textContent = agent.agent_name || '(no name)';
  }

  async function loadTags() {
    const {data} = await tagsAPI.list(id, signal);
    state.tagMap = (data && data.tags) || {};
  }

  // tagsOf lists the tags that point at version n.
  function tagsOf(n) {
    return Object.keys(state.tagMap).filter((t) => state.tagMap[t] && state.tagMap[t].version === n).sort();
  }

  function item(v) {
    const selected = v.version === state.selected;
    return h('li', {},
      h('a', {href: `${base}/v/${v.version}`, class: 'version-item', 'aria-current': selected ? 'true' : null},
        h('span', {class: 'vline'},
          h('strong', {}, `v${v.version}`), ' ',
          v.is_published ? chip('published', 'published') : chip('draft', 'draft'),
          tagsOf(v.version).map((t) => chip(t, 'tag'))),
        v.version_title ? h('span', {class: 'vtitle'}, v.version_title) : null,
        v.version_description ? h('span', {class: 'vdesc'}, v.version_description) : null,
        h('span', {class: 'vmeta'},
          v.base_version === undefined || v.base_version === null ? 'first version' : `from v${v.base_version}`,
          ' · ', timeEl(v.last_modification_timestamp))));
  }

  function drawList() {
    replace(list, state.versions.map(item));
    more.hidden = !state.nextKey;
    if (!state.versions.length && (state.filter.published || state.filter.tag)) {
      replace(versionsStatus, h('p', {class: 'empty'}, state.filter.tag
        ? `Tag ${state.filter.tag} holds no version${state.filter.published ? ' that is published' : ''}.`
        : 'No version is published.'));
    }
  }

  // loadVersions reads a page of versions: the first again (reset, e.g.
  // after a change or a new filter), or the next. A newer read cancels an
  // older one still in flight, so a quick change of filters shows the last.
  let inflight = null;
  async function loadVersions(reset) {
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    const stop = () => ctl.abort();
    signal.addEventListener('abort', stop, {once: true});
    try {
      const {data} = await agents.versions(id, {limit: PAGE, key: reset ? undefined : state.nextKey}, ctl.signal, state.filter);
      if (reset) state.versions = [];
      state.versions.push(...(data.items || []));
      state.nextKey = data.has_more ? data.pagination_key : undefined;
      replace(versionsStatus);
      drawList();
    } catch (err) {
      if (err.name === 'AbortError') {
        if (signal.aborted) throw err;
        return; // a newer read took over
      }
      replace(versionsStatus, errorBox(err));
    } finally {
      signal.removeEventListener('abort', stop);
      if (inflight === ctl) inflight = null;
    }
  }

  async function select(n) {
    state.selected = n;
    drawList();
    await renderVersion(detail, {
      agent, version: n, signal, tagsOf, navigate, base, tagMap: state.tagMap,
      changed: (goTo) => refresh(goTo),
    });
  }

  // refresh reloads the list and tags after a change, then shows version goTo.
  async function refresh(goTo) {
    await Promise.all([loadVersions(true), loadTags(), rename()]);
    drawTags();
    if (goTo !== undefined && goTo !== state.selected) {
      navigate(`${base}/v/${goTo}`);
    } else {
      await select(state.selected);
    }
  }

  function drawTags() {
    renderTags(tagSection, {agent, tagMap: state.tagMap, changed: () => refresh()});
    const names = Object.keys(state.tagMap).sort();
    replace(byTag, h('option', {value: ''}, 'Any tag'), names.map((t) => h('option', {value: t}, `Tag ${t}`)));
    byTag.value = names.includes(state.filter.tag) ? state.filter.tag : '';
  }

  async function filtered() {
    state.filter = {published: onlyPublished.checked, tag: byTag.value || undefined};
    await loadVersions(true);
  }
  onlyPublished.addEventListener('change', filtered);
  byTag.addEventListener('change', filtered);
  more.addEventListener('click', () => loadVersions(false));
  await Promise.all([loadVersions(true), loadTags()]);
  drawTags();
  if (state.selected === null) {
    if (!state.versions.length) {
      replace(detail, notice(h('p', {}, 'This agent has no versions.')));
    } else {
      await select(state.versions[0].version);
    }
  } else {
    await select(state.selected);
  }
  return {
    update(p) {
      if (p.id !== id) return false;
      const n = p.version === undefined ? (state.versions[0] && state.versions[0].version) : Number(p.version);
      select(n).catch((err) => {
        if (err.name !== 'AbortError') replace(detail, errorBox(err));
      });
      return true;
    },
  };
}
