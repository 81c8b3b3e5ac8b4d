package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// FormatOptions chooses how Format renders changes.
type FormatOptions struct {
	Color bool // ANSI colours: green for add, red for remove, yellow for replace
	Full  bool // show values whole rather than shortened to one screen line
}

// ANSI escape sequences for the colours of Format.
const (
	green  = "\x1b[32m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// shortLen is how many characters of a value Format shows, unless Full.
const shortLen = 60

// Format writes one line per change for a terminal:
//
//	~ /voice_speed: 1 → 1.2
//	+ /general_tools/0: {"type":"custom","name":"lookup",…}
//	- /states/2: {"name":"verify",…}
//
// Values are compact JSON. Control characters in paths and values are
// shown escaped, so a document cannot send commands to the terminal.
func Format(w io.Writer, changes []Change, opts FormatOptions) error {
	var b []byte
	for _, c := range changes {
		b = appendLine(b, c, opts)
	}
	_, err := w.Write(b)
	return err
}

// FormatHeader writes the line that introduces a diff, naming both sides
// as the caller labels them, e.g. "version 3 → version 5: 2 changes".
func FormatHeader(w io.Writer, from, to string, changes int, opts FormatOptions) error {
	count := "no changes"
	switch {
	case changes == 1:
		count = "1 change"
	case changes > 1:
		count = strconv.Itoa(changes) + " changes"
	}
	line := safe(from) + " → " + safe(to) + ": " + count
	if opts.Color {
		line = bold + line + reset
	}
	_, err := io.WriteString(w, line+"\n")
	return err
}

func appendLine(b []byte, c Change, opts FormatOptions) []byte {
	sign, colour := "?", ""
	switch c.Op {
	case OpAdd:
		sign, colour = "+", green
	case OpRemove:
		sign, colour = "-", red
	case OpReplace:
		sign, colour = "~", yellow
	}
	if opts.Color && colour != "" {
		b = append(b, colour...)
	}
	path := safe(c.Path)
	if c.Path == "" {
		path = "(whole document)"
	}
	b = append(b, sign...)
	b = append(b, ' ')
	b = append(b, path...)
	switch c.Op {
	case OpAdd:
		b = append(b, ": "...)
		b = append(b, show(c.To, opts)...)
	case OpRemove:
		if len(c.From) > 0 {
			b = append(b, ": "...)
			b = append(b, show(c.From, opts)...)
		}
	case OpReplace:
		b = append(b, ": "...)
		b = append(b, show(c.From, opts)...)
		b = append(b, " → "...)
		b = append(b, show(c.To, opts)...)
	default:
		b = fmt.Appendf(b, " (unknown op %s)", safe(c.Op))
	}
	if opts.Color && colour != "" {
		b = append(b, reset...)
	}
	return append(b, '\n')
}

// show renders a value compactly, shortened unless opts.Full.
func show(raw json.RawMessage, opts FormatOptions) string {
	if len(raw) == 0 {
		return "(none)"
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		raw = buf.Bytes()
	}
	if opts.Full {
		return safe(string(raw))
	}
	return shorten(raw, shortLen)
}

// shorten cuts a value to at most n characters, ending it with an ellipsis
// when something was left out.
func shorten(raw []byte, n int) string {
	s := string(raw)
	if utf8.RuneCountInString(s) <= n {
		return safe(s)
	}
	cut := 0
	for range n - 1 {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return safe(s[:cut]) + "…"
}

// safe escapes control characters (C0, DEL and C1), which a terminal
// would otherwise act on, and bytes that are not UTF-8.
func safe(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b []byte
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = fmt.Appendf(b, `\x%02x`, s[i])
		case isControl(r):
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

func isControl(r rune) bool { return r < 0x20 || 0x7f <= r && r < 0xa0 }
