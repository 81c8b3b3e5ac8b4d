package agentry

import (
	"encoding/json"
	"regexp"
	"strconv"
)

// Resource is the row every version of an agent or a response engine hangs
// off. NextVersion is the per-resource counter: the number the next new
// version takes. It only grows, so a number is never handed out twice, even
// after its version is deleted.
type Resource struct {
	WorkspaceID string
	ID          string
	Kind        *Kind
	// Name is the agent_name of the latest version, kept as a column so that
	// list-agents can filter and page without decoding configurations.
	Name        string
	NextVersion int64
	CreatedAt   int64 // milliseconds since the epoch
	ModifiedAt  int64 // milliseconds since the epoch: the last user change to any version
}

// Version is one numbered configuration of a resource: a draft (editable) or
// a published version (immutable forever).
type Version struct {
	WorkspaceID string
	ResourceID  string
	Kind        *Kind
	Number      int64
	BaseVersion *int64 // nil for a version created with its resource
	Published   bool
	PublishedAt int64 // milliseconds since the epoch; 0 for a draft
	Title       *string
	Description *string
	// Config is the configuration as a JSON object: every field the client set,
	// without the version metadata above.
	Config     json.RawMessage
	ModifiedAt int64 // milliseconds since the epoch
	// EngineID and EngineVersion are the response engine version an agent
	// version pins (a Retell LLM or conversation flow), copied out of
	// config.response_engine so that queries can find an engine's users.
	EngineID      string
	EngineVersion *int64
	// Revision counts every change to this version row; with Number it makes
	// the ETag that conditional requests (If-Match) compare against.
	Revision int64
}

// Fields is a configuration or a patch of one, keyed by top-level field name.
// In a patch, a value of JSON null clears the field.
type Fields map[string]json.RawMessage

// VersionRef is a parsed version reference: a number, "latest",
// "latest_published", or a tag name.
type VersionRef struct {
	Form   int // RefNone, RefNumber, RefLatest, RefLatestPublished, RefTag
	Number int64
	Tag    string
}

// Forms of VersionRef.
const (
	RefNone = iota
	RefNumber
	RefLatest
	RefLatestPublished
	RefTag
)

var tagPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,19}$`)
var reservedTag = regexp.MustCompile(`^(latest|latest_published|v[0-9]+)$`)

// ParseVersionRef parses the version query parameter of get-agent and
// update-agent. An empty string is RefNone (the endpoint's default); a
// parameter present but empty is the caller's to refuse (see httpapi).
func ParseVersionRef(s string) (VersionRef, error) {
	switch {
	case s == "":
		return VersionRef{Form: RefNone}, nil
	case s == "latest":
		return VersionRef{Form: RefLatest}, nil
	case s == "latest_published":
		return VersionRef{Form: RefLatestPublished}, nil
	}
	if s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9') {
		n, err := ParseVersionNumber(s)
		if err != nil {
			return VersionRef{}, err
		}
		return VersionRef{Form: RefNumber, Number: n}, nil
	}
	if !tagPattern.MatchString(s) || reservedTag.MatchString(s) {
		return VersionRef{}, Errorf(EINVALID,
			"version: %q is not a version reference: use a version number (0, 1, 2, ...), latest, latest_published or a tag name matching [a-z][a-z0-9_-]{0,19}", s)
	}
	return VersionRef{Form: RefTag, Tag: s}, nil
}

// MaxVersionNumber is the largest version number a parameter may name: the
// largest integer every JSON client holds exactly. No counter reaches it.
const MaxVersionNumber = 1<<53 - 1

// ParseVersionNumber parses a version number as a query parameter gives
// it: written the one way, digits only, without sign, leading zero,
// fraction or exponent ("-0", "01" and "+1" are refused: each would name a
// version in a way no answer ever writes it).
func ParseVersionNumber(s string) (int64, error) {
	canonical := s != "" && (s == "0" || s[0] != '0')
	for i := 0; canonical && i < len(s); i++ {
		canonical = '0' <= s[i] && s[i] <= '9'
	}
	if !canonical {
		return 0, Errorf(EINVALID, "version: must be a version number, written with digits only and no leading zero (0, 1, 2, ...), got %q", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxVersionNumber {
		return 0, Errorf(EINVALID, "version: must be at most %d, got %q", int64(MaxVersionNumber), s)
	}
	return n, nil
}
