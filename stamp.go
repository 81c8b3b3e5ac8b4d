package agentry

import "context"

// Stamp identifies the committed state of a store at one moment: two stamps
// taken at different moments are equal only if nothing was committed in
// between, by any connection of any process. Its bytes mean nothing else;
// compare them whole.
type Stamp [48]byte

// Stamper is what a store that can stamp its state offers (an optional
// interface). Stamp returns false when it cannot tell right now (a commit is
// being published, the database does not answer, ctx ended) or ever (the
// backend has no such thing); the caller then treats the state as unknown:
// nothing read may be reused. A stamp describes the state at some moment
// after Stamp was called: never one from before the call.
//
// A reader that takes a stamp before a read, and later finds the same stamp
// again, knows that what it read is still what the store holds.
type Stamper interface {
	Stamp(ctx context.Context) (Stamp, bool)
}

// CostlyStamper is a Stamper that may say its stamps cost a round trip to
// the database (PostgreSQL's) rather than a read of memory (SQLite's); a
// cache then asks for stamps only while they pay (httpapi's answer cache).
type CostlyStamper interface {
	StampCostsARoundTrip() bool
}
