// Small DOM helpers. Text always goes in as text (never as HTML), so nothing
// the API returns can become markup or script.

// h builds an element: h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child).
// Attributes whose value is false, null or undefined are left out; true sets
// an empty attribute.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const props = [];
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'value' || name === 'checked') {
      props.push([name, value]); // after the children: a <select>'s options must exist first
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  for (const [name, value] of props) el[name] = value;
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// replace empties el and puts children in it.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// time formats milliseconds since the epoch as a local date and time.
export function time(ms) {
  if (typeof ms !== 'number') return '';
  return new Date(ms).toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

// timeEl is a <time> element with the machine-readable value.
export function timeEl(ms) {
  if (typeof ms !== 'number') return h('span', {class: 'muted'}, '—');
  return h('time', {datetime: new Date(ms).toISOString()}, time(ms));
}

// json pretty-prints a value.
export function json(value) {
  return JSON.stringify(value, null, 2);
}

// errorBox shows an API error as the API worded it.
export function errorBox(err, ...actions) {
  const status = err && err.status ? `${err.status}` : '';
  return h('div', {class: 'error', role: 'alert'},
    h('p', {}, status ? h('span', {class: 'status'}, status) : null, ' ', err && err.message ? err.message : String(err)),
    actions.length ? h('p', {class: 'actions'}, actions) : null);
}

// notice is a neutral message in a view.
export function notice(...children) {
  return h('div', {class: 'notice'}, children);
}

// loading is a placeholder while a request runs.
export function loading(what = 'Loading') {
  return h('p', {class: 'muted loading', role: 'status'}, `${what}…`);
}

// toast announces a short success message.
export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('shown'), 4000);
}

// chip is a small label, e.g. a tag or a state.
export function chip(text, kind = '') {
  return h('span', {class: `chip ${kind}`.trim()}, text);
}

// debounce calls fn once calls have stopped for ms.
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// field is a labelled form control.
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  let hintEl = null;
  if (hint) {
    hintEl = h('span', {class: 'hint', id: `${id}-hint`}, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', {class: 'field'}, h('label', {for: id}, label), control, hintEl);
}

// openDialog shows a modal dialog built by build(close) and resolves with
// the value passed to close (undefined when dismissed with Escape or
// Cancel). Focus returns to the element that had it.
export function openDialog(title, build) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    let result;
    const dlg = h('dialog', {'aria-labelledby': 'dlg-title'});
    const close = (value) => {
      result = value;
      dlg.close();
    };
    dlg.append(h('h2', {id: 'dlg-title'}, title), build(close));
    dlg.addEventListener('close', () => {
      dlg.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector('[autofocus]') || dlg.querySelector('input, textarea, select, button');
    if (first) first.focus();
  });
}

// confirmDialog asks a yes-or-no question; resolves true when confirmed.
export function confirmDialog(title, message, action, danger = false) {
  return openDialog(title, (close) => h('form', {
    onsubmit: (e) => { e.preventDefault(); close(true); },
  },
  h('p', {}, message),
  h('div', {class: 'buttons'},
    h('button', {type: 'submit', class: danger ? 'danger' : 'primary', autofocus: true}, action),
    h('button', {type: 'button', onclick: () => close(false)}, 'Cancel'))));
}

// busy disables a button while a promise runs.
export async function busy(button, promise) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await promise;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
