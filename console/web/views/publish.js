// Publishing a draft: a title and a description, sent with If-Match set to
// the ETag of the version as this page showed it, so a page that is out of
// date cannot publish what it did not show (the API answers 412).

import {agents} from '../api.js';
import {h, replace, errorBox, openDialog, field} from '../dom.js';

// publishDialog resolves with 'published', 'reload' (the page was stale and
// the person asked to reload) or undefined (dismissed).
export function publishDialog({agent, version, etag}) {
  const n = version.version;
  return openDialog(`Publish version ${n}`, (close) => {
    const title = h('input', {type: 'text', value: version.version_title || '', maxlength: '200', autocomplete: 'off',
      autofocus: true});
    const description = h('textarea', {rows: '3'}, version.version_description || '');
    const status = h('div', {'aria-live': 'assertive'});
    const submit = h('button', {type: 'submit', class: 'primary'}, `Publish v${n}`);
    const form = h('form', {class: 'dialog-form'},
      h('p', {}, `A published version never changes again. v${n} of ${agent.agent_name || agent.agent_id} is published as this page shows it.`),
      field('Title', title),
      field('Description', description),
      status,
      h('div', {class: 'buttons'}, submit, h('button', {type: 'button', onclick: () => close()}, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      const body = {version: n};
      if (title.value.trim()) body.version_title = title.value.trim();
      if (description.value.trim()) body.version_description = description.value.trim();
      try {
        await agents.publish(agent.agent_id, body, etag);
        close('published');
      } catch (err) {
        submit.disabled = false;
        if (err.status === 412) {
          replace(status, errorBox({status: 412,
            message: `${err.message} Version ${n} changed since this page loaded it, so it was not published. Reload it, check it, and publish again.`},
          h('button', {type: 'button', class: 'primary', autofocus: true, onclick: () => close('reload')}, 'Reload the version')));
          status.querySelector('button').focus();
        } else {
          replace(status, errorBox(err));
          title.focus();
        }
      }
    });
    return form;
  });
}
