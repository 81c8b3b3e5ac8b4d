// What this server offers, read from its own OpenAPI document: the views for
// endpoints that a server may not have yet (tags, phone numbers, resolve,
// diff, audit) ask here and turn themselves on when the endpoint appears,
// without probing the endpoints (a probe's 404 would be a console error).

import {call} from './api.js';

// The endpoints of views that depend on them (DESIGN.md §5–§6 and Retell's
// phone-number API).
export const endpoints = {
  tags: ['GET', '/agentry/v1/agents/{agent_id}/tags'],
  tagPut: ['PUT', '/agentry/v1/agents/{agent_id}/tags/{tag}'],
  tagDelete: ['DELETE', '/agentry/v1/agents/{agent_id}/tags/{tag}'],
  tagHistory: ['GET', '/agentry/v1/agents/{agent_id}/tags/{tag}/history'],
  tagRevert: ['POST', '/agentry/v1/agents/{agent_id}/tags/{tag}/revert'],
  diff: ['GET', '/agentry/v1/agents/{agent_id}/diff'],
  audit: ['GET', '/agentry/v1/audit'],
  resolve: ['POST', '/agentry/v1/resolve'],
  routing: ['PUT', '/agentry/v1/phone-numbers/{phone_number}/routing'],
  routingGet: ['GET', '/agentry/v1/phone-numbers/{phone_number}/routing'],
  phones: ['GET', '/v2/list-phone-numbers'],
  phone: ['GET', '/get-phone-number/{phone_number}'],
  phoneUpdate: ['PATCH', '/update-phone-number/{phone_number}'],
};

// The list-agents filters that issue 10 adds as agentry extensions of
// filter_criteria: published_only (boolean) and tag (a tag name).
export const listFilters = {published: 'published_only', tag: 'tag'};

let doc = null;
let pending = null;

// load reads the document once per sign-in; a failure leaves every optional
// view off and the core views working.
export function load() {
  if (!pending) {
    pending = call('GET', '/openapi.json').then((r) => {
      doc = r.data || {};
    }).catch(() => {
      doc = {};
    });
  }
  return pending;
}

// forget drops what was read (sign-out).
export function forget() {
  doc = null;
  pending = null;
}

function operation(method, path) {
  const item = doc && doc.paths && doc.paths[path];
  return (item && item[method.toLowerCase()]) || null;
}

// has says whether the server offers endpoint name (a key of endpoints).
export function has(name) {
  const [method, path] = endpoints[name];
  return operation(method, path) !== null;
}

function deref(schema, depth = 0) {
  if (!schema || depth > 8) return schema || {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return deref(doc.components && doc.components.schemas && doc.components.schemas[name], depth + 1);
  }
  return schema;
}

// properties lists the properties of a schema, through $ref and allOf.
function properties(schema, depth = 0) {
  const s = deref(schema);
  let out = {...(s.properties || {})};
  for (const part of s.allOf || []) {
    if (depth < 8) out = {...out, ...properties(part, depth + 1)};
  }
  return out;
}

// bodyProperty is the schema of a request body's property, or null.
export function bodyProperty(name, property) {
  const [method, path] = endpoints[name];
  const op = operation(method, path);
  const body = op && op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
  if (!body) return null;
  return properties(body.schema)[property] || null;
}

// queryParams lists the query parameters an endpoint takes.
export function queryParams(name) {
  const [method, path] = endpoints[name];
  const op = operation(method, path);
  return ((op && op.parameters) || []).filter((p) => p.in === 'query');
}

// listFilter says whether list-agents' filter_criteria takes the given
// extension (a key of listFilters).
export function listFilter(which) {
  const op = operation('POST', '/v2/list-agents');
  const body = op && op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
  if (!body) return false;
  const fc = properties(body.schema).filter_criteria;
  return Boolean(fc && properties(fc)[listFilters[which]]);
}

// enumOf is the enum of a request body's property, or fallback.
export function enumOf(name, property, fallback) {
  const p = deref(bodyProperty(name, property));
  return (p && p.enum) || fallback;
}
