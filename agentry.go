// Package agentry holds the domain of the agentry server: agents, their
// versions, the versioning rules and the interfaces that storage adapters
// implement. It imports nothing else of the project, so every adapter
// (sqlite, postgres, httpapi, cmd) can depend on it.
package agentry

import (
	"errors"
	"fmt"
)

// Error codes. One table in httpapi maps each to an HTTP status.
const (
	EINVALID       = "invalid"       // malformed request or a broken state rule (400)
	EUNAUTHORIZED  = "unauthorized"  // missing or unknown API key (401)
	ENOTFOUND      = "not_found"     // the agent or version addressed does not exist (404 or 422, per endpoint)
	EUNPROCESSABLE = "unprocessable" // a referenced asset does not exist under this key (422)
	ECONFLICT      = "conflict"      // a write lost a race it cannot retry (409)
	EPRECONDITION  = "precondition"  // If-Match did not match the current version (412)
	EUNAVAILABLE   = "unavailable"   // the database cannot be reached (503)
	EINTERNAL      = "internal"      // anything else; detail is logged, never sent (500)
)

// Error is the one error type that crosses the domain boundary with a code a
// client may see. Message is safe to show to the caller.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an *Error with a formatted, client-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EINTERNAL when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err, or a generic one for
// internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An unexpected server error occurred."
}

// ErrNotFound is returned by stores when a row does not exist. Services turn
// it into an *Error naming what was missing.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned by stores when a unique constraint rejects a row.
var ErrDuplicate = errors.New("duplicate")

// ErrUnavailable is wrapped by stores when the database cannot be reached.
var ErrUnavailable = errors.New("database unavailable")
