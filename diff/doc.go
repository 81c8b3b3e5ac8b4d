// Package diff computes the changes between two JSON documents, such as two
// versions of an agent or of its response engine, applies them, and renders
// them for a terminal. It answers the changes of
// GET /agentry/v1/agents/{agent_id}/diff (DESIGN.md §6) and knows nothing of
// agents: it matches list items by conventional identity members found at
// any depth, so a document shaped {"agent": {...}, "engine": {...}} works as
// well as a bare configuration.
//
// # Changes and the order they apply in
//
// Diff returns a list of Change values, each an RFC 6902 add, remove or
// replace at an RFC 6901 JSON Pointer, carrying the old value (From, for
// remove and replace) and the new one (To, for add and replace) as compact
// JSON. The list is a script, not a set:
//
//   - Changes apply in order, each to the document left by the ones before
//     it. Apply(from, Diff(from, to)) equals to as a JSON value.
//   - An add at an array index inserts there and shifts later items right;
//     a remove shifts them left; replace swaps an existing value; an add to
//     an object sets the member; an add whose last token is "-" appends
//     (Diff itself always writes indices). Path "" is the whole document.
//   - Within one array, changes go from the first position to the last, so
//     every index is the position in the document as it stands when that
//     change applies. The position of an add, a replace or of any change
//     inside an item is also the item's position in the new document; a
//     remove's position is where the item stands at that moment, after the
//     earlier changes of the array.
//   - Members of an object are visited in byte order of their names, so the
//     same two documents always give the same list.
//
// A client that shows the changes one by one needs nothing else; a client
// that replays them must replay all of them, in order, on the old document.
//
// # How values are compared
//
// Objects are compared member by member, recursively. Values of different
// JSON types, and different strings, booleans or numbers, are replaced
// whole. Numbers compare by value: 1, 1.0 and 1e0 are equal, while From and
// To keep each number's text as written.
//
// A list whose items are all objects naming themselves is a list of named
// items, matched by name rather than position. The name is the first of
// tool_id, id, component_id, name, word, destination_state_name and
// destination_node_id that every item of both lists carries as a non-empty
// string unique within its list. So tools match by tool_id or name, states
// by name, nodes and flow edges by id, post-call analysis items by name,
// pronunciations by word, and LLM state edges by destination_state_name.
// Items named in both lists are compared in place; an item named only in
// the new list is one add, only in the old list one remove. The longest run
// of names in the same order in both lists stays in place; an item that
// left that order (a move) is removed and added whole. A rename is a
// different item: remove the old, add the new.
//
// Any other list is aligned by value on a longest common subsequence of
// equal items, so an inserted string is one add. Unmatched items standing
// between the same two matched ones are compared by position: two objects
// that still share a member with an equal value, or two arrays, are
// compared inside (an edited field reads as one nested replace); other
// pairs are replaced whole; the surplus is removed or added.
//
// # Limits
//
// Named lists are matched in O(n log n). Alignment by value costs the
// product of the two lengths once common ends are set aside; one table is
// capped at about 2,000 × 2,000 items and one call at four such tables.
// Beyond that, items occurring once in each list anchor the alignment and
// what remains is compared by position. The changes stay exact, only less
// minimal. Documents nested deeper than 10,000 levels are refused, as
// encoding/json refuses them.
//
// Apply checks each change as RFC 6902 does and also checks From: a remove
// or replace whose From differs from the value found fails, so changes
// replayed onto the wrong document are refused rather than misapplied.
package diff
