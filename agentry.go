// Package agentry holds the domain of the agentry server: the kinds of
// versioned resources (agents and their response engines), their versions,
// the versioning rules and the interfaces that storage adapters implement.
// It imports nothing else of the project, so every adapter (sqlite,
// postgres, httpapi, cmd) can depend on it.
package agentry

import (
	"context"
	"errors"
	"fmt"
)

// Error codes: what went wrong, in words a client can act on. httpapi maps
// each to one HTTP status in one table; ENOTFOUND takes the status that the
// endpoint documents for a missing resource.
const (
	EINVALID       = "invalid"       // malformed request or a broken state rule (400)
	EUNAUTHORIZED  = "unauthorized"  // missing or unknown API key (401)
	ENOTFOUND      = "not_found"     // the resource or version addressed does not exist (404 or 422, per endpoint)
	EMETHOD        = "method"        // the path exists, the method does not (405)
	ETIMEOUT       = "timeout"       // the client did not send its request in time (408)
	EPRECONDITION  = "precondition"  // If-Match did not match the current version (412)
	ECONFLICT      = "conflict"      // the request conflicts with the state of its target: a published version cannot be repaired (409)
	ETOOLARGE      = "too_large"     // the body is over the limit (413)
	EUNPROCESSABLE = "unprocessable" // a referenced asset does not exist under this key (422)
	EUNSUPPORTED   = "unsupported"   // a body encoding or media type agentry does not take (415)
	ECANCELED      = "canceled"      // the client went away before the answer
	EUNAVAILABLE   = "unavailable"   // the database cannot be reached or did not answer in time (503)
	EUPSTREAM      = "upstream"      // a server the configuration names (an MCP server) gave no usable answer (422)
	EINTERNAL      = "internal"      // anything else; the detail is logged, never sent (500)
)

// Error is the one error type that reaches a client. Message is safe to
// show; Err, when set, is the cause, for the log only.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted, client-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable wraps a cause that means the database could not be reached or
// did not answer within the request's deadline.
func Unavailable(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "The database is unavailable; try again shortly.", Err: cause}
}

// ErrorCode returns the code of err: its own when it is an *Error,
// ECANCELED or EUNAVAILABLE for a context that ended, EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.Canceled):
		return ECANCELED
	case errors.Is(err, context.DeadlineExceeded):
		return EUNAVAILABLE
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err, or a generic one when
// err carries no message meant for a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if ErrorCode(err) == EUNAVAILABLE {
		return Unavailable(nil).Message
	}
	return "An unexpected server error occurred."
}

// Stores signal these conditions to the services with the sentinels below;
// the services turn them into an *Error that names what was missing or
// taken. They never reach a client as such.
var (
	// ErrNotFound is returned by stores when a row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate is returned by stores when a unique constraint rejects a row.
	ErrDuplicate = errors.New("duplicate")
	// ErrReadOnly is wrapped by a store's error when the database cannot be
	// written (read-only, full): the server is then not ready.
	ErrReadOnly = errors.New("the database cannot be written")
)

// ReadOnly wraps a cause that means the database cannot be written now.
func ReadOnly(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "The database cannot be written now; try again later.",
		Err: fmt.Errorf("%w: %w", ErrReadOnly, cause)}
}
