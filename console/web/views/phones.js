// Phone numbers, a page at a time, with the agents each routes to.

import {phones} from '../api.js';
import * as features from '../features.js';
import {h, replace, errorBox, loading, timeEl, unavailable} from '../dom.js';

const PAGE = 50;

// LISTS are a number's four binding lists, in the order they are shown.
export const LISTS = [
  ['inbound_agents', 'Inbound calls'],
  ['outbound_agents', 'Outbound calls'],
  ['inbound_sms_agents', 'Inbound SMS'],
  ['outbound_sms_agents', 'Outbound SMS'],
];

// bindingText summarises a binding list: agent, version and share.
export function bindingText(list) {
  if (!list || !list.length) return h('span', {class: 'muted'}, '—');
  return h('ul', {class: 'bindings'}, list.map((b) => h('li', {},
    h('code', {}, b.agent_id), ` ${b.agent_version === undefined || b.agent_version === null ? 'latest' : b.agent_version}`,
    ` · ${Math.round(b.weight * 1000) / 10}%`)));
}

export async function render(root, {signal}) {
  const heading = h('div', {class: 'heading'}, h('h1', {}, 'Phone numbers'));
  if (!features.has('phones')) {
    replace(root, heading, unavailable('Phone numbers', 'GET /v2/list-phone-numbers'));
    return null;
  }
  const results = h('div', {'aria-live': 'polite'});
  const prev = h('button', {type: 'button', disabled: true}, '← Previous');
  const next = h('button', {type: 'button', disabled: true}, 'Next →');
  const pageLabel = h('span', {class: 'muted'});
  replace(root, heading, results, h('nav', {class: 'pager', 'aria-label': 'Pages of phone numbers'}, prev, pageLabel, next));
  const keys = [undefined];
  let page = 0;

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
        replace(results, h('p', {class: 'empty'}, 'No phone numbers yet. Create or import one with the API or an SDK.'));
        return;
      }
      replace(results, h('table', {class: 'list phones'},
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Number'), h('th', {scope: 'col'}, 'Nickname'),
          h('th', {scope: 'col'}, 'Inbound'), h('th', {scope: 'col'}, 'Outbound'), h('th', {scope: 'col'}, 'Modified'))),
        h('tbody', {}, items.map((p) => h('tr', {},
          h('td', {'data-label': 'Number'}, h('a', {href: `#/phone-numbers/${encodeURIComponent(p.phone_number)}`},
            p.phone_number_pretty || p.phone_number)),
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
