package agentry

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseVersionRef: any string is a reference of one form or an EINVALID
// error that names the parameter; a number is written the one way
// (formatting it gives the input back) and a tag is a valid tag name.
func FuzzParseVersionRef(f *testing.F) {
	for _, s := range []string{"", "0", "7", "-0", "01", "+1", "1.0", "1e3", " 1", "9007199254740991", "9007199254740992",
		"9223372036854775808", "latest", "latest_published", "v1", "prod", "a-b_c", "\x00", "é", "Latest"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseVersionRef(s)
		if err != nil {
			if ErrorCode(err) != EINVALID || !strings.HasPrefix(ErrorMessage(err), "version: ") {
				t.Fatalf("ParseVersionRef(%q): %v", s, err)
			}
			return
		}
		switch ref.Form {
		case RefNone:
			if s != "" {
				t.Fatalf("%q parsed as no reference", s)
			}
		case RefNumber:
			if strconv.FormatInt(ref.Number, 10) != s || ref.Number < 0 || ref.Number > MaxVersionNumber {
				t.Fatalf("%q parsed as version %d", s, ref.Number)
			}
		case RefLatest, RefLatestPublished:
			if s != "latest" && s != "latest_published" {
				t.Fatalf("%q parsed as %d", s, ref.Form)
			}
		case RefTag:
			if ref.Tag != s || !tagPattern.MatchString(s) || reservedTag.MatchString(s) {
				t.Fatalf("%q parsed as tag %q", s, ref.Tag)
			}
		}
		if n, err := ParseVersionNumber(s); err == nil && (ref.Form != RefNumber || ref.Number != n) {
			t.Fatalf("ParseVersionNumber(%q) = %d but ParseVersionRef = %+v", s, n, ref)
		}
	})
}

var printable = regexp.MustCompile(`^[\x20-\x7e]*$`)

// FuzzPageKey: any pagination_key is a page position or EINVALID, on both
// lists, whatever it decodes to; what reaches the store holds printable
// text only; a key the server issued reads back as what it encoded.
func FuzzPageKey(f *testing.F) {
	b64 := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{"", "!!!", "%00", b64([]byte("a|d|1767225600000|agent_1")), b64([]byte("v|a|3")),
		b64([]byte("a|d|1|agent_\x00")), b64([]byte("a|a|1|x|y")), b64([]byte("a|d|-1|")), b64([]byte("v|d|99999999999999999999"))} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, key string, desc bool) {
		p := PageRequest{Limit: 10, Desc: desc, Key: key}
		q, err := resourceQuery(VoiceAgent, "", p)
		switch {
		case err != nil && ErrorCode(err) != EINVALID:
			t.Fatalf("resourceQuery(%q): %v", key, err)
		case err == nil && q.After != nil && !printable.MatchString(q.After.ID):
			t.Fatalf("key %q reaches the store with id %q", key, q.After.ID)
		case err == nil && key != "" && q.After == nil:
			t.Fatalf("key %q gave no position", key)
		}
		if parts, err := decodePageKey(key, "v", desc, 1); err == nil {
			if !printable.MatchString(parts[0]) {
				t.Fatalf("key %q decodes to %q", key, parts[0])
			}
		} else if ErrorCode(err) != EINVALID {
			t.Fatalf("decodePageKey(%q): %v", key, err)
		}
		// Round trip of what the server issues.
		if key != "" && printable.MatchString(key) && !strings.Contains(key, "|") {
			issued := encodePageKey("a", desc, "12", key)
			parts, err := decodePageKey(issued, "a", desc, 2)
			if err != nil || parts[0] != "12" || parts[1] != key {
				t.Fatalf("issued key for %q reads back as %q, %v", key, parts, err)
			}
		}
	})
}
