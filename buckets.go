package agentry

import "slices"

// Sticky routing. A counterpart number hashes to one of StickyBuckets
// buckets; a table stored with the phone number says which entry of the
// list each bucket goes to. Each entry holds its weight's share of the
// buckets (largest remainder rounding, at least one bucket each).
//
// When a list changes, the new table is made from the old one: a bucket
// stays with its entry when that entry (the same agent at the same version
// reference) is still in the list and still owed that many buckets; only
// the buckets of entries that shrank or left move, to the entries that grew
// or arrived. So a change of weights moves exactly as many counterparts as
// the change of shares requires (the total variation between the old and the
// new shares, to within one bucket per entry), and a list that does not
// change moves nobody. A table is a pure function of the old table and the
// two lists, so every replica that computes it computes the same one; it
// is computed once, in the transaction that changes the list, and stored.

// StickyBuckets is the number of buckets: each entry's share is exact to
// 1/10,000 (0.01 percentage points).
const StickyBuckets = 10000

// BucketOf hashes a counterpart number to its bucket: FNV-1a over the
// bytes, finished by the splitmix64 mixer so that numbers differing in their
// last digits spread evenly. It is stable across processes and releases
// (tables are stored), so it must never change.
func BucketOf(counterpart string) int {
	h := uint64(14695981039346656037)
	for i := 0; i < len(counterpart); i++ {
		h ^= uint64(counterpart[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return int(h % StickyBuckets)
}

// bucketCounts gives each entry its share of the buckets: floor of weight ×
// StickyBuckets (weights normalised by their sum), the remainder to the
// largest fractions (earlier entries first on ties), and at least one bucket
// to every entry.
func bucketCounts(list []Binding) []int {
	total := 0.0
	for _, b := range list {
		total += b.Weight
	}
	counts := make([]int, len(list))
	frac := make([]float64, len(list))
	given := 0
	for i, b := range list {
		exact := b.Weight / total * StickyBuckets
		counts[i] = int(exact)
		frac[i] = exact - float64(counts[i])
		given += counts[i]
	}
	order := make([]int, len(list))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case frac[a] > frac[b]:
			return -1
		case frac[a] < frac[b]:
			return 1
		}
		return 0
	})
	for i := 0; given < StickyBuckets; i = (i + 1) % len(order) {
		counts[order[i]]++
		given++
	}
	// An entry too light for a whole bucket still gets one, from the
	// entry that has the most.
	for i := range counts {
		if counts[i] == 0 {
			most := 0
			for j := range counts {
				if counts[j] > counts[most] {
					most = j
				}
			}
			counts[most]--
			counts[i]++
		}
	}
	return counts
}

// Rebalance returns the bucket table of list, made from old (the table of
// previous, or nil) so that as few buckets as possible change entry. It
// returns nil for an empty list.
func Rebalance(old []byte, previous, list []Binding) []byte {
	if len(list) == 0 {
		return nil
	}
	want := bucketCounts(list)
	index := make(map[string]int, len(list))
	for i, b := range list {
		index[b.key()] = i
	}
	table := make([]byte, StickyBuckets)
	const free = 0xff // never an entry: lists hold at most MaxBindings
	have := make([]int, len(list))
	for i := range table {
		table[i] = free
		if len(old) != StickyBuckets || int(old[i]) >= len(previous) {
			continue
		}
		if j, ok := index[previous[old[i]].key()]; ok && have[j] < want[j] {
			table[i] = byte(j)
			have[j]++
		}
	}
	next := 0
	for i := range table {
		if table[i] != free {
			continue
		}
		for have[next] >= want[next] {
			next++
		}
		table[i] = byte(next)
		have[next]++
	}
	return table
}

// StickyTable is a bucket table as a routing snapshot holds it: as its runs
// of consecutive buckets that go to the same entry. A table of a new list is
// one run per entry, and each rebalance splits a few, so a table of 10,000
// bytes is held in tens of bytes: a cache of 1,000 sticky numbers held 10 MB
// of tables before. A table whose runs would take more room than its bytes
// is held as they are.
type StickyTable struct {
	n       int
	starts  []uint16 // the first bucket of each run, ascending from 0
	entries []byte   // the entry of each run
	raw     []byte   // the table itself, when starts is nil
}

// NewStickyTable holds table (copying what it keeps).
func NewStickyTable(table []byte) StickyTable {
	runs := 0
	for i := range table {
		if i == 0 || table[i] != table[i-1] {
			runs++
		}
	}
	if runs*3 >= len(table) || len(table) > 1<<16 {
		return StickyTable{n: len(table), raw: slices.Clone(table)}
	}
	t := StickyTable{n: len(table), starts: make([]uint16, 0, runs), entries: make([]byte, 0, runs)}
	for i := range table {
		if i == 0 || table[i] != table[i-1] {
			t.starts = append(t.starts, uint16(i))
			t.entries = append(t.entries, table[i])
		}
	}
	return t
}

// Len is the number of buckets in the table.
func (t StickyTable) Len() int { return t.n }

// Entry is the entry that bucket goes to; bucket is below Len.
func (t StickyTable) Entry(bucket int) int {
	if t.starts == nil {
		return int(t.raw[bucket])
	}
	// The last run that starts at or before bucket.
	i, found := slices.BinarySearch(t.starts, uint16(bucket))
	if !found {
		i--
	}
	return int(t.entries[i])
}
