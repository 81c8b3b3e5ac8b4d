package diff

import "sort"

// Limits on the longest-common-subsequence tables, which cost one cell per
// pair of items: one table holds at most maxCells (2,000 × 2,000 items,
// 8 MB), and one Diff call fills at most totalCells, so two documents of a
// few MiB diff in tens of milliseconds whatever their shape. Past a limit
// the lists are aligned more cheaply (see align); the changes stay exact,
// only less minimal.
const (
	maxCells   = 2001 * 2001
	totalCells = 4 * maxCells
)

// pair matches item a of the old list with item b of the new one.
type pair struct{ a, b int }

// matchIdentities matches named items with the same name. Names are unique
// in each list, so the longest run of names kept in order is a longest
// increasing subsequence, found in O(n log n) whatever the lengths. Items
// outside it moved; they are shown as removed and added.
func matchIdentities(old, new []*node, field string) []pair {
	at := make(map[string]int, len(old))
	for i, it := range old {
		at[identity(it, field)] = i
	}
	var common []pair
	for j, it := range new {
		if i, ok := at[identity(it, field)]; ok {
			common = append(common, pair{i, j})
		}
	}
	return increasing(common)
}

// matchValues matches equal items of two lists, keeping their order.
func (d *differ) matchValues(old, new []*node) []pair {
	a, b := classify(old, new)
	return d.align(a, b, 0, 0, true)
}

// classify gives each item a number, equal items the same number, so that
// the alignment compares integers instead of whole values.
func classify(old, new []*node) (a, b []int) {
	type class struct {
		rep *node
		id  int
	}
	byHash := make(map[uint64][]class)
	id := func(n *node) int {
		h := n.sum()
		for _, c := range byHash[h] {
			if equal(c.rep, n) {
				return c.id
			}
		}
		c := class{n, len(byHash)}
		byHash[h] = append(byHash[h], c)
		return c.id
	}
	a, b = make([]int, len(old)), make([]int, len(new))
	for i, n := range old {
		a[i] = id(n)
	}
	for j, n := range new {
		b[j] = id(n)
	}
	return a, b
}

// align returns pairs of equal items of a and b (offset by offA and offB)
// forming a common subsequence. The common prefix and suffix are matched
// first; what lies between gets an exact longest common subsequence when
// the table fits the limits. Otherwise items that occur once in each list
// anchor the alignment (when anchors is set) and the stretches between
// anchors are aligned in turn, without anchors; a stretch still too large
// is left unmatched, which the caller turns into positional edits.
func (d *differ) align(a, b []int, offA, offB int, anchors bool) []pair {
	n, m := len(a), len(b)
	pre := 0
	for pre < n && pre < m && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && a[n-1-suf] == b[m-1-suf] {
		suf++
	}
	pairs := make([]pair, 0, pre+suf)
	for k := range pre {
		pairs = append(pairs, pair{offA + k, offB + k})
	}
	ma, mb := a[pre:n-suf], b[pre:m-suf]
	midA, midB := offA+pre, offB+pre
	switch cells := (len(ma) + 1) * (len(mb) + 1); {
	case len(ma) == 0 || len(mb) == 0:
	case cells <= maxCells && cells <= d.budget:
		d.budget -= cells
		pairs = append(pairs, lcs(ma, mb, midA, midB)...)
	case anchors:
		i, j := 0, 0
		for _, p := range append(uniqueAnchors(ma, mb), pair{len(ma), len(mb)}) {
			pairs = append(pairs, d.align(ma[i:p.a], mb[j:p.b], midA+i, midB+j, false)...)
			if p.a < len(ma) {
				pairs = append(pairs, pair{midA + p.a, midB + p.b})
			}
			i, j = p.a+1, p.b+1
		}
	}
	for k := suf; k > 0; k-- {
		pairs = append(pairs, pair{offA + n - k, offB + m - k})
	}
	return pairs
}

// lcs returns a longest common subsequence of a and b by dynamic
// programming. Cell (i, j) holds the length for a[i:] and b[j:]; lengths
// fit 16 bits because maxCells keeps the shorter list under 65,536.
func lcs(a, b []int, offA, offB int) []pair {
	n, m := len(a), len(b)
	w := m + 1
	t := make([]uint16, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	var pairs []pair
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			// Matching equal heads never shortens the subsequence.
			pairs = append(pairs, pair{offA + i, offB + j})
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return pairs
}

// uniqueAnchors matches the items that occur exactly once in each list,
// keeping the longest run of them that is in the same order in both.
func uniqueAnchors(a, b []int) []pair {
	type seen struct{ inA, inB, at int }
	count := make(map[int]*seen)
	for i, x := range a {
		s := count[x]
		if s == nil {
			s = &seen{}
			count[x] = s
		}
		s.inA++
		s.at = i
	}
	for _, x := range b {
		if s := count[x]; s != nil {
			s.inB++
		}
	}
	var common []pair
	for j, x := range b {
		if s := count[x]; s != nil && s.inA == 1 && s.inB == 1 {
			common = append(common, pair{s.at, j})
		}
	}
	return increasing(common)
}

// increasing returns a longest subsequence of pairs (given in increasing b)
// whose a also increases, by patience sorting.
func increasing(pairs []pair) []pair {
	if len(pairs) == 0 {
		return nil
	}
	// tails[k] is the pair ending the best run of length k+1 found so far,
	// the one with the smallest a; prev links each pair to the run it ends.
	var tails []int
	prev := make([]int, len(pairs))
	for x, p := range pairs {
		k := sort.Search(len(tails), func(k int) bool { return pairs[tails[k]].a >= p.a })
		prev[x] = -1
		if k > 0 {
			prev[x] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, x)
		} else {
			tails[k] = x
		}
	}
	run := make([]pair, len(tails))
	for k, x := len(tails)-1, tails[len(tails)-1]; k >= 0; k, x = k-1, prev[x] {
		run[k] = pairs[x]
	}
	return run
}
