package agentry

import (
	"bytes"
	"encoding/json"
	"testing"
)

// slowPatch is the update as it was written before splitConfig: decode the
// stored document with encoding/json, apply, encode it again.
func slowPatch(t *testing.T, stored []byte, patch Fields) []byte {
	t.Helper()
	var config Fields
	if err := json.Unmarshal(stored, &config); err != nil {
		t.Fatal(err)
	}
	if config == nil {
		config = Fields{}
	}
	if err := applyPatch(&Version{}, config, patch); err != nil {
		t.Fatal(err)
	}
	out, err := encodeConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fastPatch is the update as Update does it now, falling back as it does.
func fastPatch(t *testing.T, stored []byte, patch Fields) ([]byte, bool) {
	t.Helper()
	config, ok := splitConfig(stored)
	if !ok {
		return slowPatch(t, stored, patch), false
	}
	apply, err := canonicalPatch(patch)
	if err != nil {
		t.Fatal(err)
	}
	if err := applyPatch(&Version{}, config, apply); err != nil {
		t.Fatal(err)
	}
	return appendCanonical(nil, config), true
}

// TestPatchSplicesStoredConfig checks that an update which cuts the stored
// document into members and joins them again writes exactly the bytes that
// decoding and encoding the whole document wrote, for documents in the
// stored form and for documents that are not (those take the slow way).
func TestPatchSplicesStoredConfig(t *testing.T) {
	stored := []string{
		`{}`,
		`{"agent_name":"Ada","voice_speed":1.5,"nested":{"a":[1,2,{"b":null}]}}`,
		`{"agent_name":"A \"quoted\", name}","begin_message":"Hi\\n there\u00e9 \\u003cb\\u003e","language":"en-US"}`,
		`{"contact_memory_config":{"enabled":true,"x":"]}"},"response_engine":{"type":"retell-llm","llm_id":"llm_1","version":3},"tools":[{"a":"{"},[],{}]}`,
		`{"a":-1.5e+10,"b":true,"c":false,"d":null,"e":"","f":[],"g":{}}`,
		`{"z":1,"a":2}`, // not sorted: still joined sorted, as encoding/json sorts
		// Not in the stored form: decoded and encoded the slow way.
		`{ "agent_name": "Ada" }`,
		`{"agent_name":"<b>&</b>"}`,
		"{\"agent_name\":\"line\u2028sep\"}",
		`{"na\u006de":1}`,
		`{"a":[1, 2]}`,
	}
	patches := []Fields{
		{},
		{"voice_speed": json.RawMessage(`1.1`)},
		{"agent_name": json.RawMessage(` "B <i>&</i>" `), "language": json.RawMessage(`null`)},
		{"contact_memory_config": json.RawMessage(`{"enabled": false, "new": [1, 2]}`)},
		{"version_title": json.RawMessage(`"t"`), "new_field": json.RawMessage(`{"k" : "v\u2028"}`)},
		{"a": json.RawMessage(`null`), "zz": json.RawMessage(`[ ]`)},
	}
	fast := 0
	for _, s := range stored {
		for _, p := range patches {
			want := slowPatch(t, []byte(s), p)
			got, ok := fastPatch(t, []byte(s), p)
			if ok {
				fast++
			}
			if !bytes.Equal(got, want) {
				t.Errorf("stored %s, patch %v:\n got %s\nwant %s", s, p, got, want)
			}
		}
	}
	if fast < 6*len(patches) {
		t.Errorf("only %d of the updates took the spliced way", fast)
	}
	// What encodeConfig writes is always in the stored form.
	for _, s := range stored {
		out := slowPatch(t, []byte(s), Fields{})
		if _, ok := splitConfig(out); !ok {
			t.Errorf("encodeConfig wrote %s, which splitConfig does not take", out)
		}
	}
}

// FuzzSplitConfig checks that a document splitConfig takes decodes, with
// encoding/json, to the same members.
func FuzzSplitConfig(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"c":[1,"]"]}}`))
	f.Add([]byte(`{"a":"\"}"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		fields, ok := splitConfig(doc)
		if !ok || !json.Valid(doc) {
			return
		}
		var want Fields
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		if len(fields) != len(want) {
			t.Fatalf("%s: %d members, encoding/json finds %d", doc, len(fields), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(fields[k], v) {
				t.Fatalf("%s: member %s is %s, encoding/json reads %s", doc, k, fields[k], v)
			}
		}
	})
}
