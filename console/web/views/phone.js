// One phone number: its weighted bindings, edited and checked as you type
// (each weight in (0, 1], the weights of a list summing to 1), its routing
// mode, and a tester that asks which version would answer a call now.

import {phones} from '../api.js';
import * as features from '../features.js';
import {h, replace, errorBox, loading, timeEl, toast, unavailable, field, busy} from '../dom.js';
import {LISTS} from './phones.js';
import {numberTester} from './resolve.js';

// TOLERANCE is how far from 1 a list's weights may sum, for floating point
// (0.1 + 0.2 + 0.7 is not exactly 1 in binary).
export const TOLERANCE = 1e-6;

// checkList checks one binding list as typed: rows of {agent_id,
// agent_version, weight} strings. It returns the problem of each row ('' for
// none) and the list's own problem ('' for none).
export function checkList(rows) {
  const seen = new Set();
  let sum = 0;
  const problems = rows.map((r) => {
    const w = Number(r.weight);
    if (!r.agent_id.trim()) return 'Name an agent.';
    if (r.weight.trim() === '' || !Number.isFinite(w)) return 'The weight must be a number.';
    if (w <= 0 || w > 1) return 'The weight must be more than 0 and at most 1.';
    sum += w;
    const key = `${r.agent_id.trim()}@${r.agent_version.trim() || 'latest'}`;
    if (seen.has(key)) return 'This agent and version are already in the list.';
    seen.add(key);
    return '';
  });
  let list = '';
  if (rows.length && !problems.some(Boolean) && Math.abs(sum - 1) > TOLERANCE) {
    list = `The weights sum to ${Math.round(sum * 10000) / 10000}; they must sum to 1.`;
  }
  return {problems, list, sum};
}

// bindingOf turns a typed row into a binding: a version that is all digits
// is a number; an empty one is left out (latest).
function bindingOf(r) {
  const b = {agent_id: r.agent_id.trim(), weight: Number(r.weight)};
  const v = r.agent_version.trim();
  if (v) b.agent_version = /^\d+$/.test(v) ? Number(v) : v;
  return b;
}

function listEditor(key, title, initial, onChange) {
  const rows = (initial || []).map((b) => ({
    agent_id: b.agent_id || '',
    agent_version: b.agent_version === undefined || b.agent_version === null ? '' : String(b.agent_version),
    weight: String(b.weight),
  }));
  const tbody = h('tbody');
  const sumLine = h('p', {class: 'sum', 'aria-live': 'polite'});
  const table = h('table', {class: 'list weights'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Agent id'), h('th', {scope: 'col'}, 'Version'),
        h('th', {scope: 'col'}, 'Weight'), h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Remove')))),
      tbody);
  const section = h('section', {class: 'binding-list', 'aria-labelledby': `${key}-h`},
    h('h3', {id: `${key}-h`}, title),
    table,
    sumLine,
    h('div', {class: 'buttons'},
      h('button', {type: 'button', onclick: () => { rows.push({agent_id: '', agent_version: '', weight: rows.length ? '0' : '1'}); draw(true); }},
        'Add an agent'),
      h('button', {type: 'button', onclick: () => { even(); draw(); }}, 'Split evenly')));

  function even() {
    if (!rows.length) return;
    const share = Math.floor(10000 / rows.length) / 10000;
    rows.forEach((r, i) => {
      r.weight = String(i === rows.length - 1 ? Math.round((1 - share * (rows.length - 1)) * 10000) / 10000 : share);
    });
  }

  const state = {check: checkList(rows)};
  function validate() {
    state.check = checkList(rows);
    [...tbody.rows].forEach((tr, i) => {
      const problem = state.check.problems[i];
      const msg = tr.querySelector('.row-problem');
      msg.textContent = problem;
      for (const input of tr.querySelectorAll('input')) input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    });
    const total = Math.round(state.check.sum * 10000) / 10000;
    table.hidden = !rows.length;
    sumLine.className = `sum ${!rows.length ? 'none' : state.check.list ? 'bad' : 'good'}`;
    sumLine.textContent = !rows.length ? 'No agents: this list routes nothing.'
      : state.check.list || (state.check.problems.some(Boolean) ? 'Fix the rows above.' : `The weights sum to ${total}.`);
    onChange();
  }

  function draw(focusLast) {
    replace(tbody, rows.map((r, i) => {
      const input = (prop, attrs, label) => {
        const el = h('input', {...attrs, value: r[prop], 'aria-label': `${label}, row ${i + 1} of ${title}`});
        el.addEventListener('input', () => { r[prop] = el.value; validate(); });
        return el;
      };
      const problemId = `${key}-problem-${i}`;
      return h('tr', {},
        h('td', {'data-label': 'Agent id'}, input('agent_id', {type: 'text', autocomplete: 'off', class: 'agent-id', 'aria-describedby': problemId}, 'Agent id')),
        h('td', {'data-label': 'Version'}, input('agent_version', {type: 'text', autocomplete: 'off', placeholder: 'latest', size: '8', 'aria-describedby': problemId}, 'Version')),
        h('td', {'data-label': 'Weight'}, input('weight', {type: 'number', min: '0', max: '1', step: 'any', inputmode: 'decimal', class: 'weight', 'aria-describedby': problemId}, 'Weight'),
          h('span', {class: 'row-problem', id: problemId})),
        h('td', {}, h('button', {type: 'button', class: 'quiet', 'aria-label': `Remove row ${i + 1} of ${title}`,
          onclick: () => { rows.splice(i, 1); draw(); }}, 'Remove')));
    }));
    validate();
    if (focusLast && tbody.rows.length) tbody.rows[tbody.rows.length - 1].querySelector('input').focus();
  }
  draw();
  return {
    section,
    ok: () => !state.check.list && !state.check.problems.some(Boolean),
    value: () => rows.map(bindingOf),
  };
}

export async function render(root, {params, signal}) {
  const number = params.number;
  const top = [
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/phone-numbers'}, 'Phone numbers'), ' / '),
  ];
  if (!features.has('phone')) {
    replace(root, top, h('h1', {}, number), unavailable('Phone numbers', 'GET /get-phone-number/{phone_number}'));
    return null;
  }
  replace(root, top, loading('Loading the number'));
  let p;
  try {
    ({data: p} = await phones.get(number, signal));
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    replace(root, top, h('h1', {}, number), errorBox(err));
    return null;
  }
  const status = h('div', {'aria-live': 'polite'});
  const save = h('button', {type: 'submit', class: 'primary'}, 'Save bindings');
  const canEdit = features.has('phoneUpdate');
  let editors = [];
  const form = h('form', {class: 'bindings-form', 'aria-labelledby': 'bindings-h'});

  function drawBindings() {
    editors = LISTS.map(([key, title]) => ({key, before: p[key] || [], ed: listEditor(key, title, p[key], refresh)}));
    replace(form, h('h2', {id: 'bindings-h'}, 'Agents this number routes to'),
      h('p', {class: 'hint'}, 'Each list picks one agent per call or message, in proportion to the weights. A version may be a number, a tag, latest or latest_published; empty means latest.'),
      editors.map((e) => e.ed.section), status,
      canEdit ? h('div', {class: 'buttons'}, save) : null);
    refresh();
  }
  function refresh() {
    save.disabled = !editors.every((e) => e.ed.ok());
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!editors.every((x) => x.ed.ok())) return;
    const patch = {};
    for (const {key, before, ed} of editors) {
      const after = ed.value();
      if (JSON.stringify(after) !== JSON.stringify(before)) patch[key] = after.length ? after : null;
    }
    if (!Object.keys(patch).length) {
      replace(status, h('p', {class: 'muted'}, 'Nothing changed.'));
      return;
    }
    await busy(save, (async () => {
      try {
        ({data: p} = await phones.update(number, patch));
        toast('Bindings saved.');
        replace(status);
        drawBindings();
      } catch (err) {
        replace(status, errorBox(err));
      }
    })());
  });

  replace(root, top,
    h('div', {class: 'heading'}, h('h1', {}, p.phone_number_pretty || p.phone_number)),
    h('p', {class: 'meta'}, p.nickname ? `${p.nickname} · ` : '', `${p.phone_number_type || ''} · modified `, timeEl(p.last_modification_timestamp)),
    form,
    await routingSection(p, signal),
    h('section', {'aria-labelledby': 'tester-h'}, h('h2', {id: 'tester-h'}, 'Which version answers?'),
      features.has('resolve') ? numberTester(p.phone_number) : unavailable('The tester', 'POST /agentry/v1/resolve')));
  drawBindings();
  return null;
}

// routingSection shows and sets how the number picks among its agents:
// random per call (Retell's way) or sticky per counterpart number.
async function routingSection(p, signal) {
  const section = h('section', {'aria-labelledby': 'routing-h'}, h('h2', {id: 'routing-h'}, 'Routing mode'));
  if (!features.has('routing')) {
    section.append(unavailable('Setting the routing mode', 'PUT /agentry/v1/phone-numbers/{phone_number}/routing'));
    return section;
  }
  let mode = p.routing_mode || p.mode || null;
  if (features.has('routingGet')) {
    try {
      const {data} = await phones.getRouting(p.phone_number, signal);
      mode = (data && data.mode) || mode;
    } catch (err) {
      if (err.name === 'AbortError') throw err;
    }
  }
  const select = h('select', {value: mode || 'random'},
    h('option', {value: 'random'}, 'Random: each call picks by the weights'),
    h('option', {value: 'sticky'}, 'Sticky: the same caller gets the same agent while the weights stand'));
  const status = h('div', {'aria-live': 'polite'});
  const save = h('button', {type: 'submit'}, 'Set mode');
  const form = h('form', {class: 'toolbar'}, field('Mode', select), h('div', {class: 'field buttons-inline'}, save), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(save, (async () => {
      try {
        const {data} = await phones.routing(p.phone_number, select.value);
        const now = (data && data.mode) || select.value;
        replace(status, h('p', {class: 'muted'}, `The number routes in ${now} mode.`));
        toast(`Routing mode: ${now}.`);
      } catch (err) {
        replace(status, errorBox(err));
      }
    })());
  });
  section.append(h('p', {class: 'muted'}, mode ? `Now: ${mode}.` : 'The default is random, as in Retell.'), form);
  return section;
}
