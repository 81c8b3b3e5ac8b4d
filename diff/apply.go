package diff

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Apply applies changes to doc one after another, each to the result of the
// one before, and returns the result as compact JSON. Paths and values are
// checked as RFC 6902 checks them, and more strictly in one respect: when a
// remove or replace carries From, the value it removes or replaces must
// equal From, so changes replayed onto the wrong document fail instead of
// silently corrupting it. The first failing change is named in the error and
// nothing is returned.
func Apply(doc json.RawMessage, changes []Change) (json.RawMessage, error) {
	root, err := parse(doc)
	if err != nil {
		return nil, fmt.Errorf("diff: document: %w", err)
	}
	for k, c := range changes {
		if root, err = applyOne(root, c); err != nil {
			return nil, fmt.Errorf("diff: change %d (%s %q): %w", k, c.Op, c.Path, err)
		}
	}
	return encode(root), nil
}

// applyOne applies one change to the tree under root and returns the root,
// which is a new one when the change replaces the whole document.
func applyOne(root *node, c Change) (*node, error) {
	var to *node
	switch c.Op {
	case OpAdd, OpReplace:
		var err error
		if to, err = value("to", c.To); err != nil {
			return nil, err
		}
	case OpRemove:
	default:
		return nil, fmt.Errorf("unknown op %q: want add, remove or replace", c.Op)
	}
	tokens, err := splitPointer(c.Path)
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		// RFC 6902 lets add and replace put a new document in place.
		if c.Op == OpRemove {
			return nil, errors.New("the whole document cannot be removed")
		}
		if err := expect(c, root); err != nil {
			return nil, err
		}
		return to, nil
	}
	parent, err := walkTo(root, tokens[:len(tokens)-1])
	if err != nil {
		return nil, err
	}
	last := tokens[len(tokens)-1]
	switch parent.kind {
	case kindObject:
		err = applyToObject(parent, last, c, to)
	case kindArray:
		err = applyToArray(parent, last, c, to)
	default:
		err = fmt.Errorf("the parent of %q is %s, not an object or array", last, parent.kind)
	}
	return root, err
}

// applyToObject applies c to the member named key of obj.
func applyToObject(obj *node, key string, c Change, to *node) error {
	if c.Op == OpAdd {
		obj.set(key, to) // add sets a member whether or not it exists
		return nil
	}
	i := obj.member(key)
	if i < 0 {
		return fmt.Errorf("no member %q to %s", key, c.Op)
	}
	if err := expect(c, obj.vals[i]); err != nil {
		return err
	}
	if c.Op == OpRemove {
		obj.removeMember(i)
	} else {
		obj.vals[i] = to
	}
	return nil
}

// applyToArray applies c to the item of arr at the position token names.
func applyToArray(arr *node, token string, c Change, to *node) error {
	i, err := arrayIndex(token, len(arr.vals), c.Op == OpAdd)
	if err != nil {
		return err
	}
	switch c.Op {
	case OpAdd:
		arr.vals = append(arr.vals, nil)
		copy(arr.vals[i+1:], arr.vals[i:])
		arr.vals[i] = to
		return nil
	case OpRemove:
		if err := expect(c, arr.vals[i]); err != nil {
			return err
		}
		arr.vals = append(arr.vals[:i], arr.vals[i+1:]...)
	default:
		if err := expect(c, arr.vals[i]); err != nil {
			return err
		}
		arr.vals[i] = to
	}
	return nil
}

// walkTo follows tokens from root to the value they name.
func walkTo(root *node, tokens []string) (*node, error) {
	cur := root
	for depth, t := range tokens {
		switch cur.kind {
		case kindObject:
			i := cur.member(t)
			if i < 0 {
				return nil, fmt.Errorf("no member %q at %q", t, pointerOf(tokens[:depth]))
			}
			cur = cur.vals[i]
		case kindArray:
			i, err := arrayIndex(t, len(cur.vals), false)
			if err != nil {
				return nil, fmt.Errorf("at %q: %w", pointerOf(tokens[:depth]), err)
			}
			cur = cur.vals[i]
		default:
			return nil, fmt.Errorf("%q is %s, not an object or array", pointerOf(tokens[:depth]), cur.kind)
		}
	}
	return cur, nil
}

// pointerOf rebuilds the pointer to a prefix of a path, for errors.
func pointerOf(tokens []string) string {
	var b []byte
	for _, t := range tokens {
		b = appendToken(b, t)
	}
	return string(b)
}

// value parses the from or to value a change carries.
func value(name string, raw json.RawMessage) (*node, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%q is missing", name)
	}
	n, err := parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", name, err)
	}
	return n, nil
}

// expect checks that the value a change removes or replaces is the one the
// change says it is, when it says so.
func expect(c Change, current *node) error {
	if len(c.From) == 0 {
		return nil
	}
	want, err := value("from", c.From)
	if err != nil {
		return err
	}
	if !equal(want, current) {
		return fmt.Errorf("the value there is %s, not the one in \"from\"", shorten(encode(current), shortLen))
	}
	return nil
}
