package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/agentry/agentry/api"
)

// Every operation of the table has a handler and every handler an
// operation: the server refuses to start otherwise.
func TestEveryOperationHasAHandler(t *testing.T) {
	s := &Server{}
	if _, err := bind(api.Operations, s.handlers()); err != nil {
		t.Fatal(err)
	}
	hs := s.handlers()
	delete(hs, "getAgent")
	if _, err := bind(api.Operations, hs); err == nil || !strings.Contains(err.Error(), "getAgent") {
		t.Errorf("an operation without a handler was accepted: %v", err)
	}
	hs = s.handlers()
	hs["getNothing"] = func(http.ResponseWriter, *http.Request) error { return nil }
	if _, err := bind(api.Operations, hs); err == nil || !strings.Contains(err.Error(), "getNothing") {
		t.Errorf("a handler without an operation was accepted: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Handler started with a table it cannot serve")
		}
	}()
	saved := api.Operations
	defer func() { api.Operations = saved }()
	api.Operations = append(append([]api.Operation{}, saved...), api.Operation{ID: "unserved", Method: "GET", Path: "/unserved"})
	s.Handler()
}
