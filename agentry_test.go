package agentry_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/agentry/agentry"
)

func TestErrorHelpers(t *testing.T) {
	e := agentry.Errorf(agentry.ENOTFOUND, "agent %s not found", "agent_x")
	if e.Code != agentry.ENOTFOUND || e.Error() != "agent agent_x not found" {
		t.Errorf("Errorf = %+v", e)
	}
	wrapped := fmt.Errorf("during update: %w", e)
	internal := errors.New("disk on fire at /var/lib/x")
	tests := []struct {
		err           error
		code, message string
	}{
		{nil, "", "An unexpected server error occurred."},
		{e, agentry.ENOTFOUND, "agent agent_x not found"},
		{wrapped, agentry.ENOTFOUND, "agent agent_x not found"},
		{internal, agentry.EINTERNAL, "An unexpected server error occurred."},
		{agentry.ErrNotFound, agentry.EINTERNAL, "An unexpected server error occurred."},
	}
	for _, tc := range tests {
		if got := agentry.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if tc.err == nil {
			continue
		}
		if got := agentry.ErrorMessage(tc.err); got != tc.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tc.err, got, tc.message)
		}
	}
}
