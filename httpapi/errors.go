package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// statusOf is the one table from error codes to HTTP statuses. ENOTFOUND is
// not in it: its status depends on the endpoint (see route.missing).
var statusOf = map[string]int{
	agentry.EINVALID:       http.StatusBadRequest,
	agentry.EUNAUTHORIZED:  http.StatusUnauthorized,
	agentry.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	agentry.ECONFLICT:      http.StatusConflict,
	agentry.EPRECONDITION:  http.StatusPreconditionFailed,
	agentry.EUNAVAILABLE:   http.StatusServiceUnavailable,
	agentry.EINTERNAL:      http.StatusInternalServerError,
}

// assetNotFound is the message Retell's older endpoints send with 422.
const assetNotFound = "Cannot find requested asset under given api key."

// httpError is an error with a status decided in the HTTP layer itself
// (413, 405, 404 for routes).
type httpError struct {
	status  int
	message string
}

func (e *httpError) Error() string { return e.message }

// writeError writes err as {"status":"error","message":...}. missing is the
// status this endpoint uses for a resource that does not exist. Internal
// errors are logged with the request id and answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error, missing int) {
	status, message := http.StatusInternalServerError, agentry.ErrorMessage(nil)
	var he *httpError
	var se *schema.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		status, message = he.status, he.message
	case errors.As(err, &mbe):
		status, message = http.StatusRequestEntityTooLarge, "request body: larger than the limit of 1 MiB"
	case errors.As(err, &se):
		status, message = http.StatusBadRequest, se.Error()
	case errors.Is(err, agentry.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		status, message = http.StatusServiceUnavailable, "The database is unavailable; try again shortly."
		s.log(r).Error("database unavailable", "request_id", requestID(r), "err", err)
	case agentry.ErrorCode(err) == agentry.ENOTFOUND:
		status, message = missing, agentry.ErrorMessage(err)
		if missing == http.StatusUnprocessableEntity {
			message = assetNotFound + " " + message
		}
	case agentry.ErrorCode(err) != agentry.EINTERNAL:
		status, message = statusOf[agentry.ErrorCode(err)], agentry.ErrorMessage(err)
	default:
		s.log(r).Error("internal error", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="agentry"`)
	}
	writeJSON(w, status, errorBody{Status: "error", Message: message})
}

type errorBody struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func (s *Server) log(r *http.Request) *slog.Logger { return s.logger() }

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
