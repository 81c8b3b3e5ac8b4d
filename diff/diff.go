package diff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Diff returns the changes that turn from into to, in the order they must be
// applied (see the package documentation). Both must be single JSON values.
// Equal values give an empty, non-nil list, so that an answer encodes it as
// [] rather than null. Diff is safe to call from many goroutines at once.
func Diff(from, to json.RawMessage) ([]Change, error) {
	a, err := parse(from)
	if err != nil {
		return nil, fmt.Errorf("diff: from: %w", err)
	}
	b, err := parse(to)
	if err != nil {
		return nil, fmt.Errorf("diff: to: %w", err)
	}
	d := differ{budget: totalCells, changes: []Change{}}
	d.node(a, b)
	return d.changes, nil
}

// differ collects the changes of one Diff call.
type differ struct {
	path    []byte // the pointer to the values being compared
	changes []Change
	budget  int // LCS table cells this call may still fill (see match.go)
}

// node compares two values found at d.path.
func (d *differ) node(a, b *node) {
	switch {
	case a.kind != b.kind:
		d.emit(OpReplace, a, b)
	case a.kind == kindObject:
		d.object(a, b)
	case a.kind == kindArray:
		d.array(a, b)
	case !equal(a, b):
		d.emit(OpReplace, a, b)
	}
}

// object compares members by name, in byte order of the names, so the same
// two documents always give the same changes.
func (d *differ) object(a, b *node) {
	oa, ob := byName(a), byName(b)
	i, j := 0, 0
	for i < len(oa) || j < len(ob) {
		switch {
		case j == len(ob) || i < len(oa) && a.keys[oa[i]] < b.keys[ob[j]]:
			d.at(a.keys[oa[i]], func() { d.emit(OpRemove, a.vals[oa[i]], nil) })
			i++
		case i == len(oa) || a.keys[oa[i]] > b.keys[ob[j]]:
			d.at(b.keys[ob[j]], func() { d.emit(OpAdd, nil, b.vals[ob[j]]) })
			j++
		default:
			d.at(a.keys[oa[i]], func() { d.node(a.vals[oa[i]], b.vals[ob[j]]) })
			i++
			j++
		}
	}
}

// byName lists an object's member positions in byte order of their names.
func byName(n *node) []int {
	order := make([]int, len(n.keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return strings.Compare(n.keys[x], n.keys[y]) })
	return order
}

// at runs f with d.path pointing at the member named key.
func (d *differ) at(key string, f func()) {
	mark := len(d.path)
	d.path = appendToken(d.path, key)
	f()
	d.path = d.path[:mark]
}

// atIndex runs f with d.path pointing at array position i.
func (d *differ) atIndex(i int, f func()) {
	mark := len(d.path)
	d.path = strconv.AppendInt(append(d.path, '/'), int64(i), 10)
	f()
	d.path = d.path[:mark]
}

// emit records one change at d.path; from or to is nil when the operation
// has no such value.
func (d *differ) emit(op string, from, to *node) {
	c := Change{Path: string(d.path), Op: op}
	if from != nil {
		c.From = encode(from)
	}
	if to != nil {
		c.To = encode(to)
	}
	d.changes = append(d.changes, c)
}
