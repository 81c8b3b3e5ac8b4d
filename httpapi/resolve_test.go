package httpapi

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// The fast reading of a resolve body never accepts what the general one
// refuses, and reads what it accepts the same way.
func checkFastMatchesSlow(t *testing.T, body string) {
	var fast, slow resolveBody
	if !fast.fast([]byte(body)) {
		return
	}
	// The general reading as a strict server does it: the fast one never
	// ignores a field, so it must accept nothing the strict one refuses.
	strict := httptest.NewRequest("POST", "/agentry/v1/resolve", nil)
	strict = strict.WithContext(context.WithValue(strict.Context(), ctxRequest, &requestInfo{strict: true}))
	if err := slow.slow(strict, []byte(body)); err != nil {
		t.Fatalf("fast accepted %s, which the schema refuses: %v", body, err)
	}
	if !reflect.DeepEqual(fast.phone+"|"+fast.direction+"|"+fast.from+"|"+fast.to+"|"+fast.agent+"|"+string(fast.version),
		slow.phone+"|"+slow.direction+"|"+slow.from+"|"+slow.to+"|"+slow.agent+"|"+string(slow.version)) {
		t.Fatalf("%s read as %+v fast, %+v slow", body, fast, slow)
	}
}

func TestResolveBodyFastMatchesSlow(t *testing.T) {
	// The bodies call paths send take the fast way.
	for _, body := range []string{
		`{"phone_number":"+14155550100","direction":"inbound","from_number":"+16465550001"}`,
		` { "agent_id" : "agent_1" , "agent_version" : 3 } `,
		`{"agent_id":"agent_1","agent_version":"prod"}`,
		`{}`,
	} {
		var b resolveBody
		if !b.fast([]byte(body)) {
			t.Errorf("%s did not take the fast way", body)
		}
		checkFastMatchesSlow(t, body)
	}
	// Bodies built from pieces, valid and not: whatever fast accepts, slow
	// accepts alike.
	keys := []string{`"phone_number"`, `"direction"`, `"from_number"`, `"to_number"`, `"agent_id"`, `"agent_version"`, `"other"`, `"phone_number\u0000"`}
	values := []string{`"+14155550100"`, `""`, `"inbound"`, `"outbound_sms"`, `"sideways"`, `"prod"`, `"latest_published"`, `"v2"`, `"Prod"`,
		`0`, `7`, `07`, `-1`, `1.5`, `1e3`, `null`, `true`, `[]`, `{}`, `"a\"b"`, `"é"`, `"\u00e9"`, `12345678901234567890`, `"abcdefghijklmnopqrstu"`}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		b.WriteString("{")
		for i := range r.IntN(5) {
			if i > 0 {
				b.WriteString([]string{",", " , ", ",,"}[r.IntN(3)])
			}
			b.WriteString(keys[r.IntN(len(keys))] + []string{":", " : "}[r.IntN(2)] + values[r.IntN(len(values))])
		}
		b.WriteString([]string{"}", "} ", "}x", ""}[r.IntN(4)])
		checkFastMatchesSlow(t, b.String())
	}
}

func FuzzResolveBody(f *testing.F) {
	f.Add(`{"phone_number":"+14155550100","direction":"inbound","from_number":"+16465550001"}`)
	f.Add(`{"agent_id":"a","agent_version":0}`)
	f.Fuzz(func(t *testing.T, body string) { checkFastMatchesSlow(t, body) })
}
