// Phone numbers, a page at a time, with the agents each routes to; a new
// number is bought (agentry invents one) or imported from your own
// telephony.

import {phones} from '../api.js';
import {h, replace, errorBox, loading, timeEl, openDialog, field} from '../dom.js';

const PAGE = 50;

// LISTS are a number's four binding lists, in the order they are shown,
// with the channel of agent each takes.
export const LISTS = [
  ['inbound_agents', 'Inbound calls', 'inbound', 'voice'],
  ['outbound_agents', 'Outbound calls', 'outbound', 'voice'],
  ['inbound_sms_agents', 'Inbound SMS', 'inbound_sms', 'chat'],
  ['outbound_sms_agents', 'Outbound SMS', 'outbound_sms', 'chat'],
];

// versionText is a binding's version reference as a person reads it.
export function versionText(v) {
  if (v === undefined || v === null) return 'latest';
  return typeof v === 'number' ? `v${v}` : v;
}

// bindingText summarises a binding list: agent, version and share.
export function bindingText(list) {
  if (!list || !list.length) return h('span', {class: 'muted'}, '—');
  return h('ul', {class: 'bindings'}, list.map((b) => h('li', {},
    h('code', {}, b.agent_id), ` ${versionText(b.agent_version)}`,
    ` · ${Math.round(b.weight * 1000) / 10}%`)));
}

// newNumberDialog buys or imports a number; resolves with it, or undefined.
function newNumberDialog() {
  return openDialog('New phone number', (close) => {
    const buy = h('input', {type: 'radio', name: 'how', value: 'buy', checked: true});
    const imp = h('input', {type: 'radio', name: 'how', value: 'import'});
    const areaCode = h('input', {type: 'text', inputmode: 'numeric', pattern: '[0-9]{3}', autocomplete: 'off', placeholder: '415', size: '5'});
    const tollFree = h('input', {type: 'checkbox'});
    const number = h('input', {type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '+14155550100'});
    const uri = h('input', {type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'example.pstn.twilio.com'});
    const nickname = h('input', {type: 'text', autocomplete: 'off', maxlength: '200'});
    const status = h('div', {'aria-live': 'assertive'});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Create');
    const buyFields = h('div', {class: 'dialog-form'},
      field('Area code', areaCode, 'Optional; agentry invents an unused number in it'),
      h('div', {class: 'field check'}, h('label', {}, tollFree, ' Toll-free')));
    const importFields = h('div', {class: 'dialog-form', hidden: true},
      field('Number', number, 'E.164, or a pseudo number of your SIP trunk'),
      field('Termination URI', uri, 'Where calls to this number go on your SIP trunk'));
    const choose = () => {
      importFields.hidden = !imp.checked;
      buyFields.hidden = imp.checked;
      number.required = imp.checked;
      uri.required = imp.checked;
      submit.textContent = imp.checked ? 'Import' : 'Create';
    };
    buy.addEventListener('change', choose);
    imp.addEventListener('change', choose);
    const form = h('form', {class: 'dialog-form'},
      h('fieldset', {class: 'choice'}, h('legend', {}, 'How'),
        h('label', {}, buy, ' Get a number (agentry invents one)'),
        h('label', {}, imp, ' Import a number of your own telephony')),
      buyFields, importFields, field('Nickname', nickname), status,
      h('div', {class: 'buttons'}, submit, h('button', {type: 'button', onclick: () => close()}, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {};
      if (nickname.value.trim()) body.nickname = nickname.value.trim();
      submit.disabled = true;
      try {
        let r;
        if (imp.checked) {
          body.phone_number = number.value.trim();
          body.termination_uri = uri.value.trim();
          r = await phones.import(body);
        } else {
          if (areaCode.value.trim()) body.area_code = Number(areaCode.value.trim());
          if (tollFree.checked) body.toll_free = true;
          r = await phones.create(body);
        }
        close(r.data);
      } catch (err) {
        submit.disabled = false;
        replace(status, errorBox(err));
      }
    });
    return form;
  });
}

export async function render(root, {signal, navigate}) {
  const add = h('button', {type: 'button', class: 'primary'}, 'New number…');
  const heading = h('div', {class: 'heading'}, h('h1', {}, 'Phone numbers'), h('div', {class: 'actions'}, add));
  const results = h('div', {'aria-live': 'polite'});
  const prev = h('button', {type: 'button', disabled: true}, '← Previous');
  const next = h('button', {type: 'button', disabled: true}, 'Next →');
  const pageLabel = h('span', {class: 'muted'});
  replace(root, heading, results, h('nav', {class: 'pager', 'aria-label': 'Pages of phone numbers'}, prev, pageLabel, next));
  const keys = [undefined];
  let page = 0;

  add.addEventListener('click', async () => {
    const p = await newNumberDialog();
    if (p) navigate(`#/phone-numbers/${encodeURIComponent(p.phone_number)}`);
  });

  async function load() {
    replace(results, loading('Loading phone numbers'));
    try {
      const {data} = await phones.list({limit: PAGE, key: keys[page]}, signal);
      if (data.has_more && data.pagination_key) keys[page + 1] = data.pagination_key;
      prev.disabled = page === 0;
      next.disabled = !data.has_more;
      pageLabel.textContent = `Page ${page + 1}`;
      const items = data.items || [];
      if (!items.length) {
        replace(results, h('p', {class: 'empty'}, 'No phone numbers yet. Get or import one with New number.'));
        return;
      }
      replace(results, h('table', {class: 'list phones'},
        h('caption', {class: 'sr-only'}, 'Phone numbers, most recently created first'),
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Number'), h('th', {scope: 'col'}, 'Nickname'),
          h('th', {scope: 'col'}, 'Inbound'), h('th', {scope: 'col'}, 'Outbound'), h('th', {scope: 'col'}, 'Modified'))),
        h('tbody', {}, items.map((p) => h('tr', {},
          h('td', {'data-label': 'Number'}, h('a', {href: `#/phone-numbers/${encodeURIComponent(p.phone_number)}`},
            p.phone_number_pretty || p.phone_number), ' ', h('span', {class: 'muted small'}, p.phone_number_type || '')),
          h('td', {'data-label': 'Nickname'}, p.nickname || h('span', {class: 'muted'}, '—')),
          h('td', {'data-label': 'Inbound'}, bindingText(p.inbound_agents)),
          h('td', {'data-label': 'Outbound'}, bindingText(p.outbound_agents)),
          h('td', {'data-label': 'Modified'}, timeEl(p.last_modification_timestamp)))))));
    } catch (err) {
      if (err.name !== 'AbortError') replace(results, errorBox(err));
    }
  }
  prev.addEventListener('click', () => { if (page > 0) { page--; load(); } });
  next.addEventListener('click', () => { if (keys[page + 1]) { page++; load(); } });
  await load();
  return null;
}
