package httpapi

import (
	"net/url"
	"slices"
	"testing"
)

// queryValues finds what url.ParseQuery finds for one parameter, on the
// queries a client may send: repeated, empty, escaped names and values, bad
// escapes and semicolons (left out by both).
func TestQueryValuesAgreesWithParseQuery(t *testing.T) {
	for _, raw := range []string{
		"", "version", "version=", "version=3", "version=3&version=4", "a=1&version=latest&b=2",
		"versio%6E=2", "ver+sion=2", "version=%zz", "version=a%20b", "version=a+b", "version=1;x=2",
		"&&version=5&", "version=%E2%82%AC", "%76ersion=7&version=8", "x=version", "versions=3",
		"version==", "version=a=b", "%zz=1&version=2",
	} {
		want, _ := url.ParseQuery(raw)
		got := queryValues(raw, "version")
		if !slices.Equal(got, want["version"]) {
			t.Errorf("%q: queryValues gives %q, url.ParseQuery %q", raw, got, want["version"])
		}
	}
}

func FuzzQueryValues(f *testing.F) {
	for _, s := range []string{"version=1", "a=1&version=x%20y", "version;=2", "%76ersion=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		want, _ := url.ParseQuery(raw)
		if got := queryValues(raw, "version"); !slices.Equal(got, want["version"]) {
			t.Errorf("%q: queryValues gives %q, url.ParseQuery %q", raw, got, want["version"])
		}
	})
}
