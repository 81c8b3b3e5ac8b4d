package agentry

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func list(weights ...float64) []Binding {
	out := make([]Binding, len(weights))
	for i, w := range weights {
		out[i] = Binding{AgentID: fmt.Sprintf("agent_%d", i), Version: VersionRef{Form: RefLatest}, Weight: w}
	}
	return out
}

func counts(table []byte, n int) []int {
	c := make([]int, n)
	for _, e := range table {
		c[e]++
	}
	return c
}

// Each entry holds its weight's share of the buckets, exact to one bucket,
// and at least one.
func TestBucketCountsFollowWeights(t *testing.T) {
	for _, ws := range [][]float64{{1}, {0.5, 0.5}, {0.1, 0.2, 0.7}, {1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.99995, 0.00005}, {0.25, 0.25, 0.25, 0.25}} {
		c := counts(Rebalance(nil, nil, list(ws...)), len(ws))
		total := 0
		for i, w := range ws {
			total += c[i]
			if math.Abs(float64(c[i])-w*StickyBuckets) > 1 || c[i] < 1 {
				t.Errorf("weights %v: entry %d has %d buckets, want %.1f (at least 1)", ws, i, c[i], w*StickyBuckets)
			}
		}
		if total != StickyBuckets {
			t.Errorf("weights %v: %d buckets in all", ws, total)
		}
	}
}

// A list that does not change moves no bucket; a change of weights moves
// exactly the buckets the change of shares requires, only from entries that
// shrank to entries that grew; entries are followed by identity, not
// position.
func TestRebalanceMovesOnlyWhatItMust(t *testing.T) {
	a := list(0.5, 0.3, 0.2)
	t0 := Rebalance(nil, nil, a)
	if same := Rebalance(t0, a, a); string(same) != string(t0) {
		t.Fatal("an unchanged list moved buckets")
	}
	steps := [][]float64{{0.4, 0.3, 0.3}, {0.1, 0.1, 0.8}, {0.6, 0.2, 0.2}, {0.34, 0.33, 0.33}}
	prev, table := a, t0
	for _, ws := range steps {
		next := list(ws...)
		nt := Rebalance(table, prev, next)
		before, after := counts(table, len(prev)), counts(nt, len(next))
		need := 0
		for i := range after {
			if after[i] > before[i] {
				need += after[i] - before[i]
			}
		}
		moved := 0
		for b := range nt {
			if nt[b] != table[b] {
				moved++
				from, to := table[b], nt[b]
				if after[from] >= before[from] || after[to] <= before[to] {
					t.Errorf("%v: bucket %d moved from entry %d (%d→%d buckets) to entry %d (%d→%d)", ws, b, from, before[from], after[from], to, before[to], after[to])
				}
			}
		}
		if moved != need {
			t.Errorf("weights → %v: %d buckets moved, the change of shares requires %d", ws, moved, need)
		}
		prev, table = next, nt
	}
	// Reordering the same entries moves nobody: identity is agent and
	// version, not position.
	swapped := []Binding{prev[2], prev[0], prev[1]}
	st := Rebalance(table, prev, swapped)
	for b := range st {
		if swapped[st[b]].key() != prev[table[b]].key() {
			t.Fatalf("reordering the list moved bucket %d from %s to %s", b, prev[table[b]].key(), swapped[st[b]].key())
		}
	}
	// A new entry takes its share from the others and nothing more.
	grown := append(list(0.5, 0.3, 0.1), Binding{AgentID: "agent_new", Version: VersionRef{Form: RefTag, Tag: "prod"}, Weight: 0.1})
	gt := Rebalance(t0, a, grown)
	moved := 0
	for b := range gt {
		if gt[b] != t0[b] {
			moved++
			if gt[b] != 3 {
				t.Fatalf("bucket %d moved to entry %d, not to the new entry", b, gt[b])
			}
		}
	}
	if moved != StickyBuckets/10 {
		t.Errorf("adding an entry of weight 0.1 moved %d buckets, want %d", moved, StickyBuckets/10)
	}
}

// Counterpart numbers spread evenly over the buckets: 100,000 of them give
// each entry its weight's share within one percentage point, always the same
// entry for the same number, and a change of weights moves about the total
// variation of the shares.
func TestStickyShares(t *testing.T) {
	const n = 100_000
	weights := []float64{0.5, 0.3, 0.2}
	p := &PhoneRoutes{Number: "+14155550100", Mode: ModeSticky, Lists: map[Direction][]Binding{Inbound: list(weights...)}}
	table := Rebalance(nil, nil, p.Lists[Inbound])
	p.Buckets = map[Direction]StickyTable{Inbound: NewStickyTable(table)}
	first := make([]int, n)
	got := make([]int, len(weights))
	for i := range n {
		e, err := p.Pick(Inbound, fmt.Sprintf("+1212%07d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		first[i] = e
		got[e]++
	}
	for i, w := range weights {
		if share := float64(got[i]) / n; math.Abs(share-w) > 0.01 {
			t.Errorf("entry %d got %.4f of %d counterparts, weight %v", i, share, n, w)
		}
	}
	for i := range n {
		if e, _ := p.Pick(Inbound, fmt.Sprintf("+1212%07d", i), nil); e != first[i] {
			t.Fatalf("counterpart %d moved from entry %d to %d with the weights unchanged", i, first[i], e)
		}
	}
	next := list(0.4, 0.3, 0.3)
	q := &PhoneRoutes{Number: p.Number, Mode: ModeSticky, Lists: map[Direction][]Binding{Inbound: next},
		Buckets: map[Direction]StickyTable{Inbound: NewStickyTable(Rebalance(table, p.Lists[Inbound], next))}}
	moved := 0
	for i := range n {
		e, _ := q.Pick(Inbound, fmt.Sprintf("+1212%07d", i), nil)
		if e != first[i] {
			moved++
			if first[i] != 0 || e != 2 {
				t.Fatalf("counterpart %d moved from entry %d to %d; only 0 shrank and only 2 grew", i, first[i], e)
			}
		}
	}
	if share := float64(moved) / n; math.Abs(share-0.1) > 0.01 {
		t.Errorf("%.4f of counterparts moved, the shares changed by 0.1", share)
	}
}

// Random mode follows the weights: with a seeded source the 100,000 picks
// are the same every run, and each entry's share is within one percentage
// point of its weight.
func TestRandomShares(t *testing.T) {
	const n = 100_000
	for _, weights := range [][]float64{{0.5, 0.5}, {0.7, 0.2, 0.1}, {0.05, 0.15, 0.3, 0.5}} {
		p := &PhoneRoutes{Number: "+14155550100", Mode: ModeRandom, Lists: map[Direction][]Binding{Outbound: list(weights...)}}
		r := rand.New(rand.NewPCG(1, 2))
		got := make([]int, len(weights))
		for range n {
			e, err := p.Pick(Outbound, "", r.Float64)
			if err != nil {
				t.Fatal(err)
			}
			got[e]++
		}
		for i, w := range weights {
			if share := float64(got[i]) / n; math.Abs(share-w) > 0.01 {
				t.Errorf("weights %v: entry %d got %.4f of the picks", weights, i, share)
			}
		}
	}
}

func TestPickNeedsWhatItRoutesBy(t *testing.T) {
	p := &PhoneRoutes{Number: "+14155550100", Mode: ModeSticky, Lists: map[Direction][]Binding{Inbound: list(1)},
		Buckets: map[Direction]StickyTable{Inbound: NewStickyTable(Rebalance(nil, nil, list(1)))}}
	if _, err := p.Pick(Inbound, "", nil); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "from_number") {
		t.Errorf("sticky without a counterpart: %v, want EINVALID naming from_number", err)
	}
	if _, err := p.Pick(Outbound, "+1", nil); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "outbound_agents") {
		t.Errorf("an empty list: %v, want EINVALID naming outbound_agents", err)
	}
}

func TestCheckWeights(t *testing.T) {
	ok := [][]float64{{1}, {0.1, 0.2, 0.7}, {1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.3333333, 0.3333333, 0.3333334}}
	for _, ws := range ok {
		if err := checkWeights("inbound_agents", list(ws...)); err != nil {
			t.Errorf("%v: %v", ws, err)
		}
	}
	bad := []struct {
		weights []float64
		words   string
	}{
		{[]float64{0.5, 0.4}, "add up to 1"},
		{[]float64{0.6, 0.6}, "add up to 1"},
		{[]float64{0.333, 0.333, 0.333}, "add up to 1"},
		{[]float64{0, 1}, "greater than 0"},
		{[]float64{1.5, -0.5}, "at most 1"},
	}
	for _, b := range bad {
		err := checkWeights("inbound_agents", list(b.weights...))
		if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), b.words) || !strings.Contains(err.Error(), "inbound_agents") {
			t.Errorf("%v: %v, want EINVALID about %q", b.weights, err, b.words)
		}
	}
	dup := []Binding{{AgentID: "a", Version: VersionRef{Form: RefLatest}, Weight: 0.5}, {AgentID: "a", Version: VersionRef{Form: RefLatest}, Weight: 0.5}}
	if err := checkWeights("outbound_agents", dup); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "duplicates entry 0") {
		t.Errorf("duplicate entries: %v", err)
	}
	many := make([]float64, MaxBindings+1)
	for i := range many {
		many[i] = 1.0 / float64(len(many))
	}
	if err := checkWeights("inbound_agents", list(many...)); ErrorCode(err) != EINVALID {
		t.Errorf("%d entries: %v", len(many), err)
	}
}

// Resolution follows Retell's rules on one snapshot.
func TestAgentRoutesResolve(t *testing.T) {
	v := func(n int64) *int64 { return &n }
	a := &AgentRoutes{AgentID: "agent_x", Kind: VoiceAgent, Versions: []VersionState{
		{Number: 0, Published: true, PublishedAt: 10}, {Number: 2, Published: true, PublishedAt: 5}, {Number: 3}},
		Tags: []Tag{
			{Name: "prod", Version: v(0), Variables: map[string]string{"env": "prod"}, AssignedOrder: 3},
			{Name: "blue", Version: v(0), Variables: map[string]string{"env": "blue"}, AssignedOrder: 1},
			{Name: "next", Variables: map[string]string{"env": "next"}},
		}}
	sortTags(a.Tags)
	for _, c := range []struct {
		ref       VersionRef
		version   int64
		tag       string
		published bool
	}{
		{VersionRef{Form: RefNone}, 3, "", false},
		{VersionRef{Form: RefLatest}, 3, "", false},
		{VersionRef{Form: RefLatestPublished}, 0, "prod", true}, // published most recently, though 2 is larger
		{VersionRef{Form: RefNumber, Number: 0}, 0, "prod", true},
		{VersionRef{Form: RefNumber, Number: 2}, 2, "", true},
		{VersionRef{Form: RefTag, Tag: "blue"}, 0, "blue", true},  // the requested tag wins over the preferred one
		{VersionRef{Form: RefTag, Tag: "next"}, 3, "next", false}, // unassigned: latest
	} {
		res, err := a.Resolve(c.ref)
		if err != nil {
			t.Fatalf("%s: %v", c.ref, err)
		}
		if res.Version != c.version || res.Tag != c.tag || res.Published != c.published {
			t.Errorf("%s resolved to version %d tag %q published %v, want %d %q %v", c.ref, res.Version, res.Tag, res.Published, c.version, c.tag, c.published)
		}
		if c.tag != "" && res.Variables["env"] != c.tag {
			t.Errorf("%s: variables %v, want those of tag %s", c.ref, res.Variables, c.tag)
		}
	}
	if got := a.AssignedTags(0); fmt.Sprint(got) != "[prod blue]" {
		t.Errorf("assigned tags of version 0: %v, want [prod blue]", got)
	}
	for _, ref := range []VersionRef{{Form: RefTag, Tag: "gone"}, {Form: RefNumber, Number: 1}} {
		if _, err := a.Resolve(ref); ErrorCode(err) != ENOTFOUND {
			t.Errorf("%s: %v, want ENOTFOUND", ref, err)
		}
	}
	none := &AgentRoutes{AgentID: "agent_y", Versions: []VersionState{{Number: 0}}}
	if _, err := none.Resolve(VersionRef{Form: RefLatestPublished}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("latest_published with none published: %v", err)
	}
}

// Stored sticky tables depend on BucketOf: these values were computed when
// it was written, and must never change.
func TestBucketOfIsStable(t *testing.T) {
	for n, want := range map[string]int{"+14155550100": 3700, "+12125550199": 150, "": 6203, "internal-7": 3976} {
		if got := BucketOf(n); got != want {
			t.Errorf("BucketOf(%q) = %d, was %d: every stored sticky table would move its counterparts", n, got, want)
		}
	}
}
