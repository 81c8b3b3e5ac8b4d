package diff

import (
	"strings"
	"testing"
)

func formatted(t *testing.T, cs []Change, opts FormatOptions) string {
	t.Helper()
	var sb strings.Builder
	if err := Format(&sb, cs, opts); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

func TestFormat(t *testing.T) {
	cs := mustDiff(t,
		`{"voice_speed":1,"general_tools":[{"name":"a"}],"states":[{"name":"s1"},{"name":"s2"},{"name":"s3"}]}`,
		`{"voice_speed":1.2,"general_tools":[{"type":"custom","name":"lookup","url":"https://example.com/lookup","description":"Looks up the caller's order by number."},{"name":"a"}],"states":[{"name":"s1"},{"name":"s2"}]}`)
	want := `+ /general_tools/0: {"type":"custom","name":"lookup","url":"https://example.com…
- /states/2: {"name":"s3"}
~ /voice_speed: 1 → 1.2
`
	if got := formatted(t, cs, FormatOptions{}); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	full := formatted(t, cs[:1], FormatOptions{Full: true})
	if !strings.HasSuffix(full, `"description":"Looks up the caller's order by number."}`+"\n") {
		t.Errorf("Full: %s", full)
	}
	coloured := formatted(t, cs, FormatOptions{Color: true})
	for _, line := range []string{
		"\x1b[32m+ /general_tools/0: ",
		"\x1b[31m- /states/2: {\"name\":\"s3\"}\x1b[0m\n",
		"\x1b[33m~ /voice_speed: 1 → 1.2\x1b[0m\n",
	} {
		if !strings.Contains(coloured, line) {
			t.Errorf("Color output lacks %q:\n%s", line, coloured)
		}
	}
}

func TestFormatOddChanges(t *testing.T) {
	for _, tc := range []struct {
		c    Change
		want string
	}{
		{Change{Op: OpReplace, Path: "", From: raw(`1`), To: raw(`2`)}, "~ (whole document): 1 → 2\n"},
		{Change{Op: OpRemove, Path: "/x"}, "- /x\n"},
		{Change{Op: OpAdd, Path: "/x"}, "+ /x: (none)\n"},
		{Change{Op: "move", Path: "/x"}, "? /x (unknown op move)\n"},
		{Change{Op: OpAdd, Path: "/x", To: raw("{ \"a\" :\n [1, 2] }")}, "+ /x: {\"a\":[1,2]}\n"},
		{Change{Op: OpAdd, Path: "/\x1b[31m", To: raw(`"\u001b"`)}, "+ /\\u001b[31m: \"\\u001b\"\n"},
		{Change{Op: OpAdd, Path: "/x", To: raw("\"\u009b2J\"")}, "+ /x: \"\\u009b2J\"\n"},
		{Change{Op: OpAdd, Path: "/x", To: raw("not json \xff")}, "+ /x: not json \\xff\n"},
		{Change{Op: OpAdd, Path: "/x", To: raw(`"` + strings.Repeat("é", 70) + `"`)},
			"+ /x: \"" + strings.Repeat("é", 58) + "…\n"},
	} {
		if got := formatted(t, []Change{tc.c}, FormatOptions{}); got != tc.want {
			t.Errorf("Format(%s) = %q, want %q", render(tc.c), got, tc.want)
		}
	}
}

func TestFormatHeader(t *testing.T) {
	for n, want := range map[int]string{
		0: "version 3 → draft: no changes\n",
		1: "version 3 → draft: 1 change\n",
		7: "version 3 → draft: 7 changes\n",
	} {
		var sb strings.Builder
		if err := FormatHeader(&sb, "version 3", "draft", n, FormatOptions{}); err != nil || sb.String() != want {
			t.Errorf("FormatHeader(%d) = %q, %v; want %q", n, sb.String(), err, want)
		}
	}
	var sb strings.Builder
	FormatHeader(&sb, "a", "b", 2, FormatOptions{Color: true})
	if sb.String() != "\x1b[1ma → b: 2 changes\x1b[0m\n" {
		t.Errorf("coloured header %q", sb.String())
	}
}
