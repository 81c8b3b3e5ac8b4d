package agentry

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Routing (DESIGN §5): tags and phone numbers point at agent versions, and
// resolution says which version serves a call. This file holds the pure
// rules: what a version reference names in a snapshot of an agent's
// versions and tags, and which entry of a phone number's weighted list a
// call gets. The snapshots are read by resolve.go, through RouteCache.

// Direction is one of the four lists a phone number binds agents in.
type Direction string

// The directions, in the order of Retell's fields.
const (
	Inbound     Direction = "inbound"
	Outbound    Direction = "outbound"
	InboundSMS  Direction = "inbound_sms"
	OutboundSMS Direction = "outbound_sms"
)

// Directions lists every direction.
var Directions = []Direction{Inbound, Outbound, InboundSMS, OutboundSMS}

// Field is the phone number field that holds the direction's list.
func (d Direction) Field() string { return string(d) + "_agents" }

// AgentKind is the kind of agent the direction takes: voice agents answer
// calls, chat agents answer SMS.
func (d Direction) AgentKind() *Kind {
	if d == InboundSMS || d == OutboundSMS {
		return ChatAgent
	}
	return VoiceAgent
}

// Inbound reports whether the counterpart is the sender (from_number).
func (d Direction) isInbound() bool { return d == Inbound || d == InboundSMS }

// ParseDirection returns the direction named s.
func ParseDirection(s string) (Direction, bool) {
	for _, d := range Directions {
		if string(d) == s {
			return d, true
		}
	}
	return "", false
}

// Binding is one entry of a phone number's weighted list: an agent, the
// version reference it is bound at (RefLatest when the client sent none),
// and its weight.
type Binding struct {
	AgentID string
	Version VersionRef
	Weight  float64
}

// key names the entry within its list: two entries with the same key are
// duplicates, and sticky routing keeps a counterpart on the entry with the
// same key when the list changes.
func (b Binding) key() string { return b.AgentID + "@" + b.Version.String() }

// String writes a reference as a client writes it: the number, latest,
// latest_published or the tag name. RefNone is latest.
func (r VersionRef) String() string {
	switch r.Form {
	case RefNumber:
		return strconv.FormatInt(r.Number, 10)
	case RefLatestPublished:
		return "latest_published"
	case RefTag:
		return r.Tag
	}
	return "latest"
}

// Routing modes of a phone number.
const (
	// ModeRandom picks an entry at random per call, in proportion to the
	// weights, as Retell does.
	ModeRandom = "random"
	// ModeSticky gives the same counterpart number the same entry while
	// the weights stand (see buckets.go).
	ModeSticky = "sticky"
)

// WeightTolerance is how far the weights of a list may sum from 1: room for
// the rounding of decimal fractions in binary floating point (0.1 + 0.2 +
// 0.7 is 1.0000000000000002), far below any share a caller could notice.
const WeightTolerance = 1e-6

// MaxBindings is the most entries one list may hold (agentry's limit; the
// reference sets none).
const MaxBindings = 100

// VersionState is what resolution needs of one version.
type VersionState struct {
	Number      int64
	Published   bool
	PublishedAt int64
}

// AgentRoutes is a snapshot of what routing needs of one agent: its tags
// and, when Routed, its versions.
type AgentRoutes struct {
	WorkspaceID string
	AgentID     string
	Kind        *Kind
	// Tags, most recently assigned first (unassigned tags last).
	Tags []Tag
	// Routed says a tag or a phone number points at the agent. Only then
	// does every write that changes its versions log a route change, so
	// only then may Versions be served from a cache.
	Routed bool
	// Versions ascending by number; nil when not read.
	Versions []VersionState
}

// Resolution is what serves a call: the agent, the concrete version, the
// tag that applies and its dynamic variables (shared with the snapshot it
// came from: read them, never change them).
type Resolution struct {
	AgentID   string
	Kind      *Kind
	Version   int64
	Published bool
	// Tag is the requested tag, else the version's most recently assigned
	// tag; "" when no tag applies.
	Tag       string
	Variables map[string]string
	// Entry is the index of the phone number's list entry that was picked
	// (-1 when resolving an agent directly), and Mode the number's routing
	// mode.
	Entry int
	Mode  string
}

var emptyVariables = map[string]string{}

// tag returns the named tag, or nil.
func (a *AgentRoutes) tag(name string) *Tag {
	for i := range a.Tags {
		if a.Tags[i].Name == name {
			return &a.Tags[i]
		}
	}
	return nil
}

// AssignedTags lists the names of the tags that hold version n, most
// recently assigned first (the first is the version's preferred tag).
func (a *AgentRoutes) AssignedTags(n int64) []string {
	out := []string{}
	for _, t := range a.Tags {
		if t.Version != nil && *t.Version == n {
			out = append(out, t.Name)
		}
	}
	return out
}

// preferred is the most recently assigned tag holding version n, or nil.
func (a *AgentRoutes) preferred(n int64) *Tag {
	for i := range a.Tags {
		if t := &a.Tags[i]; t.Version != nil && *t.Version == n {
			return t
		}
	}
	return nil
}

// sortTags orders tags most recently assigned first, unassigned last.
func sortTags(tags []Tag) {
	slices.SortFunc(tags, func(x, y Tag) int {
		switch {
		case (x.Version == nil) != (y.Version == nil):
			if x.Version == nil {
				return 1
			}
			return -1
		case x.AssignedOrder != y.AssignedOrder:
			if x.AssignedOrder > y.AssignedOrder {
				return -1
			}
			return 1
		}
		if x.Name < y.Name {
			return -1
		}
		return 1
	})
}

// Resolve says which version ref names (DESIGN §5, Retell's rules): a tag
// gives its version with its own dynamic variables, or latest when it is
// unassigned; a number, latest or latest_published gives that version with
// the variables of its preferred tag. RefNone is latest. The snapshot must
// hold the versions.
func (a *AgentRoutes) Resolve(ref VersionRef) (Resolution, error) {
	res := Resolution{AgentID: a.AgentID, Kind: a.Kind, Entry: -1}
	var want *Tag
	switch ref.Form {
	case RefTag:
		want = a.tag(ref.Tag)
		if want == nil {
			return res, Errorf(ENOTFOUND, "agent %s has no tag %q", a.AgentID, ref.Tag)
		}
		if want.Version == nil {
			ref = VersionRef{Form: RefLatest}
		} else {
			ref = VersionRef{Form: RefNumber, Number: *want.Version}
		}
	case RefNone:
		ref = VersionRef{Form: RefLatest}
	}
	v, err := a.pick(ref)
	if err != nil {
		return res, err
	}
	res.Version, res.Published = v.Number, v.Published
	if want == nil {
		want = a.preferred(v.Number)
	}
	res.Variables = emptyVariables
	if want != nil {
		// The snapshot's own map: snapshots are never changed once made.
		res.Tag, res.Variables = want.Name, want.Variables
	}
	return res, nil
}

// pick finds the version a number, latest or latest_published names.
func (a *AgentRoutes) pick(ref VersionRef) (VersionState, error) {
	vs := a.Versions
	switch ref.Form {
	case RefNumber:
		i, ok := slices.BinarySearchFunc(vs, ref.Number, func(v VersionState, n int64) int {
			return int(min(max(v.Number-n, -1), 1))
		})
		if ok {
			return vs[i], nil
		}
		return VersionState{}, Errorf(ENOTFOUND, "agent %s has no version %d", a.AgentID, ref.Number)
	case RefLatestPublished:
		best := -1
		for i, v := range vs {
			if v.Published && (best < 0 || v.PublishedAt > vs[best].PublishedAt ||
				v.PublishedAt == vs[best].PublishedAt && v.Number > vs[best].Number) {
				best = i
			}
		}
		if best < 0 {
			return VersionState{}, Errorf(ENOTFOUND, "agent %s has no published version", a.AgentID)
		}
		return vs[best], nil
	}
	if len(vs) == 0 {
		return VersionState{}, fmt.Errorf("agent %s has no versions", a.AgentID)
	}
	return vs[len(vs)-1], nil
}

// PhoneRoutes is a snapshot of what routing needs of one phone number.
type PhoneRoutes struct {
	WorkspaceID string
	Number      string
	Mode        string
	Lists       map[Direction][]Binding
	// Buckets map each sticky bucket to an entry of the list (see
	// buckets.go); set for every non-empty list while Mode is sticky.
	Buckets map[Direction]StickyTable
}

// Pick chooses the entry of direction d's list that serves a call with the
// given counterpart (the caller of an inbound call, the callee of an
// outbound one): by bucket in sticky mode, at random in proportion to the
// weights otherwise. random returns a number in [0, 1).
func (p *PhoneRoutes) Pick(d Direction, counterpart string, random func() float64) (int, error) {
	list := p.Lists[d]
	if len(list) == 0 {
		return -1, Errorf(EINVALID, "phone number %s has no %s: no agent would answer %s", p.Number, d.Field(), d.noun())
	}
	if p.Mode == ModeSticky {
		if counterpart == "" {
			side := "to_number"
			if d.isInbound() {
				side = "from_number"
			}
			return -1, Errorf(EINVALID, "%s: is required to resolve %s of %s, which routes sticky (by counterpart number)", side, d.noun(), p.Number)
		}
		b := p.Buckets[d]
		if b.Len() != StickyBuckets {
			return -1, fmt.Errorf("phone number %s: %s has %d sticky buckets", p.Number, d, b.Len())
		}
		return b.Entry(BucketOf(counterpart)), nil
	}
	return pickWeighted(list, random()), nil
}

// pickWeighted returns the entry whose share of [0, total weight) holds
// x × total. Weights are normalised by their sum, so a sum within the
// tolerance of 1 gives each entry exactly its weight's share.
func pickWeighted(list []Binding, x float64) int {
	total := 0.0
	for _, b := range list {
		total += b.Weight
	}
	at := x * total
	for i, b := range list {
		if at < b.Weight {
			return i
		}
		at -= b.Weight
	}
	return len(list) - 1
}

// noun names the traffic of a direction in messages.
func (d Direction) noun() string {
	switch d {
	case Inbound:
		return "an inbound call"
	case Outbound:
		return "an outbound call"
	case InboundSMS:
		return "an inbound SMS"
	}
	return "an outbound SMS"
}

// checkWeights applies the rules of a list that need no database: weights
// in (0, 1] summing to 1 within WeightTolerance, no two entries alike, at
// most MaxBindings entries.
func checkWeights(field string, list []Binding) error {
	if len(list) > MaxBindings {
		return Errorf(EINVALID, "%s: must have at most %d entries, got %d", field, MaxBindings, len(list))
	}
	if len(list) == 0 {
		return nil
	}
	sum := 0.0
	seen := map[string]int{}
	for i, b := range list {
		if !(b.Weight > 0 && b.Weight <= 1) || math.IsNaN(b.Weight) {
			return Errorf(EINVALID, "%s[%d].weight: must be greater than 0 and at most 1, got %v", field, i, b.Weight)
		}
		if j, dup := seen[b.key()]; dup {
			return Errorf(EINVALID, "%s[%d]: duplicates entry %d (agent %s at version %s); list each agent and version once", field, i, j, b.AgentID, b.Version)
		}
		seen[b.key()] = i
		sum += b.Weight
	}
	if math.Abs(sum-1) > WeightTolerance {
		return Errorf(EINVALID, "%s: weights must add up to 1 (within %g), they add up to %s", field, WeightTolerance, strconv.FormatFloat(sum, 'g', -1, 64))
	}
	return nil
}
