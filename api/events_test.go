package api

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

// section returns the lines of docs/API.md from the heading that starts
// with from up to the next heading of its level or above.
func section(t *testing.T, doc, from string) []string {
	t.Helper()
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, from) {
			continue
		}
		level := strings.Index(l, " ")
		for j := i + 1; j < len(lines); j++ {
			if h := strings.Index(lines[j], " "); strings.HasPrefix(lines[j], "#") && h <= level && strings.Trim(lines[j][:h], "#") == "" {
				return lines[i:j]
			}
		}
		return lines[i:]
	}
	t.Fatalf("docs/API.md has no heading %q", from)
	return nil
}

var eventToken = regexp.MustCompile("`(\\.?[a-z_]+(?:\\.[a-z_]+)?)`")

// tableEvents returns the event names in the first column of the table
// whose header row starts with header, in the given lines. A name written
// `.updated` takes the object of the name before it.
func tableEvents(t *testing.T, lines []string, header string) []string {
	t.Helper()
	var out []string
	in := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, header):
			in = true
			continue
		case !in:
			continue
		case !strings.HasPrefix(l, "|"):
			if out == nil {
				t.Fatalf("the table %q of docs/API.md is empty", header)
			}
			return out
		case strings.HasPrefix(l, "|---"):
			continue
		}
		object := ""
		for _, m := range eventToken.FindAllStringSubmatch(strings.Split(l, "|")[1], -1) {
			name := m[1]
			if strings.HasPrefix(name, ".") {
				name = object + name
			} else if !strings.Contains(name, ".") {
				continue
			}
			object = name[:strings.Index(name, ".")]
			out = append(out, name)
		}
	}
	t.Fatalf("docs/API.md has no table %q", header)
	return nil
}

func sortedUnique(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}

// The event catalogue (agentry.Events), the events /openapi.json lets a
// webhook subscribe to, and the two tables of docs/API.md ("Audit log":
// every action; "Webhooks": the events) name the same actions, and the
// entry's description there names every object type.
func TestEventCatalogueIsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	var all, subscribable []string
	for _, e := range agentry.Events() {
		all = append(all, e.Name)
		if e.Subscribable {
			subscribable = append(subscribable, e.Name)
		}
	}
	slices.Sort(all)
	slices.Sort(subscribable)

	audited := sortedUnique(tableEvents(t, section(t, doc, "### Audit log"), "| action | by |"))
	if !slices.Equal(audited, all) {
		t.Errorf("the audit log's table in docs/API.md lists\n%v\nthe catalogue is\n%v", audited, all)
	}
	sent := sortedUnique(tableEvents(t, section(t, doc, "### Webhooks"), "| event | when |"))
	if !slices.Equal(sent, subscribable) {
		t.Errorf("the webhooks' table of events in docs/API.md lists\n%v\nthe subscribable events are\n%v", sent, subscribable)
	}

	// The document's enum of webhook events: every subscribable event and *.
	enum := loadOpenAPI(t).Components.Schemas["CreateWebhookRequest"].Value.Properties["events"].Value.Items.Value.Enum
	var offered []string
	for _, v := range enum {
		offered = append(offered, v.(string))
	}
	slices.Sort(offered)
	if want := sortedUnique(append(slices.Clone(subscribable), "*")); !slices.Equal(offered, want) {
		t.Errorf("/openapi.json offers the events\n%v\nwant\n%v", offered, want)
	}

	// The entry's object types.
	var entry string
	for _, l := range section(t, doc, "### Audit log") {
		if strings.HasPrefix(l, "- **An entry**") || (entry != "" && strings.HasPrefix(l, "  ")) {
			entry += l
		} else if entry != "" {
			break
		}
	}
	for _, o := range agentry.ObjectTypes() {
		if !strings.Contains(entry, "`"+o+"`") {
			t.Errorf("docs/API.md's description of an entry does not name the object type %s", o)
		}
	}
}
