// The draft editor: a draft's configuration as JSON, saved as a PATCH of
// only what changed (a field taken out is sent as null, which clears it
// where the API allows). If-Match carries the ETag the editor was opened
// with, so an edit made elsewhere in the meantime is not overwritten.

import {agents} from '../api.js';
import {h, replace, errorBox, json} from '../dom.js';
import {configOf} from './version.js';

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// patchOf is what turns before into after under PATCH semantics.
export function patchOf(before, after) {
  const patch = {};
  for (const [k, v] of Object.entries(after)) if (!same(before[k], v)) patch[k] = v;
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null;
  return patch;
}

export function openEditor(container, {agent, version, etag, saved, cancelled, reload}) {
  const before = configOf(version);
  const text = json(before);
  const area = h('textarea', {class: 'json-editor', spellcheck: 'false', autocomplete: 'off', rows: '24',
    'aria-describedby': 'editor-help'}, text);
  const status = h('div', {'aria-live': 'polite'});
  const save = h('button', {type: 'submit', class: 'primary'}, 'Save draft');
  const cancel = h('button', {type: 'button'}, 'Cancel');
  const form = h('form', {class: 'editor', 'aria-label': `Edit draft v${version.version}`},
    h('label', {for: 'json-editor'}, `Configuration of draft v${version.version}`),
    h('p', {class: 'hint', id: 'editor-help'},
      'Edit the JSON and save (Ctrl+Enter). Only changed fields are sent; a field you delete is cleared. Tab leaves the editor.'),
    area, status,
    h('div', {class: 'buttons'}, save, cancel));
  area.id = 'json-editor';

  async function submit() {
    let after;
    try {
      after = JSON.parse(area.value);
    } catch (err) {
      replace(status, errorBox({message: `The configuration is not valid JSON: ${err.message}`}));
      return;
    }
    if (!after || typeof after !== 'object' || Array.isArray(after)) {
      replace(status, errorBox({message: 'The configuration must be a JSON object.'}));
      return;
    }
    const patch = patchOf(before, after);
    if (!Object.keys(patch).length) {
      replace(status, h('p', {class: 'muted'}, 'Nothing changed.'));
      return;
    }
    save.disabled = true;
    replace(status, h('p', {class: 'muted', role: 'status'}, 'Saving…'));
    try {
      const r = await agents.update(agent.channel, agent.agent_id, version.version, patch, etag);
      await saved(r.data, r.etag, r.ignored);
    } catch (err) {
      save.disabled = false;
      if (err.status === 412) {
        replace(status, errorBox({status: 412,
          message: `${err.message} This draft was changed since you opened it, so your edit was not saved. Reload it and make your edit again.`},
        h('button', {type: 'button', onclick: () => reload()}, 'Reload the draft')));
      } else {
        replace(status, errorBox(err));
      }
      area.focus();
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  });
  cancel.addEventListener('click', () => cancelled());
  replace(container, form);
  area.focus();
}
