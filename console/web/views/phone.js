// One phone number: its weighted bindings, edited and checked as you type
// with the API's rules (each weight in (0, 1], a list's weights summing to 1
// within the API's tolerance, no agent and version twice, at most 100
// entries), its routing mode, and testers that ask which version would
// answer a call now.

import {phones, agents} from '../api.js';
import {h, replace, errorBox, loading, timeEl, toast, field, busy, debounce} from '../dom.js';
import {LISTS} from './phones.js';
import {numberTester} from './resolve.js';
import {sampler} from './sample.js';

// TOLERANCE is how far from 1 a list's weights may sum, as the API allows
// (room for binary floating point: 0.1 + 0.2 + 0.7 is not exactly 1).
export const TOLERANCE = 1e-6;

// MAX is the most entries a list may have (the API's limit).
export const MAX = 100;

// checkList checks one binding list as typed: rows of {agent_id,
// agent_version, weight} strings. It returns the problem of each row ('' for
// none), the list's own problem ('' for none) and the sum.
export function checkList(rows) {
  const seen = new Map();
  let sum = 0;
  const problems = rows.map((r, i) => {
    const w = Number(r.weight);
    if (!r.agent_id.trim()) return 'Name an agent.';
    if (r.weight.trim() === '' || !Number.isFinite(w)) return 'The weight must be a number.';
    if (w <= 0 || w > 1) return 'The weight must be greater than 0 and at most 1.';
    sum += w;
    const key = `${r.agent_id.trim()}@${r.agent_version.trim() || 'latest'}`;
    if (seen.has(key)) return `Row ${seen.get(key) + 1} has this agent and version already.`;
    seen.set(key, i);
    return '';
  });
  let list = '';
  if (rows.length > MAX) {
    list = `A list has at most ${MAX} agents; this one has ${rows.length}.`;
  } else if (rows.length && !problems.some(Boolean) && Math.abs(sum - 1) > TOLERANCE) {
    list = `The weights sum to ${Math.round(sum * 1e7) / 1e7}; they must sum to 1.`;
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

// same says whether two binding lists are the same entries in the same
// order, whatever the order of their fields.
function same(a, b) {
  const text = (list) => list.map((x) => `${x.agent_id}\n${x.agent_version ?? ''}\n${x.weight}`).join('\n\n');
  return a.length === b.length && text(a) === text(b);
}

// known remembers the agents looked up by id (name, channel, tags) while a
// number's page is open, so that a row shows whom it routes to.
const known = new Map();

async function lookUp(id) {
  if (!known.has(id)) {
    known.set(id, agents.list({filter_criteria: {query: id}}, {limit: 20})
      .then(({data}) => (data.items || []).find((a) => a.agent_id === id) || null)
      .catch(() => undefined));
  }
  return known.get(id);
}

function listEditor(key, title, channel, initial, onChange) {
  const rows = (initial || []).map((b) => ({
    agent_id: b.agent_id || '',
    agent_version: b.agent_version === undefined || b.agent_version === null ? '' : String(b.agent_version),
    weight: String(b.weight),
  }));
  const tbody = h('tbody');
  const sumLine = h('p', {class: 'sum', 'aria-live': 'polite'});
  const split = h('button', {type: 'button', onclick: () => { even(); draw(); }}, 'Split evenly');
  const table = h('table', {class: 'list weights'},
    h('caption', {class: 'sr-only'}, `${title}: agents and weights`),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Agent'), h('th', {scope: 'col'}, 'Version'),
      h('th', {scope: 'col'}, 'Weight'), h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Remove')))),
    tbody);
  const section = h('section', {class: 'binding-list', 'aria-labelledby': `${key}-h`},
    h('h3', {id: `${key}-h`}, title, ' ', h('span', {class: 'muted small'}, `${channel} agents`)),
    table,
    sumLine,
    h('div', {class: 'buttons'},
      h('button', {type: 'button', onclick: () => { rows.push({agent_id: '', agent_version: '', weight: rows.length ? '' : '1'}); draw(true); }},
        'Add an agent'),
      split));

  function even() {
    if (!rows.length) return;
    const share = Math.floor(1e7 / rows.length) / 1e7;
    rows.forEach((r, i) => {
      r.weight = String(i === rows.length - 1 ? Math.round((1 - share * (rows.length - 1)) * 1e7) / 1e7 : share);
    });
  }

  const state = {check: checkList(rows)};
  function validate() {
    state.check = checkList(rows);
    [...tbody.rows].forEach((tr, i) => {
      const problem = state.check.problems[i];
      tr.querySelector('.row-problem').textContent = problem;
      for (const input of tr.querySelectorAll('input')) input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    });
    const total = Math.round(state.check.sum * 1e7) / 1e7;
    table.hidden = !rows.length;
    split.hidden = rows.length < 2;
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
      const agentList = h('datalist', {id: `${key}-agents-${i}`});
      const versionList = h('datalist', {id: `${key}-versions-${i}`});
      const who = h('span', {class: 'who muted small'});
      const agentInput = input('agent_id', {type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'agent-id',
        placeholder: 'Search by name or paste an id', list: agentList.id, 'aria-describedby': `${problemId} ${key}-who-${i}`}, 'Agent');
      who.id = `${key}-who-${i}`;
      // Suggest agents of the list's channel as a name or id is typed, and
      // say whom a complete id names (its name, its tags as versions).
      const suggest = debounce(async () => {
        const q = agentInput.value.trim();
        if (!q) { replace(who); return; }
        const a = /^agent_[0-9a-f]{32}$/.test(q) ? await lookUp(q) : undefined;
        if (a !== undefined) {
          replace(who, a ? `${a.agent_name || '(no name)'} · ${a.channel}` : 'No such agent in this workspace.');
          if (a) {
            replace(versionList, ['latest', 'latest_published', ...Object.keys(a.tags || {}).sort()].map((v) => h('option', {value: v})));
          }
          return;
        }
        try {
          const {data} = await agents.list({filter_criteria: {query: q, channel: {type: 'string', op: 'eq', value: channel}}}, {limit: 10});
          replace(agentList, (data.items || []).map((x) => h('option', {value: x.agent_id}, x.agent_name || x.agent_id)));
        } catch {
          replace(agentList);
        }
      }, 250);
      agentInput.addEventListener('input', suggest);
      if (r.agent_id) suggest();
      return h('tr', {},
        h('td', {'data-label': 'Agent'}, agentInput, agentList, who),
        h('td', {'data-label': 'Version'}, input('agent_version', {type: 'text', autocomplete: 'off', spellcheck: 'false',
          placeholder: 'latest', size: '10', list: versionList.id, 'aria-describedby': problemId}, 'Version'), versionList),
        h('td', {'data-label': 'Weight'}, input('weight', {type: 'number', min: '0', max: '1', step: 'any', inputmode: 'decimal',
          class: 'weight', 'aria-describedby': problemId}, 'Weight'),
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
  known.clear(); // names are read again for each page, and never outlive a sign-out
  const top = [
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/phone-numbers'}, 'Phone numbers'), ' / '),
  ];
  replace(root, top, loading('Loading the number'));
  let p;
  let mode;
  try {
    const [a, b] = await Promise.all([phones.get(number, signal), phones.getRouting(number, signal)]);
    p = a.data;
    mode = b.data.mode;
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    replace(root, top, h('h1', {}, number), errorBox(err));
    return null;
  }
  const status = h('div', {'aria-live': 'polite'});
  const save = h('button', {type: 'submit', class: 'primary'}, 'Save bindings');
  let editors = [];
  const form = h('form', {class: 'bindings-form', 'aria-labelledby': 'bindings-h'});
  const testers = h('div');

  function drawBindings() {
    editors = LISTS.map(([key, title, , channel]) => ({key, before: p[key] || [], ed: listEditor(key, title, channel, p[key], refresh)}));
    replace(form, h('h2', {id: 'bindings-h'}, 'Agents this number routes to'),
      h('p', {class: 'hint'}, 'Each list picks one agent per call or message, in proportion to the weights, which must sum to 1. ' +
        'A version is a number, a tag, latest or latest_published; empty means latest.'),
      editors.map((e) => e.ed.section), status,
      h('div', {class: 'buttons'}, save));
    refresh();
    replace(testers, sampler(p, () => mode));
  }
  function refresh() {
    save.disabled = !editors.every((e) => e.ed.ok());
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!editors.every((x) => x.ed.ok())) return;
    // Only the lists that changed are sent: a list another person edited
    // meanwhile is not overwritten by this page's copy of it.
    const patch = {};
    for (const {key, before, ed} of editors) {
      const after = ed.value();
      if (same(after, before)) continue;
      patch[key] = after.length ? after : null;
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
    h('div', {class: 'heading'}, h('h1', {}, p.phone_number_pretty || p.phone_number),
      h('div', {class: 'actions'}, h('a', {class: 'button',
        href: `#/audit?object_type=phone_number&object_id=${encodeURIComponent(p.phone_number)}`}, 'Audit log'))),
    h('p', {class: 'meta'}, p.nickname ? `${p.nickname} · ` : '', `${p.phone_number_type || ''} · modified `, timeEl(p.last_modification_timestamp)),
    form,
    routingSection(p, mode, (m) => { mode = m; }),
    h('section', {'aria-labelledby': 'tester-h'}, h('h2', {id: 'tester-h'}, 'Which version answers?'),
      numberTester(p.phone_number), testers));
  drawBindings();
  return null;
}

// routingSection shows and sets how the number picks among its agents:
// random per call (Retell's way) or sticky per counterpart number.
function routingSection(p, mode, changed) {
  const select = h('select', {value: mode},
    h('option', {value: 'random'}, 'Random: each call picks by the weights'),
    h('option', {value: 'sticky'}, 'Sticky: the same caller gets the same agent while the weights stand'));
  const now = h('p', {class: 'muted', 'aria-live': 'polite'}, `Now: ${mode}.`);
  const status = h('div', {'aria-live': 'polite'});
  const save = h('button', {type: 'submit'}, 'Set mode');
  const form = h('form', {class: 'toolbar'}, field('Mode', select), h('div', {class: 'field buttons-inline'}, save), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(save, (async () => {
      try {
        const {data} = await phones.routing(p.phone_number, select.value);
        changed(data.mode);
        now.textContent = `Now: ${data.mode}.`;
        replace(status);
        toast(`The number routes in ${data.mode} mode.`);
      } catch (err) {
        replace(status, errorBox(err));
      }
    })());
  });
  return h('section', {'aria-labelledby': 'routing-h'}, h('h2', {id: 'routing-h'}, 'Routing mode'), now, form);
}
