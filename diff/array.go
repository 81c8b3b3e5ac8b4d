package diff

// identityFields are the members that name an item of a list, by priority:
// a list is matched on the first one that every item of both lists carries
// as a non-empty string, unique within its list. Tools have tool_id or name,
// states name, nodes and flow edges id, analysis items name, pronunciations
// word, LLM state edges destination_state_name.
var identityFields = []string{"tool_id", "id", "component_id", "name", "word",
	"destination_state_name", "destination_node_id"}

// array compares two lists found at d.path.
func (d *differ) array(a, b *node) {
	if field := identityField(a.vals, b.vals); field != "" {
		// Named items: a different name is a different item, so unmatched
		// items are removed and added whole, never edited into each other.
		d.walk(a.vals, b.vals, matchIdentities(a.vals, b.vals, field), false)
		return
	}
	d.walk(a.vals, b.vals, d.matchValues(a.vals, b.vals), true)
}

// identityField returns the member that identifies the items of both lists,
// or "" when the lists are not lists of named items.
func identityField(old, new []*node) string {
	if len(old) == 0 || len(new) == 0 {
		return "" // all adds or all removes: matching has nothing to do
	}
	for _, list := range [][]*node{old, new} {
		for _, it := range list {
			if it.kind != kindObject {
				return ""
			}
		}
	}
	for _, f := range identityFields {
		if uniqueIdentity(old, f) && uniqueIdentity(new, f) {
			return f
		}
	}
	return ""
}

// uniqueIdentity reports whether every item names itself in field with a
// non-empty string that no other item of the list uses.
func uniqueIdentity(list []*node, field string) bool {
	seen := make(map[string]bool, len(list))
	for _, it := range list {
		i := it.member(field)
		if i < 0 {
			return false
		}
		v := it.vals[i]
		if v.kind != kindString || v.text == "" || seen[v.text] {
			return false
		}
		seen[v.text] = true
	}
	return true
}

// identity returns the name an item carries in field.
func identity(it *node, field string) string {
	return it.vals[it.member(field)].text
}

// walk emits the changes that turn old into new, given pairs of matched
// items increasing in both lists. It goes left to right keeping one
// invariant: when new[:j] is in place, the list being edited reads
// new[:j] followed by the not yet visited part of old, so position j is
// both where the next old item stands now and where new[j] must end up.
// Matched items are compared in place at j; the unmatched items between two
// matches (a gap) are removed at j and added at their place in new. With
// pairGaps, the unmatched items of a gap are first compared pairwise by
// position, so that an edited unnamed item reads as an edit.
func (d *differ) walk(old, new []*node, pairs []pair, pairGaps bool) {
	i, j := 0, 0
	for _, p := range append(pairs, pair{len(old), len(new)}) {
		d.gap(old[i:p.a], new[j:p.b], j, pairGaps)
		if p.a < len(old) {
			d.atIndex(p.b, func() { d.node(old[p.a], new[p.b]) })
		}
		i, j = p.a+1, p.b+1
	}
}

// gap emits the changes for unmatched items old and new, the first of which
// stands at position at.
func (d *differ) gap(old, new []*node, at int, pairGaps bool) {
	k := 0
	if pairGaps {
		k = min(len(old), len(new))
		for t := range k {
			d.atIndex(at+t, func() {
				if related(old[t], new[t]) {
					d.node(old[t], new[t])
				} else {
					d.emit(OpReplace, old[t], new[t])
				}
			})
		}
	}
	for t := k; t < len(old); t++ {
		d.atIndex(at+k, func() { d.emit(OpRemove, old[t], nil) })
	}
	for t := k; t < len(new); t++ {
		d.atIndex(at+t, func() { d.emit(OpAdd, nil, new[t]) })
	}
}

// related reports whether two items that stand at the same place are better
// shown by their differences than replaced whole: two arrays, or two objects
// that still share a member with an equal value (an edited field).
func related(a, b *node) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindArray:
		return true
	case kindObject:
		for i, k := range a.keys {
			if j := b.member(k); j >= 0 && equal(a.vals[i], b.vals[j]) {
				return true
			}
		}
	}
	return false
}
