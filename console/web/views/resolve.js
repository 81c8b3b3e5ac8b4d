// "Which version answers this caller?": asks the server what would serve a
// call now, for a phone number and direction (and the caller's number, which
// sticky routing keys on), or for an agent and a version reference.

import {resolve} from '../api.js';
import {h, replace, errorBox, loading, field, chip} from '../dom.js';

// DIRECTIONS are the traffic a number carries, as resolve names it.
const DIRECTIONS = [['inbound', 'Inbound call'], ['outbound', 'Outbound call'], ['inbound_sms', 'Inbound SMS'], ['outbound_sms', 'Outbound SMS']];

function answer(r) {
  const base = `#/agents/${encodeURIComponent(r.agent_id)}`;
  const vars = Object.keys(r.dynamic_variables || {}).sort();
  return h('div', {class: 'answer', role: 'status'},
    h('p', {class: 'big'}, h('a', {href: `${base}/v/${r.agent_version}`}, `${r.agent_id} v${r.agent_version}`), ' ',
      r.is_published ? chip('published', 'published') : chip('draft', 'draft'),
      r.agent_tag ? chip(`tag ${r.agent_tag}`, 'tag') : null),
    h('dl', {class: 'facts'},
      r.phone_number ? [h('dt', {}, 'Picked'), h('dd', {}, `entry ${r.entry + 1} of ${r.direction.replace(/_/g, ' ')} (${r.routing_mode} mode)`)] : null,
      h('dt', {}, 'Agent'), h('dd', {}, h('a', {href: base}, r.agent_id)),
      h('dt', {}, 'Version'), h('dd', {}, String(r.agent_version)),
      h('dt', {}, 'Tag'), h('dd', {}, r.agent_tag || h('span', {class: 'muted'}, 'none')),
      h('dt', {}, 'Dynamic variables'), h('dd', {}, vars.length
        ? h('span', {class: 'vars'}, vars.map((k) => h('span', {class: 'var'}, h('code', {}, k), '=', r.dynamic_variables[k])))
        : h('span', {class: 'muted'}, 'none'))));
}

// numberTester is a form that resolves a call to or from phone number (fixed
// when given).
export function numberTester(number) {
  const phone = h('input', {type: 'tel', value: number || '', readonly: Boolean(number), required: true,
    autocomplete: 'off', placeholder: '+14155550100'});
  const direction = h('select', {}, DIRECTIONS.map(([d, text]) => h('option', {value: d}, text)));
  const counterpart = h('input', {type: 'tel', autocomplete: 'off', placeholder: '+14155550199'});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'toolbar tester'},
    number ? null : field('Phone number', phone),
    field('Direction', direction),
    field('Caller or callee', counterpart, 'The other party (sticky routing gives each the same answer)'),
    h('div', {class: 'field buttons-inline'}, h('button', {type: 'submit', class: 'primary'}, 'Which version answers?')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {phone_number: phone.value.trim(), direction: direction.value};
    const other = counterpart.value.trim();
    if (other) {
      if (direction.value.startsWith('inbound')) body.from_number = other;
      else body.to_number = other;
    }
    replace(out, loading('Resolving'));
    try {
      const {data} = await resolve(body);
      replace(out, answer(data));
    } catch (err) {
      replace(out, errorBox(err));
    }
  });
  return form;
}

function agentTester() {
  const agent = h('input', {type: 'text', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'agent_…',
    class: 'id-input'});
  const ref = h('input', {type: 'text', autocomplete: 'off', placeholder: 'latest'});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'toolbar tester'},
    field('Agent id', agent), field('Version', ref, 'a number, latest, latest_published or a tag; empty means latest'),
    h('div', {class: 'field buttons-inline'}, h('button', {type: 'submit', class: 'primary'}, 'Resolve')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {agent_id: agent.value.trim()};
    const r = ref.value.trim();
    if (r) body.agent_version = /^\d+$/.test(r) ? Number(r) : r;
    replace(out, loading('Resolving'));
    try {
      const {data} = await resolve(body);
      replace(out, answer(data));
    } catch (err) {
      replace(out, errorBox(err));
    }
  });
  return form;
}

export async function render(root) {
  const heading = h('div', {class: 'heading'}, h('h1', {}, 'Which version answers?'));
  replace(root, heading,
    h('p', {}, 'Ask what would serve a call now, before any call comes: the agent, the exact version, the tag and the dynamic variables that apply.'),
    h('section', {'aria-labelledby': 'by-number'}, h('h2', {id: 'by-number'}, 'A call to or from a phone number'), numberTester()),
    h('section', {'aria-labelledby': 'by-agent'}, h('h2', {id: 'by-agent'}, 'An agent and a version reference'), agentTester()));
  return null;
}
