package gitops

import (
	"strconv"
	"strings"
)

// maxSlug bounds a file name made from an object's name.
const maxSlug = 60

// slug makes a file name from an object's name: lowercase ASCII letters and
// digits, other runs of characters turned into one "-", at most 60
// characters, cut at a "-" where one is near. An empty result is fallback.
func slug(name, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > maxSlug {
		s = s[:maxSlug]
		if i := strings.LastIndexByte(s, '-'); i > maxSlug/2 {
			s = s[:i]
		}
	}
	if s == "" {
		return fallback
	}
	return s
}

// slugger hands out unique file names within one folder: the first object
// of a name gets its slug, the next ones "-2", "-3" and so on, in the order
// asked. Names already taken (kept from the state) are reserved first.
type slugger struct{ taken map[string]bool }

func newSlugger() *slugger { return &slugger{taken: map[string]bool{}} }

// reserve marks s as used.
func (g *slugger) reserve(s string) { g.taken[s] = true }

// next returns a free slug for name.
func (g *slugger) next(name, fallback string) string {
	base := slug(name, fallback)
	s := base
	for i := 2; g.taken[s]; i++ {
		s = base + "-" + strconv.Itoa(i)
	}
	g.taken[s] = true
	return s
}
