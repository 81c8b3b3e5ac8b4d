package agentry

import "strconv"

// Page is one page of a list of T: the items, whether more follow, and the
// opaque key of the next page ("" on the last page).
type Page[T any] struct {
	Items   []T
	HasMore bool
	NextKey string
}

// keysetQuery turns a page request into a store query over rows ordered by
// (CreatedAt, ID). tag names the list, so that a key only works for the
// list that issued it. It asks for one row more than the page holds, to
// learn whether more exist.
func keysetQuery(tag string, p PageRequest) (KeysetQuery, error) {
	q := KeysetQuery{Desc: p.Desc, Limit: p.Limit + 1}
	if p.Key == "" {
		return q, nil
	}
	parts, err := decodePageKey(p.Key, tag, p.Desc, 2)
	if err != nil {
		return q, err
	}
	at, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return q, badPageKey()
	}
	q.After = &ResourceCursor{CreatedAt: at, ID: parts[1]}
	return q, nil
}

// keysetPage cuts the rows of a keysetQuery to a page; key gives a row's
// sort key.
func keysetPage[T any](items []T, p PageRequest, tag string, key func(*T) (int64, string)) *Page[T] {
	page := &Page[T]{Items: items}
	if len(items) > p.Limit {
		page.Items, page.HasMore = items[:p.Limit], true
		at, id := key(&page.Items[p.Limit-1])
		page.NextKey = encodePageKey(tag, p.Desc, strconv.FormatInt(at, 10), id)
	}
	if page.Items == nil {
		page.Items = []T{}
	}
	return page
}
