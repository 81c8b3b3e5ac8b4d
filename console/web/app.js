// The console's shell: sign-in, the navigation and a hash router that loads
// each view as its own module, so that a view that fails leaves the others
// working.

import {call, session, onUnauthorized} from './api.js';
import {h, replace, errorBox, loading, field} from './dom.js';

const main = document.getElementById('main');
const top = document.getElementById('top');

// routes map a hash path to a view module and the names of its parameters.
const routes = [
  [/^\/agents$/, 'agents', []],
  [/^\/agents\/([^/]+)$/, 'agent', ['id']],
  [/^\/agents\/([^/]+)\/v\/(\d+)$/, 'agent', ['id', 'version']],
  [/^\/agents\/([^/]+)\/diff$/, 'diff', ['id']],
  [/^\/agents\/([^/]+)\/tags\/([^/]+)$/, 'taghistory', ['id', 'tag']],
  [/^\/phone-numbers$/, 'phones', []],
  [/^\/phone-numbers\/([^/]+)$/, 'phone', ['number']],
  [/^\/resolve$/, 'resolve', []],
  [/^\/audit$/, 'audit', []],
];

// current is the view on screen: its module name, its handle (update and
// cleanup) and the controller whose signal aborts its requests.
let current = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/agents';
  const [path, qs] = raw.split('?');
  return {path, query: new URLSearchParams(qs || '')};
}

async function route() {
  if (!session.key()) {
    showSignIn();
    return;
  }
  top.hidden = false;
  const {path, query} = parseHash();
  let match = null;
  for (const [re, name, names] of routes) {
    const m = re.exec(path);
    if (m) {
      const params = {};
      names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      match = {name, params};
      break;
    }
  }
  markSection(path);
  if (!match) {
    leave();
    replace(main, h('h1', {tabindex: '-1'}, 'Not found'), h('p', {}, 'The console has no page at ', h('code', {}, path), '. ',
      h('a', {href: '#/agents'}, 'Go to the agents.')));
    focusHeading();
    return;
  }
  if (current && current.name === match.name && current.handle && current.handle.update &&
      current.handle.update(match.params, query)) {
    return;
  }
  leave();
  const controller = new AbortController();
  const section = h('div', {class: 'view'});
  replace(main, section, loading());
  current = {name: match.name, controller, handle: null};
  const mine = current;
  try {
    const mod = await import(`./views/${match.name}.js`);
    if (current !== mine) return;
    main.replaceChildren(section);
    const handle = await mod.render(section, {params: match.params, query, signal: controller.signal, navigate});
    if (current === mine) mine.handle = handle || null;
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    if (current !== mine) return;
    const upgraded = err instanceof TypeError && /module|import/i.test(err.message);
    replace(main, h('h1', {tabindex: '-1'}, 'This view failed'), errorBox(upgraded
      ? {message: 'The console was updated on the server. Reload the page to get the new version.'}
      : err, h('button', {type: 'button', onclick: () => location.reload()}, 'Reload')));
  }
  if (current === mine) focusHeading();
}

function leave() {
  if (current) {
    current.controller.abort();
    if (current.handle && current.handle.cleanup) current.handle.cleanup();
  }
  current = null;
}

// focusHeading moves focus to the new view's heading, so keyboard and
// screen-reader users start at the top of what changed.
function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({preventScroll: false});
  }
}

function markSection(path) {
  const section = path.split('/')[1] || 'agents';
  for (const a of top.querySelectorAll('nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// navigate goes to a hash route; replace keeps it out of the history.
export function navigate(hash, {replace: rep = false} = {}) {
  if (rep) {
    history.replaceState(null, '', hash);
    route();
  } else {
    location.hash = hash;
  }
}

function showSignIn(message) {
  leave();
  top.hidden = true;
  const input = h('input', {type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'key_…', autofocus: true});
  const status = h('div', {'aria-live': 'polite'});
  if (message) replace(status, errorBox({message}));
  const button = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
  const form = h('form', {class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    replace(status, loading('Checking the key'));
    try {
      await call('POST', '/v2/list-agents', {query: {limit: 1}, key});
      session.signIn(key);
      replace(status);
      route();
    } catch (err) {
      replace(status, errorBox(err));
      button.disabled = false;
      input.focus();
    }
  }},
  h('h1', {}, 'agentry console'),
  h('p', {}, 'Sign in with an API key of your workspace. The key stays in this tab only and is sent to this server alone; closing the tab or signing out forgets it.'),
  field('API key', input),
  button,
  status);
  replace(main, form);
  input.focus();
}

function signOut(message) {
  session.signOut();
  showSignIn(message);
}

document.getElementById('sign-out').addEventListener('click', () => signOut());
document.getElementById('skip').addEventListener('click', () => {
  const heading = main.querySelector('h1') || main;
  heading.setAttribute('tabindex', '-1');
  heading.focus();
});
onUnauthorized((message) => signOut(`${message} Sign in again.`));
// A request aborted because its view went away is expected, not an error.
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason && e.reason.name === 'AbortError') e.preventDefault();
});
window.addEventListener('hashchange', route);
route();
