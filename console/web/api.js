// The console's only way to the server: agentry's own API, same origin,
// with the key as a bearer token. The key lives in this tab's
// sessionStorage only: never in a URL, a cookie or storage that outlives
// the tab.

const KEY = 'agentry.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

// APIError is an error answer: its status and the API's own message.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'APIError';
    this.status = status;
  }
}

// onUnauthorized is called when the server refuses the key (a 401).
let unauthorized = () => {};
export function onUnauthorized(fn) {
  unauthorized = fn;
}

// call sends one request and resolves with {data, etag, ignored, status};
// an error answer rejects with an APIError carrying the API's message.
export async function call(method, path, {query, body, ifMatch, signal, key} = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  const headers = new Headers({Accept: 'application/json'});
  const token = key || session.key();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  if (ifMatch) headers.set('If-Match', ifMatch);
  let res;
  try {
    res = await fetch(url, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error',
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new APIError(0, `The server could not be reached (${err.message}).`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const message = data && typeof data.message === 'string' ? data.message : `${res.status} ${res.statusText}`;
    if (res.status === 401 && !key) unauthorized(message);
    throw new APIError(res.status, message);
  }
  return {data, etag: res.headers.get('ETag'), ignored: res.headers.get('Agentry-Ignored-Fields'), status: res.status};
}

const enc = encodeURIComponent;

// The agent endpoints differ by channel for a single version: a chat agent
// is not found through the voice endpoints.
function agentPaths(channel) {
  return channel === 'chat'
    ? {get: '/get-chat-agent/', update: '/update-chat-agent/'}
    : {get: '/get-agent/', update: '/update-agent/'};
}

export const agents = {
  // filter is the list-agents body: filter_criteria, and agentry's own
  // agentry_published_only and agentry_tag beside it.
  list: (filter, page, signal) => call('POST', '/v2/list-agents', {
    query: {limit: page.limit, pagination_key: page.key, sort_order: page.order},
    body: filter, signal,
  }),
  get: (channel, id, version, signal) => call('GET', agentPaths(channel).get + enc(id), {query: {version}, signal}),
  update: (channel, id, version, patch, etag) =>
    call('PATCH', agentPaths(channel).update + enc(id), {query: {version}, body: patch, ifMatch: etag}),
  // filter: {published: bool, tag: name}, agentry's filters of the list.
  versions: (id, page, signal, filter = {}) => call('GET', `/list-agent-versions/${enc(id)}`, {
    query: {limit: page.limit, pagination_key: page.key, sort_order: page.order,
      agentry_published_only: filter.published ? 'true' : undefined, agentry_tag: filter.tag}, signal,
  }),
  branch: (id, base) => call('POST', `/create-agent-version/${enc(id)}`, {body: {base_version: base}}),
  publish: (id, body, etag) => call('POST', `/publish-agent-version/${enc(id)}`, {body, ifMatch: etag}),
  diff: (id, from, to, signal) => call('GET', `/agentry/v1/agents/${enc(id)}/diff`, {query: {from, to}, signal}),
};

// engine reads one version of a Retell LLM or a conversation flow.
export function engine(type, id, version, signal) {
  const path = type === 'conversation-flow' ? '/get-conversation-flow/' : '/get-retell-llm/';
  return call('GET', path + enc(id), {query: {version}, signal});
}

// tagETag is a tag's ETag as the API documents it, "<agent_id>.<name>.<seq>":
// the console sends it in If-Match with the seq of the tag as the page
// showed it, so a page that is out of date cannot change the tag (412).
export function tagETag(agentID, name, seq) {
  return `"${agentID}.${name}.${seq}"`;
}

export const tags = {
  list: (id, signal) => call('GET', `/agentry/v1/agents/${enc(id)}/tags`, {signal}),
  put: (id, tag, body, ifMatch) => call('PUT', `/agentry/v1/agents/${enc(id)}/tags/${enc(tag)}`, {body, ifMatch}),
  remove: (id, tag, reason, ifMatch) => call('DELETE', `/agentry/v1/agents/${enc(id)}/tags/${enc(tag)}`,
    {query: {reason}, ifMatch}),
  history: (id, tag, page, signal) => call('GET', `/agentry/v1/agents/${enc(id)}/tags/${enc(tag)}/history`, {
    query: {limit: page.limit, pagination_key: page.key}, signal,
  }),
  revert: (id, tag, body, ifMatch) => call('POST', `/agentry/v1/agents/${enc(id)}/tags/${enc(tag)}/revert`, {body, ifMatch}),
};

export const phones = {
  list: (page, signal) => call('GET', '/v2/list-phone-numbers', {
    query: {limit: page.limit, pagination_key: page.key, sort_order: page.order}, signal,
  }),
  create: (body) => call('POST', '/create-phone-number', {body}),
  import: (body) => call('POST', '/import-phone-number', {body}),
  get: (number, signal) => call('GET', `/get-phone-number/${enc(number)}`, {signal}),
  update: (number, patch) => call('PATCH', `/update-phone-number/${enc(number)}`, {body: patch}),
  routing: (number, mode) => call('PUT', `/agentry/v1/phone-numbers/${enc(number)}/routing`, {body: {mode}}),
  getRouting: (number, signal) => call('GET', `/agentry/v1/phone-numbers/${enc(number)}/routing`, {signal}),
};

export const resolve = (body, signal) => call('POST', '/agentry/v1/resolve', {body, signal});

export const audit = (query, signal) => call('GET', '/agentry/v1/audit', {query, signal});
