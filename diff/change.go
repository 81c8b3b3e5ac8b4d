package diff

import "encoding/json"

// The three operations a Change can carry, named as in RFC 6902.
const (
	OpAdd     = "add"     // insert into an array or set an object member
	OpRemove  = "remove"  // delete an array item or an object member
	OpReplace = "replace" // swap an existing value for another
)

// Change is one step from the old document towards the new one.
type Change struct {
	Path string          `json:"path"`           // RFC 6901 JSON Pointer, valid when the change is applied
	Op   string          `json:"op"`             // OpAdd, OpRemove or OpReplace
	From json.RawMessage `json:"from,omitempty"` // the value removed or replaced, compact JSON
	To   json.RawMessage `json:"to,omitempty"`   // the value added or put in place, compact JSON
}
