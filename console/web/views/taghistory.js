// A tag's history, newest first: every change with its before and after,
// who made it and why; any entry but a creation can be reverted (the server
// records the revert as a new entry; history is never rewritten). A revert
// carries If-Match with the tag as this page shows it (its newest entry), so
// a page that is out of date cannot revert.

import {tags as tagsAPI, tagETag} from '../api.js';
import {h, replace, errorBox, loading, timeEl, openDialog, field, toast} from '../dom.js';
import {findAgent} from './agent.js';

const PAGE = 50;

function ver(v) {
  return v === undefined || v === null ? 'unassigned' : `v${v}`;
}

// actorText shows who made a change: the key's public prefix and label, or
// the operator command that made it.
export function actorText(actor) {
  if (actor === undefined || actor === null) return '—';
  if (typeof actor === 'string') return actor;
  return [actor.key_prefix, actor.label].filter(Boolean).join(' ') || actor.type || '—';
}

// stateText says where the tag stood on one side of an entry: nowhere (it
// did not exist), unassigned, or a version.
function stateText(e, side) {
  if (e[`dynamic_variables_${side}`] === null) return side === 'before' ? 'new' : 'deleted';
  return ver(e[`version_${side}`]);
}

function change(e) {
  const parts = [`${stateText(e, 'before')} → ${stateText(e, 'after')}`];
  const a = e.dynamic_variables_before;
  const b = e.dynamic_variables_after;
  if (a && b && JSON.stringify(a) !== JSON.stringify(b)) parts.push(`variables ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  if (e.published_only_before !== e.published_only_after && a !== null && b !== null) {
    parts.push(e.published_only_after ? 'now published versions only' : 'now any version');
  }
  return [h('span', {}, parts[0]), parts.slice(1).map((p) => h('span', {class: 'muted small block'}, p))];
}

// nowText says where the tag stands, from its newest entry.
function nowText(tag, e) {
  if (!e) return '';
  if (e.dynamic_variables_after === null) return [h('strong', {}, tag), ' is deleted; revert its deletion to bring it back.'];
  return [h('strong', {}, tag), ` points at ${ver(e.version_after)} now`,
    e.published_only_after ? ' and takes only published versions.' : '.'];
}

const ACTIONS = {create: 'created', move: 'moved', delete: 'deleted', revert: 'reverted'};

export async function render(root, {params, signal}) {
  const {id, tag} = params;
  const base = `#/agents/${encodeURIComponent(id)}`;
  const agent = await findAgent(id, signal);
  const body = h('tbody');
  const status = h('div', {'aria-live': 'polite'});
  const more = h('button', {type: 'button', hidden: true}, 'Show older entries');
  const now = h('p', {class: 'status-line'});
  replace(root,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/agents'}, 'Agents'), ' / ',
      h('a', {href: base}, agent ? (agent.agent_name || id) : id), ' / '),
    h('div', {class: 'heading'}, h('h1', {}, `History of tag ${tag}`)),
    now,
    status,
    h('table', {class: 'list history'},
      h('caption', {class: 'sr-only'}, `Changes of tag ${tag}, newest first`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, '#'), h('th', {scope: 'col'}, 'When'), h('th', {scope: 'col'}, 'Who'),
        h('th', {scope: 'col'}, 'What'), h('th', {scope: 'col'}, 'Change'), h('th', {scope: 'col'}, 'Reason'),
        h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
      body),
    more);
  let key;
  // newest is the newest entry this page shows: the tag's state as shown.
  let newest = null;

  function row(e) {
    const what = e.action === 'revert' && e.revert_of ? `reverted #${e.revert_of}` : (ACTIONS[e.action] || e.action);
    return h('tr', {},
      h('td', {'data-label': '#'}, String(e.seq)),
      h('td', {'data-label': 'When'}, timeEl(e.timestamp)),
      h('td', {'data-label': 'Who'}, actorText(e.actor)),
      h('td', {'data-label': 'What'}, what),
      h('td', {'data-label': 'Change'}, change(e)),
      h('td', {'data-label': 'Reason'}, e.reason || h('span', {class: 'muted'}, '—')),
      h('td', {class: 'row-actions'}, e.action === 'create'
        ? h('span', {class: 'muted small'}, 'the first state')
        : h('button', {type: 'button', onclick: () => revert(e)}, `Revert to ${stateText(e, 'before')}…`)));
  }

  async function load(reset) {
    if (reset) {
      key = undefined;
      newest = null;
      body.replaceChildren();
      replace(status, loading('Loading the history'));
    }
    try {
      const {data} = await tagsAPI.history(id, tag, {limit: PAGE, key}, signal);
      replace(status);
      const items = data.items || [];
      if (reset) {
        newest = items[0] || null;
        replace(now, nowText(tag, newest));
      }
      if (reset && !items.length) replace(status, h('p', {class: 'empty'}, 'No history yet.'));
      body.append(...items.map(row));
      key = data.has_more ? data.pagination_key : undefined;
      more.hidden = !key;
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      replace(status, errorBox(err));
    }
  }

  // precondition is the If-Match of a revert: the tag's ETag as of the
  // newest entry shown. A deleted tag has no ETag; then the newest entry is
  // read again, and a change since is refused like a 412.
  async function precondition() {
    if (newest.action !== 'delete') return {ifMatch: tagETag(id, tag, newest.seq)};
    const {data} = await tagsAPI.history(id, tag, {limit: 1});
    const now = (data.items || [])[0];
    if (now && now.seq !== newest.seq) {
      return {stale: {status: 412, message: `Tag ${tag} changed since this page loaded its history (entry #${now.seq} is new).`}};
    }
    return {};
  }

  async function revert(entry) {
    const done = await openDialog(`Revert entry #${entry.seq}`, (close) => {
      const reason = h('input', {type: 'text', autocomplete: 'off', maxlength: '1000', autofocus: true, placeholder: 'Why (kept in the history)'});
      const st = h('div', {'aria-live': 'assertive'});
      const submit = h('button', {type: 'submit', class: 'primary'}, 'Revert');
      const form = h('form', {class: 'dialog-form'},
        h('p', {}, `${tag} goes back to where it was before entry #${entry.seq}: ${stateText(entry, 'before')}. The revert is recorded as a new entry.`),
        field('Reason', reason), st,
        h('div', {class: 'buttons'}, submit, h('button', {type: 'button', onclick: () => close()}, 'Cancel')));
      const reload = h('button', {type: 'button', class: 'primary', onclick: () => close('reload')}, 'Reload the history');
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const req = {seq: entry.seq};
        if (reason.value.trim()) req.reason = reason.value.trim();
        submit.disabled = true;
        try {
          const pre = await precondition();
          if (pre.stale) {
            replace(st, errorBox({status: 412, message: `${pre.stale.message} Nothing was reverted. Reload it and try again.`}, reload));
            reload.focus();
            return;
          }
          await tagsAPI.revert(id, tag, req, pre.ifMatch);
          close(true);
        } catch (err) {
          submit.disabled = false;
          if (err.status === 412) {
            replace(st, errorBox({status: 412,
              message: `${err.message} The tag changed since this page loaded its history, so nothing was reverted. Reload it and try again.`}, reload));
            reload.focus();
          } else {
            replace(st, errorBox(err));
          }
        }
      });
      return form;
    });
    if (done === true) toast(`Tag ${tag} reverted to ${stateText(entry, 'before')}.`);
    if (done) await load(true);
  }

  more.addEventListener('click', () => load(false));
  await load(true);
  return null;
}
