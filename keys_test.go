package agentry_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

func TestValidKeyFormat(t *testing.T) {
	const hex32 = "0123456789abcdef0123456789abcdef"
	tests := map[string]bool{
		"key_" + hex32:                         true,
		"key_" + strings.Repeat("f", 32):       true,
		"key_" + strings.ToUpper(hex32):        false,
		"key_" + hex32[:31]:                    false,
		"key_" + hex32 + "0":                   false,
		"key_" + hex32[:31] + "g":              false,
		"KEY_" + hex32:                         false,
		"sk__" + hex32:                         false,
		"key-" + hex32:                         false,
		" key_" + hex32[:31]:                   false,
		"":                                     false,
		"key_":                                 false,
		"key_" + hex32[:30] + "é":              false, // 36 bytes, not hex
		"key_" + strings.Repeat(" ", 32):       false,
		"Bearer key_" + hex32:                  false,
		"key_" + hex32[:16] + "-" + hex32[17:]: false,
	}
	for in, want := range tests {
		if got := agentry.ValidKeyFormat(in); got != want {
			t.Errorf("ValidKeyFormat(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestNewKey(t *testing.T) {
	pattern := regexp.MustCompile(`^key_[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for range 1000 {
		k := agentry.NewKey()
		if !pattern.MatchString(k) || !agentry.ValidKeyFormat(k) {
			t.Fatalf("NewKey = %q, want key_ and 32 lowercase hex", k)
		}
		if seen[k] {
			t.Fatalf("NewKey repeated %q", k)
		}
		seen[k] = true
	}
}

func TestNewID(t *testing.T) {
	for _, prefix := range []string{"agent_", "llm_", "conversation_flow_", "ws_", ""} {
		pattern := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `[0-9a-f]{32}$`)
		seen := map[string]bool{}
		for range 1000 {
			id := agentry.NewID(prefix)
			if !pattern.MatchString(id) {
				t.Fatalf("NewID(%q) = %q, want the prefix and 32 lowercase hex", prefix, id)
			}
			if seen[id] {
				t.Fatalf("NewID(%q) repeated %q", prefix, id)
			}
			seen[id] = true
		}
	}
}

func TestHashKey(t *testing.T) {
	// SHA-256 of "abc", from FIPS 180-2.
	if got, want := agentry.HashKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashKey(abc) = %s, want %s", got, want)
	}
	k := agentry.NewKey()
	if h := agentry.HashKey(k); len(h) != 64 || strings.Contains(h, k[4:]) || h != agentry.HashKey(k) {
		t.Errorf("HashKey(%s) = %s: want a stable 64-hex digest that does not contain the key", k, h)
	}
	if agentry.HashKey(k) == agentry.HashKey(agentry.NewKey()) {
		t.Errorf("two keys hash alike")
	}
}
