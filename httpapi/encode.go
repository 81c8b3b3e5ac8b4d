package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/agentry/agentry"
)

// listResponse is the page envelope of every list endpoint.
type listResponse[T any] struct {
	Items         []T    `json:"items"`
	HasMore       bool   `json:"has_more"`
	PaginationKey string `json:"pagination_key,omitempty"`
}

// versionSummary is AgentVersionSummary: optional fields are omitted, never
// null, because the reference schema does not allow null there.
type versionSummary struct {
	Version                   int64   `json:"version"`
	IsPublished               bool    `json:"is_published"`
	VersionTitle              *string `json:"version_title,omitempty"`
	VersionDescription        *string `json:"version_description,omitempty"`
	BaseVersion               *int64  `json:"base_version,omitempty"`
	LastModificationTimestamp int64   `json:"last_modification_timestamp"`
}

// writeVersion writes a version as the response of its kind (AgentResponse,
// ChatAgentResponse, RetellLLMResponse, ConversationFlowResponse), with its
// ETag; an agent version's with its assigned tags.
func writeVersion(w http.ResponseWriter, status int, v *agentry.Version, tags []string) {
	w.Header()["Etag"] = []string{agentry.ETag(v)}
	body := appendResponse(make([]byte, 0, 256+len(v.Config)), v)
	if v.Kind.Agent {
		writeWithTags(w, status, body, tags)
		return
	}
	writeRaw(w, status, body)
}

// writeWithTags writes an agent version's response (appendResponse's bytes,
// perhaps from the published cache) with assigned_tags as its last member.
// A tag can move onto or off a published version, which never changes, so
// the cached bytes never hold its tags: they are read from the routing
// snapshot (cached too) and spliced in here, without copying the body.
func writeWithTags(w http.ResponseWriter, status int, body []byte, tags []string) {
	suffix := appendTags(make([]byte, 0, 24+16*len(tags)), tags)
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(body) - 1 + len(suffix))}
	w.WriteHeader(status)
	_, _ = w.Write(body[:len(body)-1])
	_, _ = w.Write(suffix)
}

// appendTags appends `,"assigned_tags":[…]}`: the end of an object that has
// members already.
func appendTags(b []byte, tags []string) []byte {
	b = append(b, `,"assigned_tags":[`...)
	for i, t := range tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, t)
	}
	return append(b, "]}"...)
}

// appendResponse appends the response of v's kind.
func appendResponse(b []byte, v *agentry.Version) []byte {
	if v.Kind.Agent {
		return appendVersion(b, v)
	}
	return appendEngineVersion(b, v.Kind.IDField, v)
}

// appendEngineVersion appends the response of one engine version: its id
// under idField, version, is_published and last_modification_timestamp,
// then the stored configuration's fields spliced in as appendVersion does.
// Engines have no base_version, title or description of their own.
func appendEngineVersion(b []byte, idField string, v *agentry.Version) []byte {
	b = append(b, '{')
	b = strconv.AppendQuote(b, idField)
	b = append(b, ':')
	b = strconv.AppendQuote(b, v.ResourceID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, v.Number, 10)
	b = append(b, `,"is_published":`...)
	b = strconv.AppendBool(b, v.Published)
	b = append(b, `,"last_modification_timestamp":`...)
	b = strconv.AppendInt(b, v.ModifiedAt, 10)
	return appendConfig(b, v.Config)
}

// appendConfig closes an object whose members so far are ours with the
// members of a stored configuration (a compact JSON object).
func appendConfig(b []byte, config []byte) []byte {
	if len(config) > 2 {
		b = append(b, ',')
		return append(b, config[1:]...)
	}
	return append(b, '}')
}

// appendVersion appends the AgentResponse of v: the version metadata, then
// the stored configuration's fields spliced in without re-encoding them.
func appendVersion(b []byte, v *agentry.Version) []byte {
	b = append(b, `{"agent_id":`...)
	b = strconv.AppendQuote(b, v.ResourceID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, v.Number, 10)
	b = append(b, `,"is_published":`...)
	b = strconv.AppendBool(b, v.Published)
	b = append(b, `,"base_version":`...)
	if v.BaseVersion == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *v.BaseVersion, 10)
	}
	b = append(b, `,"version_title":`...)
	b = appendNullableString(b, v.Title)
	b = append(b, `,"version_description":`...)
	b = appendNullableString(b, v.Description)
	b = append(b, `,"last_modification_timestamp":`...)
	b = strconv.AppendInt(b, v.ModifiedAt, 10)
	// Config is a compact JSON object; its members follow ours.
	return appendConfig(b, v.Config)
}

func appendNullableString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	enc, _ := json.Marshal(*s)
	return append(b, enc...)
}

// writePage writes a page of a list as {items, has_more, pagination_key?},
// each item appended by appendItem straight into the answer's bytes.
func writePage[T any](w http.ResponseWriter, page *agentry.Page[T], sizeHint int, appendItem func([]byte, *T) []byte) {
	writeRaw(w, http.StatusOK, encodePage(page, sizeHint, appendItem))
}

// encodePage is writePage's body.
func encodePage[T any](page *agentry.Page[T], sizeHint int, appendItem func([]byte, *T) []byte) []byte {
	b := append(make([]byte, 0, sizeHint+64), `{"items":[`...)
	for i := range page.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendItem(b, &page.Items[i])
	}
	b = append(b, `],"has_more":`...)
	b = strconv.AppendBool(b, page.HasMore)
	if page.NextKey != "" {
		b = append(b, `,"pagination_key":`...)
		b = strconv.AppendQuote(b, page.NextKey)
	}
	return append(b, '}')
}

// writeAgentPage writes a page of v2/list-agents: AgentListItemResponse
// items, each with its tags (AgentRootTagState by name). The bytes are
// appended directly, the same bytes encoding/json wrote for the struct
// types this replaced (agent_id, agent_name, channel,
// user_modified_timestamp, tags; tag names and variables in name order;
// version omitted when the tag holds none; dynamic_variables null when
// there are none); TestAgentPageEncoding holds it to that.
func writeAgentPage(w http.ResponseWriter, page *agentry.ResourcePage) {
	writeRaw(w, http.StatusOK, agentPageBytes(page))
}

// agentPageBytes is the body writeAgentPage writes.
func agentPageBytes(page *agentry.ResourcePage) []byte {
	b := make([]byte, 0, 64+160*len(page.Items))
	b = append(b, `{"items":[`...)
	for i := range page.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAgentItem(b, &page.Items[i], page.Tags[page.Items[i].ID])
	}
	b = append(b, `],"has_more":`...)
	b = strconv.AppendBool(b, page.HasMore)
	if page.NextKey != "" {
		b = append(b, `,"pagination_key":`...)
		b = appendString(b, page.NextKey)
	}
	return append(b, '}')
}

func appendAgentItem(b []byte, a *agentry.Resource, tags []agentry.Tag) []byte {
	b = append(b, `{"agent_id":`...)
	b = appendString(b, a.ID)
	b = append(b, `,"agent_name":`...)
	b = appendString(b, a.Name)
	b = append(b, `,"channel":`...)
	b = appendString(b, a.Kind.Name)
	b = append(b, `,"user_modified_timestamp":`...)
	b = strconv.AppendInt(b, a.ModifiedAt, 10)
	b = append(b, `,"tags":{`...)
	if len(tags) > 1 && !slices.IsSortedFunc(tags, byTagName) {
		tags = slices.Clone(tags)
		slices.SortStableFunc(tags, byTagName)
	}
	first := true
	for i := range tags {
		t := &tags[i]
		if i+1 < len(tags) && tags[i+1].Name == t.Name {
			continue // a map keeps the last of equal names
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, t.Name)
		b = append(b, ':', '{')
		if t.Version != nil {
			b = append(b, `"version":`...)
			b = strconv.AppendInt(b, *t.Version, 10)
			b = append(b, ',')
		}
		b = append(b, `"dynamic_variables":`...)
		b = appendStringMap(b, t.Variables)
		b = append(b, '}')
	}
	return append(b, "}}"...)
}

func byTagName(a, b agentry.Tag) int { return strings.Compare(a.Name, b.Name) }

// appendStringMap appends m as encoding/json does: null when nil, members
// in name order.
func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// appendString appends s as a JSON string, the bytes encoding/json writes
// (which escapes <, > and & too): printable ASCII that needs no escape is
// copied, anything else is left to encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
