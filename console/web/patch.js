// JSON Pointer and JSON Patch, as far as the diff view needs them, and a
// word diff of two texts.

// tokens splits an RFC 6901 pointer into its unescaped reference tokens.
export function tokens(pointer) {
  if (!pointer) return [];
  return pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// apply returns doc with one change ({path, op, from?, to?}) applied, with
// RFC 6902 semantics: an add at a list position inserts, a remove there
// takes out. A path that does not fit doc leaves it as it is (the caller
// only reads it to name things).
export function apply(doc, change) {
  const toks = tokens(change.path);
  if (!toks.length) return change.op === 'remove' ? null : change.to;
  let parent = doc;
  for (const t of toks.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return doc;
    parent = parent[Array.isArray(parent) ? Number(t) : t];
  }
  if (parent === null || typeof parent !== 'object') return doc;
  const last = toks[toks.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) return doc;
    if (change.op === 'add') parent.splice(i, 0, change.to);
    else if (change.op === 'remove') parent.splice(i, 1);
    else parent[i] = change.to;
  } else if (change.op === 'remove') {
    delete parent[last];
  } else {
    parent[last] = change.to;
  }
  return doc;
}

// LIMIT bounds the word diff's table (old words × new words): past it, two
// texts are shown whole, each marked as changed.
const LIMIT = 250000;

// wordDiff compares two texts word by word (whitespace kept with its word)
// and returns, for each side, [changed, text] runs; null when the texts are
// too long to compare cheaply.
export function wordDiff(a, b) {
  const x = a.match(/\s+|[^\s]+/g) || [];
  const y = b.match(/\s+|[^\s]+/g) || [];
  if (x.length * y.length > LIMIT) return null;
  // The longest common subsequence, by dynamic programming from the end.
  const n = x.length;
  const m = y.length;
  const L = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    }
  }
  const from = [];
  const to = [];
  const push = (runs, changed, text) => {
    const lastRun = runs[runs.length - 1];
    if (lastRun && lastRun[0] === changed) lastRun[1] += text;
    else runs.push([changed, text]);
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      push(from, false, x[i++]);
      push(to, false, y[j++]);
    } else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) {
      push(to, true, y[j++]);
    } else {
      push(from, true, x[i++]);
    }
  }
  return {from: joined(from), to: joined(to)};
}

// joined reads better runs: spaces between two changed runs join them, so
// that an inserted phrase is one mark, not one per word.
function joined(runs) {
  const out = [];
  for (let k = 0; k < runs.length; k++) {
    const [changed, text] = runs[k];
    const prev = out[out.length - 1];
    if (!changed && /^\s+$/.test(text) && prev && prev[0] && runs[k + 1] && runs[k + 1][0]) {
      prev[1] += text + runs[k + 1][1];
      k++;
    } else if (prev && prev[0] === changed) {
      prev[1] += text;
    } else {
      out.push([changed, text]);
    }
  }
  return out;
}
