package agentry

import "strconv"

// Every list pages by keyset, not offset: a page key carries the sort key of
// the last row of the previous page. Lists ordered by creation carry
// (CreatedAt, ID); lists ordered by one number (a version, a sequence, a
// position) carry that number. The helpers below are the one place that
// encodes, decodes and cuts pages; each list names itself with a tag, so a
// key only works for the list and the order that issued it.

// Page is one page of a list of T: the items, whether more follow, and the
// opaque key of the next page ("" on the last page).
type Page[T any] struct {
	Items   []T
	HasMore bool
	NextKey string
}

// cursorAfter decodes the page key of a list ordered by (CreatedAt, ID):
// nil for the first page.
func cursorAfter(tag string, p PageRequest) (*ResourceCursor, error) {
	if p.Key == "" {
		return nil, nil
	}
	parts, err := decodePageKey(p.Key, tag, p.Desc, 2)
	if err != nil {
		return nil, err
	}
	at, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return nil, badPageKey()
	}
	return &ResourceCursor{CreatedAt: at, ID: parts[1]}, nil
}

// keysetQuery turns a page request into a store query over rows ordered by
// (CreatedAt, ID). It asks for one row more than the page holds, to learn
// whether more exist.
func keysetQuery(tag string, p PageRequest) (KeysetQuery, error) {
	after, err := cursorAfter(tag, p)
	return KeysetQuery{After: after, Desc: p.Desc, Limit: p.Limit + 1}, err
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

// seqAfter decodes the page key of a list ordered by one number: nil for the
// first page.
func seqAfter(tag string, p PageRequest) (*int64, error) {
	if p.Key == "" {
		return nil, nil
	}
	parts, err := decodePageKey(p.Key, tag, p.Desc, 1)
	if err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return nil, badPageKey()
	}
	return &n, nil
}

// seqPage cuts rows read one more than the page holds to a page; key gives a
// row's number.
func seqPage[T any](items []T, p PageRequest, tag string, key func(*T) int64) *Page[T] {
	page := &Page[T]{Items: items}
	if len(items) > p.Limit {
		page.Items, page.HasMore = items[:p.Limit], true
		page.NextKey = encodePageKey(tag, p.Desc, strconv.FormatInt(key(&page.Items[p.Limit-1]), 10))
	}
	if page.Items == nil {
		page.Items = []T{}
	}
	return page
}
