// An agent's tags: where each points, whether it takes only published
// versions, its dynamic variables; creating, moving, unassigning and
// deleting them with a reason. Every change is recorded by the server; the
// history view (taghistory.js) shows it and reverts.
//
// Each change carries If-Match with the tag's ETag as this page showed it,
// so a page that is out of date cannot change a tag it did not show: the API
// answers 412 and the dialog offers to reload.

import {tags as tagsAPI, tagETag} from '../api.js';
import {h, replace, errorBox, openDialog, field, toast, json, timeEl} from '../dom.js';

const TAG = /^[a-z][a-z0-9_-]{0,19}$/;
const RESERVED = /^(latest|latest_published|v\d+)$/;

// tagNameProblem says what is wrong with a tag name, or ''.
export function tagNameProblem(name) {
  if (!TAG.test(name)) return 'A tag name starts with a lowercase letter, then up to 19 lowercase letters, digits, _ or -.';
  if (RESERVED.test(name)) return `${name} is a version reference, not a tag name.`;
  return '';
}

// RELOAD is what a dialog resolves with when the page was out of date and
// the person asked to reload it.
export const RELOAD = 'reload';

export function variables(dv) {
  const names = Object.keys(dv || {});
  if (!names.length) return h('span', {class: 'muted'}, 'none');
  return h('span', {class: 'vars'}, names.sort().map((k) => h('span', {class: 'var'}, h('code', {}, k), '=', dv[k])));
}

function assigned(t) {
  return t && t.version !== undefined && t.version !== null;
}

// stale shows a 412 in a dialog: the API's words, what it means, and the
// way out.
function stale(err, what, close) {
  return errorBox({status: 412, message: `${err.message} ${what}`},
    h('button', {type: 'button', class: 'primary', onclick: () => close(RELOAD)}, 'Reload the tags'));
}

// after handles what a tag dialog resolved with: a message to announce, a
// reload, or nothing (dismissed).
async function after(outcome, changed) {
  if (!outcome) return;
  if (outcome !== RELOAD) toast(outcome);
  await changed();
}

// renderTags fills section with an agent's tags (tagMap, from the tags
// endpoint, as this page shows them); changed reloads the page's data.
export function renderTags(section, {agent, tagMap, changed}) {
  const base = `#/agents/${encodeURIComponent(agent.agent_id)}`;
  const names = Object.keys(tagMap || {}).sort();
  const heading = h('div', {class: 'heading'}, h('h2', {id: 'tags-h'}, 'Tags'),
    h('div', {class: 'actions'}, h('button', {type: 'button', onclick: async () => {
      await after(await moveTagDialog({agent, tagMap}), changed);
    }}, 'New tag…')));
  if (!names.length) {
    replace(section, heading, h('p', {class: 'empty'},
      'This agent has no tags. A tag (prod, staging…) names the version that a phone number or a client asks for.'));
    return;
  }
  replace(section, heading, h('table', {class: 'list tags'},
    h('caption', {class: 'sr-only'}, 'Tags of this agent'),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Tag'), h('th', {scope: 'col'}, 'Version'),
      h('th', {scope: 'col'}, 'Dynamic variables'), h('th', {scope: 'col'}, 'Changed'),
      h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
    h('tbody', {}, names.map((name) => {
      const t = tagMap[name] || {};
      return h('tr', {},
        h('th', {scope: 'row', 'data-label': 'Tag'}, h('span', {class: 'chip tag'}, name),
          t.published_only ? h('span', {class: 'chip', title: 'Takes only published versions'}, 'published only') : null),
        h('td', {'data-label': 'Version'}, assigned(t) ? h('a', {href: `${base}/v/${t.version}`}, `v${t.version}`)
          : h('span', {class: 'muted'}, 'unassigned (resolves to latest)')),
        h('td', {'data-label': 'Dynamic variables'}, variables(t.dynamic_variables)),
        h('td', {'data-label': 'Changed'}, timeEl(t.modified_at)),
        h('td', {class: 'row-actions'},
          h('button', {type: 'button', onclick: async () => {
            await after(await moveTagDialog({agent, tagMap, tag: name}), changed);
          }}, 'Move…'),
          assigned(t) ? h('button', {type: 'button', onclick: async () => {
            await after(await unassignDialog({agent, tag: name, current: t}), changed);
          }}, 'Unassign…') : null,
          h('a', {class: 'button', href: `${base}/tags/${encodeURIComponent(name)}`}, 'History'),
          h('button', {type: 'button', class: 'danger', onclick: async () => {
            await after(await deleteDialog({agent, tag: name, current: t}), changed);
          }}, 'Delete…')));
    }))));
}

// moveTagDialog creates or moves a tag: tag fixes which one (a move),
// version proposes a target. Resolves with a message once done, RELOAD, or
// undefined.
export function moveTagDialog({agent, tagMap, tag, version}) {
  const current = tag ? tagMap[tag] : null;
  const title = tag ? `Move tag ${tag}` : (version === undefined ? 'New tag' : `Point a tag at v${version}`);
  return openDialog(title, (close) => {
    const existing = Object.keys(tagMap).sort();
    const names = h('datalist', {id: 'tag-names'}, existing.map((n) => h('option', {value: n})));
    const name = h('input', {type: 'text', value: tag || '', readonly: Boolean(tag), required: true, autocomplete: 'off',
      spellcheck: 'false', placeholder: 'prod', autofocus: !tag, list: tag ? null : 'tag-names'});
    const proposed = version !== undefined ? version : (assigned(current) ? current.version : '');
    const target = h('input', {type: 'number', min: '0', step: '1', required: true, inputmode: 'numeric',
      value: String(proposed), autofocus: Boolean(tag)});
    const publishedOnly = h('input', {type: 'checkbox', checked: Boolean(current && current.published_only)});
    const reason = h('input', {type: 'text', autocomplete: 'off', maxlength: '1000', placeholder: 'Why (kept in the history)'});
    const vars = h('textarea', {rows: '3', spellcheck: 'false'}, json((current && current.dynamic_variables) || {}));
    const status = h('div', {'aria-live': 'assertive'});
    const submit = h('button', {type: 'submit', class: 'primary'}, tag ? 'Move' : 'Save');
    // Naming an existing tag in a new-tag dialog moves it: follow its flag
    // and variables, as a move would show them.
    name.addEventListener('change', () => {
      const t = tagMap[name.value.trim()];
      if (!t || tag) return;
      publishedOnly.checked = Boolean(t.published_only);
      vars.value = json(t.dynamic_variables || {});
    });
    const form = h('form', {class: 'dialog-form'},
      field('Tag', name), names,
      field('Version', target, current ? `Now ${assigned(current) ? `v${current.version}` : 'unassigned'}.` : null),
      h('div', {class: 'field check'}, h('label', {}, publishedOnly, ' Published versions only')),
      field('Reason', reason),
      field('Dynamic variables (a JSON object of strings)', vars), status,
      h('div', {class: 'buttons'}, submit, h('button', {type: 'button', onclick: () => close()}, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const tagName = name.value.trim();
      const problem = tagNameProblem(tagName);
      if (problem) { replace(status, errorBox({message: problem})); name.focus(); return; }
      let dv;
      try {
        dv = JSON.parse(vars.value || '{}');
        if (!dv || typeof dv !== 'object' || Array.isArray(dv)) throw new Error('not an object');
      } catch {
        replace(status, errorBox({message: 'Dynamic variables must be a JSON object, e.g. {"region": "eu"}.'}));
        vars.focus();
        return;
      }
      const body = {version: Number(target.value), dynamic_variables: dv, published_only: publishedOnly.checked};
      if (reason.value.trim()) body.reason = reason.value.trim();
      const shown = tagMap[tagName];
      submit.disabled = true;
      try {
        if (!shown) {
          // No ETag names a tag that does not exist yet: check that nobody
          // created it since the page loaded, so that "new" cannot move a
          // tag this page never showed.
          const {data} = await tagsAPI.list(agent.agent_id);
          const now = data && data.tags && data.tags[tagName];
          if (now) {
            submit.disabled = false;
            replace(status, errorBox({message: `Tag ${tagName} was created since this page loaded it` +
              ` (it is at ${assigned(now) ? `v${now.version}` : 'no version'}). Reload the tags, check it, and move it then.`},
            h('button', {type: 'button', class: 'primary', onclick: () => close(RELOAD)}, 'Reload the tags')));
            return;
          }
        }
        await tagsAPI.put(agent.agent_id, tagName, body, shown ? tagETag(agent.agent_id, tagName, shown.seq) : undefined);
        close(`Tag ${tagName} now points at v${body.version}.`);
      } catch (err) {
        submit.disabled = false;
        if (err.status === 412) {
          replace(status, stale(err, `Tag ${tagName} changed since this page showed it, so it was not moved. Reload the tags and try again.`, close));
          status.querySelector('button').focus();
        } else {
          replace(status, errorBox(err));
        }
      }
    });
    return form;
  });
}

function unassignDialog({agent, tag, current}) {
  return openDialog(`Unassign tag ${tag}`, (close) => {
    const reason = h('input', {type: 'text', autocomplete: 'off', maxlength: '1000', autofocus: true,
      placeholder: 'Why (kept in the history)'});
    const status = h('div', {'aria-live': 'assertive'});
    const submit = h('button', {type: 'submit', class: 'danger'}, 'Unassign');
    const form = h('form', {class: 'dialog-form'},
      h('p', {}, `${tag} points at v${current.version}. Unassigned, it resolves to the latest version.`),
      field('Reason', reason), status,
      h('div', {class: 'buttons'}, submit, h('button', {type: 'button', onclick: () => close()}, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {version: null};
      if (reason.value.trim()) body.reason = reason.value.trim();
      submit.disabled = true;
      try {
        await tagsAPI.put(agent.agent_id, tag, body, tagETag(agent.agent_id, tag, current.seq));
        close(`Tag ${tag} is unassigned.`);
      } catch (err) {
        submit.disabled = false;
        replace(status, err.status === 412
          ? stale(err, `Tag ${tag} changed since this page showed it, so it was not unassigned.`, close)
          : errorBox(err));
      }
    });
    return form;
  });
}

function deleteDialog({agent, tag, current}) {
  return openDialog(`Delete tag ${tag}`, (close) => {
    const reason = h('input', {type: 'text', autocomplete: 'off', maxlength: '1000', autofocus: true,
      placeholder: 'Why (kept in the history)'});
    const status = h('div', {'aria-live': 'assertive'});
    const submit = h('button', {type: 'submit', class: 'danger'}, 'Delete');
    const form = h('form', {class: 'dialog-form'},
      h('p', {}, `Delete the tag ${tag} of this agent? Its history stays readable, and a revert of the deletion brings it back.`),
      field('Reason', reason), status,
      h('div', {class: 'buttons'}, submit, h('button', {type: 'button', onclick: () => close()}, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        await tagsAPI.remove(agent.agent_id, tag, reason.value.trim() || undefined, tagETag(agent.agent_id, tag, current.seq));
        close(`Tag ${tag} deleted.`);
      } catch (err) {
        submit.disabled = false;
        replace(status, err.status === 412
          ? stale(err, `Tag ${tag} changed since this page showed it, so it was not deleted.`, close)
          : errorBox(err));
        reason.focus();
      }
    });
    return form;
  });
}
