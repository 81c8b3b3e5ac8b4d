// A tag's history, newest first: every move with its before and after, who
// made it and why; any entry can be reverted (the server records the revert
// as a new entry; history is never rewritten).

import {tags as tagsAPI} from '../api.js';
import * as features from '../features.js';
import {h, replace, errorBox, loading, timeEl, openDialog, field, toast, unavailable} from '../dom.js';

function ver(v) {
  return v === undefined || v === null ? 'unassigned' : `v${v}`;
}

// actorText shows who made a change: the key's public prefix and label.
export function actorText(actor) {
  if (actor === undefined || actor === null) return '—';
  if (typeof actor === 'string') return actor;
  return [actor.key_prefix || actor.prefix, actor.label].filter(Boolean).join(' ') || JSON.stringify(actor);
}

function varsChange(before, after) {
  const a = JSON.stringify(before || {});
  const b = JSON.stringify(after || {});
  if (a === b) return null;
  return h('span', {class: 'muted small'}, ` variables ${a} → ${b}`);
}

export async function render(root, {params, signal}) {
  const {id, tag} = params;
  const base = `#/agents/${encodeURIComponent(id)}`;
  const top = [
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/agents'}, 'Agents'), ' / ',
      h('a', {href: base}, id), ' / '),
    h('div', {class: 'heading'}, h('h1', {}, `History of tag ${tag}`)),
  ];
  if (!features.has('tagHistory')) {
    replace(root, top, unavailable('Tag history', 'GET /agentry/v1/agents/{agent_id}/tags/{tag}/history'));
    return null;
  }
  const body = h('tbody');
  const status = h('div', {'aria-live': 'polite'});
  const more = h('button', {type: 'button', hidden: true}, 'Show older entries');
  const canRevert = features.has('tagRevert');
  const revertTakesReason = Boolean(features.bodyProperty('tagRevert', 'reason'));
  replace(root, top, status, h('table', {class: 'list history'},
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, '#'), h('th', {scope: 'col'}, 'When'), h('th', {scope: 'col'}, 'Who'),
      h('th', {scope: 'col'}, 'Change'), h('th', {scope: 'col'}, 'Reason'), h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
    body), more);
  let key;

  function row(e) {
    return h('tr', {},
      h('td', {'data-label': '#'}, String(e.seq)),
      h('td', {'data-label': 'When'}, timeEl(e.timestamp)),
      h('td', {'data-label': 'Who'}, actorText(e.actor)),
      h('td', {'data-label': 'Change'}, `${ver(e.version_before)} → ${ver(e.version_after)}`,
        varsChange(e.dynamic_variables_before, e.dynamic_variables_after)),
      h('td', {'data-label': 'Reason'}, e.reason || h('span', {class: 'muted'}, '—')),
      h('td', {class: 'row-actions'}, canRevert ? h('button', {type: 'button', onclick: () => revert(e)},
        `Revert to ${ver(e.version_before)}…`) : null));
  }

  async function load(reset) {
    if (reset) {
      key = undefined;
      body.replaceChildren();
      replace(status, loading('Loading the history'));
    }
    try {
      const {data} = await tagsAPI.history(id, tag, key, signal);
      replace(status);
      const items = data.items || [];
      if (reset && !items.length) replace(status, h('p', {class: 'empty'}, 'No history yet.'));
      body.append(...items.map(row));
      key = data.has_more ? data.pagination_key : undefined;
      more.hidden = !key;
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      replace(status, errorBox(err));
    }
  }

  async function revert(entry) {
    const done = await openDialog(`Revert entry #${entry.seq}`, (close) => {
      const reason = h('input', {type: 'text', autocomplete: 'off', autofocus: true, placeholder: 'Why (kept in the history)'});
      const st = h('div', {'aria-live': 'assertive'});
      const submit = h('button', {type: 'submit', class: 'primary', autofocus: !revertTakesReason}, 'Revert');
      const form = h('form', {class: 'dialog-form'},
        h('p', {}, `${tag} goes back to where it was before entry #${entry.seq}: ${ver(entry.version_before)}. The revert is recorded as a new entry.`),
        revertTakesReason ? field('Reason', reason) : null, st,
        h('div', {class: 'buttons'}, submit, h('button', {type: 'button', onclick: () => close()}, 'Cancel')));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const req = {seq: entry.seq};
        if (revertTakesReason && reason.value.trim()) req.reason = reason.value.trim();
        submit.disabled = true;
        try {
          await tagsAPI.revert(id, tag, req);
          close(true);
        } catch (err) {
          submit.disabled = false;
          replace(st, errorBox(err));
        }
      });
      return form;
    });
    if (done) {
      toast(`Tag ${tag} reverted to ${ver(entry.version_before)}.`);
      await load(true);
    }
  }

  more.addEventListener('click', () => load(false));
  await load(true);
  return null;
}
