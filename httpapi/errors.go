package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/agentry/agentry"
)

// statusOf is the one table from error codes to HTTP statuses. ENOTFOUND
// takes the operation's own not-found status instead (api.Operation.Missing).
var statusOf = map[string]int{
	agentry.EINVALID:       http.StatusBadRequest,
	agentry.EUNAUTHORIZED:  http.StatusUnauthorized,
	agentry.ENOTFOUND:      http.StatusNotFound,
	agentry.EMETHOD:        http.StatusMethodNotAllowed,
	agentry.ETIMEOUT:       http.StatusRequestTimeout,
	agentry.EPRECONDITION:  http.StatusPreconditionFailed,
	agentry.ECONFLICT:      http.StatusConflict,
	agentry.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	agentry.EUNSUPPORTED:   http.StatusUnsupportedMediaType,
	agentry.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	agentry.ECANCELED:      499, // the client closed the request; only the access log sees it
	agentry.EUNAVAILABLE:   http.StatusServiceUnavailable,
	agentry.EUPSTREAM:      http.StatusUnprocessableEntity, // the one status the reference gives get-mcp-tools beyond 400
	agentry.EINTERNAL:      http.StatusInternalServerError,
}

// assetNotFound is how Retell words a 422 for a resource or an asset that
// does not exist under the calling key.
const assetNotFound = "Cannot find requested asset under given api key"

// writeError writes err as {"status":"error","message":...}, with the status
// of its code. Internal errors and outages are logged with the request id;
// an internal error's detail never reaches the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := agentry.ErrorCode(err)
	status := statusOf[code]
	message := agentry.ErrorMessage(err)
	switch code {
	case agentry.ENOTFOUND:
		if op := info(r).op; op != nil {
			status = op.NotFoundStatus()
		}
		if status == http.StatusUnprocessableEntity {
			message = assetNotFound + ". " + message
		}
	case agentry.EUNPROCESSABLE:
		message = assetNotFound + ": " + message
	case agentry.EUNAVAILABLE:
		if errors.Is(err, agentry.ErrReadOnly) {
			s.writable.failed(err)
		}
		s.logger().Error("database unavailable", "request_id", requestID(r), "err", err)
	case agentry.EINTERNAL:
		s.logger().Error("internal error", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	case agentry.ECANCELED:
		s.logger().Info("client went away", "request_id", requestID(r), "err", err)
	case agentry.EINVALID, agentry.ETIMEOUT:
		if errors.Unwrap(err) != nil {
			// A body the client could not deliver: its detail, at info.
			s.logger().Info("bad request body", "request_id", requestID(r), "status", status, "err", err)
		}
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

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
