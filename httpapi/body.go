package httpapi

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/agentry/agentry"
)

// Reading request bodies: what a body may be sent as, and what it means
// when the client could not deliver it.

// checkEncoding refuses a body in a content coding agentry does not decode
// (gzip, br, ...): read as JSON it would only give a misleading 400.
func checkEncoding(r *http.Request) error {
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return agentry.Errorf(agentry.EUNSUPPORTED, "Content-Encoding %q is not supported: send the request body uncompressed", c)
			}
		}
	}
	return nil
}

// readBody reads the whole (size-limited) request body. A body the client
// could not deliver is the client's error, never an internal one: over the
// limit 413, cut short of its Content-Length or in a broken chunked
// encoding 400, not finished within the server's read timeout 408, a
// client that went away ECANCELED. Each answer closes the connection,
// whose framing can no longer be trusted.
func readBody(r *http.Request) ([]byte, error) {
	var b []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= MaxBodyBytes {
		// One buffer of the announced size, not a series of doublings.
		b = make([]byte, n)
		var got int
		got, err = io.ReadFull(r.Body, b)
		b = b[:got]
		if err == nil {
			// Nothing may follow (MaxBytesReader and net/http stop there).
			_, err = r.Body.Read(make([]byte, 1))
			if err == io.EOF {
				err = nil
			}
		}
	} else {
		b, err = io.ReadAll(r.Body)
	}
	if err == nil {
		return b, nil
	}
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	var e *agentry.Error
	switch {
	case errors.As(err, &tooLarge):
		e = agentry.Errorf(agentry.ETOOLARGE, "request body: larger than the limit of %d MiB", tooLarge.Limit>>20)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		e = agentry.Errorf(agentry.ETIMEOUT, "request body: not received within the server's read timeout")
	case errors.Is(err, io.ErrUnexpectedEOF) && r.ContentLength > 0:
		// The client stopped sending (a half-close, or a close that the
		// answer may no longer reach): its body is short either way.
		e = agentry.Errorf(agentry.EINVALID, "request body: ended after %d bytes, before the %d bytes its Content-Length announced", len(b), r.ContentLength)
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) ||
		r.Context().Err() != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		e = &agentry.Error{Code: agentry.ECANCELED, Message: "The client went away before sending the whole request body."}
	default:
		// net/http's chunked reader reports a broken chunk with plain
		// errors; whatever else the body reader says is about the bytes the
		// client sent.
		e = agentry.Errorf(agentry.EINVALID, "request body: could not be read: the chunked transfer encoding is malformed or ends early")
	}
	e.Err = err
	markClose(r)
	return nil, e
}
