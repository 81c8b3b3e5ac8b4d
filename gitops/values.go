package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
)

// object is a JSON object as decoded with UseNumber.
type object = map[string]any

// decodeJSON decodes data into a value, keeping numbers as written.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeObject decodes data, which must be a JSON object.
func decodeObject(data []byte) (object, error) {
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(object)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

// encodeJSON encodes a value compactly, without HTML escaping, keys sorted.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("gitops: encode %T: %v", v, err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// equalValues compares two values; numbers compare by value, so 1 equals
// 1.0.
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case object:
		y, ok := b.(object)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		p, ok1 := new(big.Rat).SetString(x.String())
		q, ok2 := new(big.Rat).SetString(y.String())
		if !ok1 || !ok2 {
			return x == y
		}
		return p.Cmp(q) == 0
	default:
		return a == b
	}
}

// clone copies a value deeply.
func clone(v any) any {
	switch x := v.(type) {
	case object:
		m := make(object, len(x))
		for k, w := range x {
			m[k] = clone(w)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, w := range x {
			a[i] = clone(w)
		}
		return a
	}
	return v
}

// cloneObject copies an object deeply; nil stays nil.
func cloneObject(m object) object {
	if m == nil {
		return nil
	}
	return clone(m).(object)
}

func sortStrings(s []string) { sort.Strings(s) }

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// str returns m[key] when it is a string.
func str(m object, key string) string {
	s, _ := m[key].(string)
	return s
}

// integer returns m[key] when it is an integral number.
func integer(m object, key string) (int64, bool) {
	n, ok := m[key].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// num makes a JSON number of an integer.
func num(i int64) json.Number { return json.Number(fmt.Sprint(i)) }
