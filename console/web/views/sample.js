// Routing a crowd: resolve many made-up counterparts of one number and
// direction, and set how often each entry answered beside its weight. In
// sticky mode the same counterparts always get the same answers, so a run
// shows which share of callers each entry holds; in random mode each run
// draws again.

import {resolve} from '../api.js';
import {h, replace, errorBox, field, busy} from '../dom.js';
import {LISTS, versionText} from './phones.js';

// IN_FLIGHT is how many resolves run at once: enough to be quick, few
// enough to leave the server (and the browser's connections) for others.
const IN_FLIGHT = 6;

// counterpart is the i-th made-up number: +1 555 and seven digits, a range
// no real caller has.
export function counterpart(i) {
  return `+1555${String(i).padStart(7, '0')}`;
}

// sampler is the form and the table of one run, for phone number p (as
// saved); mode() is its routing mode now.
export function sampler(p, mode) {
  const lists = LISTS.filter(([key]) => (p[key] || []).length);
  const section = h('div', {class: 'sampler'});
  if (!lists.length) {
    replace(section, h('p', {class: 'muted'}, 'Bind agents to the number to see how its calls spread over them.'));
    return section;
  }
  const direction = h('select', {}, lists.map(([key, title, dir]) => h('option', {value: dir}, title)));
  const count = h('select', {}, [100, 1000].map((n) => h('option', {value: String(n)}, n.toLocaleString('en-US'))));
  count.value = '1000';
  const run = h('button', {type: 'submit'}, 'Try the callers');
  const out = h('div', {'aria-live': 'polite', class: 'sample-out'});
  const form = h('form', {class: 'toolbar'},
    field('Traffic', direction), field('Made-up counterparts', count, 'numbers +1 555 000 0000 and up'),
    h('div', {class: 'field buttons-inline'}, run), out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(run, go());
  });

  async function go() {
    const dir = direction.value;
    const [key] = lists.find(([, , d]) => d === dir);
    const entries = p[key];
    const n = Number(count.value);
    const tally = entries.map(() => 0);
    const side = dir.startsWith('inbound') ? 'from_number' : 'to_number';
    let next = 0;
    let done = 0;
    const progress = h('p', {class: 'muted', role: 'status'}, `Resolving 0 of ${n}…`);
    replace(out, progress);
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const {data} = await resolve({phone_number: p.phone_number, direction: dir, [side]: counterpart(i)});
        tally[data.entry]++;
        done++;
        if (done % 50 === 0) progress.textContent = `Resolving ${done} of ${n}…`;
      }
    };
    try {
      await Promise.all(Array.from({length: IN_FLIGHT}, worker));
    } catch (err) {
      replace(out, errorBox(err));
      return;
    }
    const m = mode();
    replace(out, h('table', {class: 'list sample'},
      h('caption', {}, `${n.toLocaleString('en-US')} made-up ${side === 'from_number' ? 'callers' : 'callees'}, ${m} mode`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Entry'), h('th', {scope: 'col'}, 'Agent'), h('th', {scope: 'col'}, 'Version'),
        h('th', {scope: 'col'}, 'Weight'), h('th', {scope: 'col'}, 'Answered'), h('th', {scope: 'col'}, 'Share'))),
      h('tbody', {}, entries.map((b, i) => h('tr', {},
        h('td', {'data-label': 'Entry'}, String(i + 1)),
        h('td', {'data-label': 'Agent'}, h('a', {href: `#/agents/${encodeURIComponent(b.agent_id)}`}, h('code', {}, b.agent_id))),
        h('td', {'data-label': 'Version'}, versionText(b.agent_version)),
        h('td', {'data-label': 'Weight', class: 'num'}, `${percent(b.weight)}`),
        h('td', {'data-label': 'Answered', class: 'num answered'}, String(tally[i])),
        h('td', {'data-label': 'Share', class: 'num share'}, h('meter', {min: '0', max: '1', value: String(tally[i] / n),
          'aria-label': `Share of entry ${i + 1}`}), ` ${percent(tally[i] / n)}`))))),
    h('p', {class: 'hint'}, m === 'sticky'
      ? 'Sticky: these counterparts get these answers every time, while the weights stand.'
      : 'Random: each call draws again, so another run gives other counts around the weights.'));
  }
  replace(section, form);
  return section;
}

function percent(x) {
  return `${Math.round(x * 1000) / 10}%`;
}
