// An agent's tags: where each points, and moving, unassigning and deleting
// them with a reason. Every move is recorded by the server; the history view
// (taghistory.js) shows it and reverts.

import {tags as tagsAPI} from '../api.js';
import * as features from '../features.js';
import {h, replace, errorBox, openDialog, confirmDialog, field, toast, json, unavailable} from '../dom.js';

const TAG = /^[a-z][a-z0-9_-]{0,19}$/;
const RESERVED = /^(latest|latest_published|v\d+)$/;

// tagNameProblem says what is wrong with a tag name, or ''.
export function tagNameProblem(name) {
  if (!TAG.test(name)) return 'A tag name starts with a lowercase letter, then up to 19 lowercase letters, digits, _ or -.';
  if (RESERVED.test(name)) return `${name} is a version reference, not a tag name.`;
  return '';
}

function variables(dv) {
  const names = Object.keys(dv || {});
  if (!names.length) return h('span', {class: 'muted'}, 'none');
  return h('span', {class: 'vars'}, names.sort().map((k) => h('span', {class: 'var'}, h('code', {}, k), '=', dv[k])));
}

export function renderTags(section, {agent, tagMap, changed}) {
  const base = `#/agents/${encodeURIComponent(agent.agent_id)}`;
  const names = Object.keys(tagMap || {}).sort();
  const canMove = features.has('tagPut');
  const heading = h('div', {class: 'heading'}, h('h2', {id: 'tags-h'}, 'Tags'));
  if (canMove) {
    heading.append(h('div', {class: 'actions'}, h('button', {type: 'button', onclick: async () => {
      const done = await moveTagDialog({agent});
      if (done) { toast(done); await changed(); }
    }}, 'New tag…')));
  }
  if (!features.has('tags')) {
    replace(section, heading, unavailable('Moving tags and their history', 'GET /agentry/v1/agents/{agent_id}/tags'));
    return;
  }
  if (!names.length) {
    replace(section, heading, h('p', {class: 'empty'}, 'This agent has no tags. A tag (prod, staging…) names the version that serves a route.'));
    return;
  }
  replace(section, heading, h('table', {class: 'list tags'},
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Tag'), h('th', {scope: 'col'}, 'Version'),
      h('th', {scope: 'col'}, 'Dynamic variables'), h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
    h('tbody', {}, names.map((name) => {
      const t = tagMap[name] || {};
      const assigned = t.version !== undefined && t.version !== null;
      return h('tr', {},
        h('th', {scope: 'row', 'data-label': 'Tag'}, name),
        h('td', {'data-label': 'Version'}, assigned ? h('a', {href: `${base}/v/${t.version}`}, `v${t.version}`)
          : h('span', {class: 'muted'}, 'unassigned (resolves to latest)')),
        h('td', {'data-label': 'Variables'}, variables(t.dynamic_variables)),
        h('td', {class: 'row-actions'},
          canMove ? h('button', {type: 'button', onclick: async () => {
            const done = await moveTagDialog({agent, tag: name, current: t});
            if (done) { toast(done); await changed(); }
          }}, 'Move…') : null,
          canMove && assigned ? h('button', {type: 'button', onclick: async () => {
            const done = await unassignDialog({agent, tag: name, current: t});
            if (done) { toast(done); await changed(); }
          }}, 'Unassign…') : null,
          features.has('tagHistory') ? h('a', {class: 'button', href: `${base}/tags/${encodeURIComponent(name)}`}, 'History') : null,
          features.has('tagDelete') ? h('button', {type: 'button', class: 'danger', onclick: async () => {
            if (!(await confirmDialog(`Delete tag ${name}`, `Delete the tag ${name} of this agent? Its history goes with it.`, 'Delete', true))) return;
            try {
              await tagsAPI.remove(agent.agent_id, name);
              toast(`Tag ${name} deleted.`);
              await changed();
            } catch (err) {
              await openDialog(`Tag ${name} was not deleted`, (close) => h('div', {}, errorBox(err),
                h('div', {class: 'buttons'}, h('button', {type: 'button', autofocus: true, onclick: () => close()}, 'Close'))));
            }
          }}, 'Delete…') : null));
    }))));
}

// moveTagDialog creates or moves a tag (to version, when given). Resolves
// with a message for the toast once done, or undefined.
export function moveTagDialog({agent, tag, current, version}) {
  const title = tag ? `Move tag ${tag}` : (version === undefined ? 'New tag' : `Point a tag at v${version}`);
  return openDialog(title, (close) => {
    const name = h('input', {type: 'text', value: tag || '', readonly: Boolean(tag), required: true, autocomplete: 'off',
      placeholder: 'prod', autofocus: !tag});
    const target = h('input', {type: 'number', min: '0', step: '1', required: true, inputmode: 'numeric',
      value: version !== undefined ? String(version) : (current && current.version !== undefined && current.version !== null ? String(current.version) : ''),
      autofocus: Boolean(tag)});
    const reason = h('input', {type: 'text', autocomplete: 'off', placeholder: 'Why (kept in the history)'});
    const vars = h('textarea', {rows: '3', spellcheck: 'false'}, json((current && current.dynamic_variables) || {}));
    const status = h('div', {'aria-live': 'assertive'});
    const submit = h('button', {type: 'submit', class: 'primary'}, tag ? 'Move' : 'Save');
    const form = h('form', {class: 'dialog-form'},
      field('Tag', name), field('Version', target), field('Reason', reason),
      field('Dynamic variables (JSON object of strings)', vars), status,
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
      const body = {version: Number(target.value), dynamic_variables: dv};
      if (reason.value.trim()) body.reason = reason.value.trim();
      submit.disabled = true;
      try {
        await tagsAPI.put(agent.agent_id, tagName, body);
        close(`Tag ${tagName} now points at v${body.version}.`);
      } catch (err) {
        submit.disabled = false;
        replace(status, errorBox(err));
      }
    });
    return form;
  });
}

function unassignDialog({agent, tag, current}) {
  return openDialog(`Unassign tag ${tag}`, (close) => {
    const reason = h('input', {type: 'text', autocomplete: 'off', autofocus: true, placeholder: 'Why (kept in the history)'});
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
        await tagsAPI.put(agent.agent_id, tag, body);
        close(`Tag ${tag} is unassigned.`);
      } catch (err) {
        submit.disabled = false;
        replace(status, errorBox(err));
      }
    });
    return form;
  });
}
