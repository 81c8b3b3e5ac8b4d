package agentry

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Workspace owns agents and keys; every query is scoped by one.
type Workspace struct {
	ID        string
	Name      string
	CreatedAt int64
}

// DefaultWorkspace is the workspace that `agentry serve` provisions keys in.
const DefaultWorkspace = "default"

// APIKey is a stored key: only its SHA-256 hash, never the key itself.
type APIKey struct {
	ID          string
	WorkspaceID string
	Hash        string // hex SHA-256 of the whole key
	Prefix      string // the first characters of the key, to tell keys apart in listings
	Label       string
	CreatedAt   int64
	RevokedAt   int64 // 0 while the key is valid
}

// KeyPrefixLen is how much of a key is kept in clear for listings: "key_" and
// eight hex characters.
const KeyPrefixLen = 12

// NewKey returns a fresh key: "key_" and 32 hex characters from crypto/rand.
func NewKey() string { return "key_" + randomHex(16) }

// ValidKeyFormat reports whether s looks like a key agentry issues.
func ValidKeyFormat(s string) bool {
	if len(s) != 36 || !strings.HasPrefix(s, "key_") {
		return false
	}
	_, err := hex.DecodeString(s[4:])
	return err == nil && strings.ToLower(s[4:]) == s[4:]
}

// HashKey returns the hex SHA-256 of a key, the form in which keys are stored
// and looked up.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// NewID returns a resource ID: the prefix and 32 random hex characters.
func NewID(prefix string) string { return prefix + randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("agentry: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}
