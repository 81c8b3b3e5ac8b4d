package agentry_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

func TestParseVersionRef(t *testing.T) {
	tests := []struct {
		in   string
		want agentry.VersionRef
		bad  bool
	}{
		{in: "", want: agentry.VersionRef{Form: agentry.RefNone}},
		{in: "0", want: agentry.VersionRef{Form: agentry.RefNumber, Number: 0}},
		{in: "7", want: agentry.VersionRef{Form: agentry.RefNumber, Number: 7}},
		{in: "9007199254740991", want: agentry.VersionRef{Form: agentry.RefNumber, Number: 1<<53 - 1}},
		{in: "latest", want: agentry.VersionRef{Form: agentry.RefLatest}},
		{in: "latest_published", want: agentry.VersionRef{Form: agentry.RefLatestPublished}},
		{in: "prod", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "prod"}},
		{in: "a", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "a"}},
		{in: "canary-2_b", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "canary-2_b"}},
		{in: "v", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "v"}},
		{in: "v1a", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "v1a"}},
		{in: "latest2", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "latest2"}},
		{in: "a2345678901234567890", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "a2345678901234567890"}},

		// Numbers that are not non-negative integers.
		{in: "-1", bad: true},
		{in: "-", bad: true},
		{in: "1.5", bad: true},
		{in: "1e3", bad: true},
		{in: "0x10", bad: true},
		{in: "1 ", bad: true},
		{in: " 1", bad: true},
		{in: "+1", bad: true},
		{in: "9223372036854775808", bad: true},
		{in: "9223372036854775807", bad: true},
		{in: "9007199254740992", bad: true},
		{in: "12abc", bad: true},
		// Numbers written other than the one way: -0 named version 0 once.
		{in: "-0", bad: true},
		{in: "+0", bad: true},
		{in: "01", bad: true},
		{in: "00", bad: true},
		{in: "0.0", bad: true},
		// Reserved words and bad tags.
		{in: "v12", bad: true},
		{in: "v0", bad: true},
		{in: "Latest", bad: true},
		{in: "LATEST", bad: true},
		{in: "Prod", bad: true},
		{in: "_prod", bad: true},
		{in: "prod tag", bad: true},
		{in: "prod.1", bad: true},
		{in: "a23456789012345678901", bad: true}, // 21 characters
		{in: "é", bad: true},
		{in: "null", want: agentry.VersionRef{Form: agentry.RefTag, Tag: "null"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := agentry.ParseVersionRef(tc.in)
			if tc.bad {
				if agentry.ErrorCode(err) != agentry.EINVALID {
					t.Fatalf("ParseVersionRef(%q) = %+v, %v; want EINVALID", tc.in, got, err)
				}
				if !strings.HasPrefix(agentry.ErrorMessage(err), "version: ") {
					t.Errorf("message %q does not start with the parameter name", agentry.ErrorMessage(err))
				}
				// Negatives are refused; the rule must not offer them.
				if msg := strings.TrimSuffix(agentry.ErrorMessage(err), strconv.Quote(tc.in)); regexp.MustCompile(`(^|[\s(])-[0-9]|negative`).MatchString(msg) {
					t.Errorf("message %q mentions negative numbers", msg)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseVersionRef(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseVersionNumber(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "42": 42, "9007199254740991": 1<<53 - 1}
	for in, want := range good {
		if got, err := agentry.ParseVersionNumber(in); err != nil || got != want {
			t.Errorf("ParseVersionNumber(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "-9223372036854775808", "1.5", "1.0", "latest", "latest_published",
		"v1", "prod", " 1", "1e2", "9223372036854775808", "9223372036854775807", "½", "-0", "+1", "01", "007", "1_000"} {
		got, err := agentry.ParseVersionNumber(in)
		if agentry.ErrorCode(err) != agentry.EINVALID || got != 0 {
			t.Errorf("ParseVersionNumber(%q) = %d, %v; want EINVALID", in, got, err)
		}
	}
}

func TestETag(t *testing.T) {
	v := &agentry.Version{ResourceID: "agent_abc", Number: 3, Revision: 7}
	if got, want := agentry.ETag(v), `"agent_abc.3.7"`; got != want {
		t.Errorf("ETag = %s, want %s", got, want)
	}
	w := *v
	w.Revision++
	if agentry.ETag(&w) == agentry.ETag(v) {
		t.Errorf("ETag does not change with the revision")
	}
	w = *v
	w.Number++
	if agentry.ETag(&w) == agentry.ETag(v) {
		t.Errorf("ETag does not change with the number")
	}
}

func TestKinds(t *testing.T) {
	for _, k := range agentry.Kinds {
		if agentry.KindNamed(k.Name) != k {
			t.Errorf("KindNamed(%q) does not find it", k.Name)
		}
		if k.Agent == k.Engine {
			t.Errorf("kind %s must be an agent or an engine", k.Name)
		}
		if !strings.HasSuffix(k.IDPrefix, "_") || !strings.HasSuffix(k.IDField, "_id") {
			t.Errorf("kind %s: id prefix %q, id field %q", k.Name, k.IDPrefix, k.IDField)
		}
	}
	for _, name := range []string{"", "Voice", "sms", "agent"} {
		if agentry.KindNamed(name) != nil {
			t.Errorf("KindNamed(%q) found a kind", name)
		}
	}
	if got := agentry.AnyAgent.Names(); !slices.Equal(got, []string{"voice", "chat"}) {
		t.Errorf("AnyAgent.Names() = %v, want the agent kinds", got)
	}
	for _, k := range agentry.Kinds {
		if agentry.AnyAgent.Covers(k) != k.Agent || !k.Covers(k) {
			t.Errorf("Covers is wrong for %s", k.Name)
		}
	}
	if agentry.VoiceAgent.Covers(agentry.ChatAgent) {
		t.Error("a voice address covers a chat agent")
	}
}
