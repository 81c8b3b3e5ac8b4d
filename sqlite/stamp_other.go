//go:build !(linux || darwin || freebsd)

package sqlite

import (
	"context"
	"errors"

	"github.com/agentry/agentry"
)

// shmStamp is not available here: nothing is cached by stamp.
type shmStamp struct{}

func openStamp(context.Context, string, string) (*shmStamp, error) {
	return nil, errors.New("no change stamp on this system")
}

func (*shmStamp) Stamp(context.Context) (agentry.Stamp, bool) { return agentry.Stamp{}, false }

func (*shmStamp) close() error { return nil }
