package diff

import (
	"fmt"
	"strconv"
	"strings"
)

// appendToken adds one reference token to a JSON Pointer, escaping '~' as
// "~0" and '/' as "~1" (RFC 6901 §3).
func appendToken(b []byte, token string) []byte {
	b = append(b, '/')
	for i := 0; i < len(token); i++ {
		switch c := token[i]; c {
		case '~':
			b = append(b, '~', '0')
		case '/':
			b = append(b, '~', '1')
		default:
			b = append(b, c)
		}
	}
	return b
}

// splitPointer returns the unescaped reference tokens of a JSON Pointer;
// "" (the whole document) has none.
func splitPointer(pointer string) ([]string, error) {
	if pointer == "" {
		return nil, nil
	}
	if pointer[0] != '/' {
		return nil, fmt.Errorf("path %q is not a JSON Pointer: it must be empty or start with '/'", pointer)
	}
	tokens := strings.Split(pointer[1:], "/")
	for i, t := range tokens {
		if strings.IndexByte(t, '~') < 0 {
			continue
		}
		var sb strings.Builder
		for k := 0; k < len(t); k++ {
			if t[k] != '~' {
				sb.WriteByte(t[k])
				continue
			}
			// "~1" is read as '/' only after the tilde is seen, so
			// "~01" is the token "~1", as RFC 6901 §4 requires.
			switch {
			case k+1 < len(t) && t[k+1] == '0':
				sb.WriteByte('~')
			case k+1 < len(t) && t[k+1] == '1':
				sb.WriteByte('/')
			default:
				return nil, fmt.Errorf("path %q: '~' must be followed by 0 or 1", pointer)
			}
			k++
		}
		tokens[i] = sb.String()
	}
	return tokens, nil
}

// arrayIndex reads token as a position in an array of n items; end allows
// the position just past the last item, and "-" for it, as add does.
func arrayIndex(token string, n int, end bool) (int, error) {
	if end && token == "-" {
		return n, nil
	}
	if token == "" || len(token) > 1 && token[0] == '0' || strings.Trim(token, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not an array index", token)
	}
	i, err := strconv.Atoi(token)
	limit := n - 1
	if end {
		limit = n
	}
	if err != nil || i > limit {
		return 0, fmt.Errorf("index %s is out of range: the array has %d items", token, n)
	}
	return i, nil
}
