//go:build linux || darwin || freebsd

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/agentry/agentry"
)

// The change stamp of a database file (agentry.Stamper).
//
// In WAL mode every commit, by any connection of any process, publishes a
// new WAL-index header at the start of the -shm file: two copies of 48
// bytes (iVersion, an unused word, iChange — incremented at every write of
// the header —, isInit, the checksum's byte order, the page size, mxFrame,
// nPage, the frame checksum, the salts and the header's own checksum). The
// writer copies the header into the second copy, passes a memory barrier,
// then into the first; readers (SQLite's own, and this one) read the first,
// then the second, and trust them only when they are equal. Every process
// maps the same pages of that file (MAP_SHARED), this one too, read only.
//
// The stamp is those 48 bytes when both copies agree. Any commit anywhere
// changes iChange, so two equal stamps mean that nothing was committed
// between them; copies that differ mean a header is being written, and there
// is no stamp (the caller reuses nothing). A checkpoint that restarts the
// WAL writes new salts: a new stamp, which costs a cache miss and nothing
// more.
//
// Memory ordering. The reader loads the first copy's twelve words, then the
// second's, each with an atomic load: Go's compiler neither reorders nor
// merges them, on x86 loads are not reordered with other loads, and on
// arm64 an atomic load is a load-acquire (LDAR), which later loads cannot
// pass. The writer stores the second copy, then the first, with a barrier
// between: in modernc.org/sqlite (SQLite translated to Go),
// sqlite3MemoryBarrier is empty, but the barrier also takes and releases
// SQLite's unix mutex, a sync.Mutex whose Lock and Unlock are atomic
// read-modify-writes (acquire and release on arm64, locked instructions on
// x86), so the second copy's stores are visible before the first's; a C
// SQLite in another process uses a real barrier. Hence if any word of the
// first copy we read is new, the whole second copy we read afterwards is
// new, and the copies can only agree on a header that was completely
// written (a word read old that agrees was not changed by the write). The
// database read that follows the stamp starts a new read transaction, which
// reads the same header again, so it sees at least the state the stamp
// names.
//
// Lifetime. The mapping must stay backed by the file SQLite uses. SQLite
// truncates the -shm file only when a connection opens it while no process
// holds it open (it tests with a lock), and deletes it only when the last
// connection closes with the database to itself. So the stamp keeps a
// connection of its own open (pin) until the store closes. Its descriptor of
// the -shm file is never closed: POSIX record locks belong to a process, and
// closing any descriptor of the file would drop the locks that SQLite's own
// descriptor holds in this process, for every store open on that file here.
// One descriptor and one mapped page per -shm file (by device and inode) are
// kept for the life of the process and shared by every store that opens it.
type shmStamp struct {
	pin  *sql.DB
	conn *sql.Conn
	hdr  *[24]uint32
}

// headerBytes is the length of the two copies of the WAL-index header.
const headerBytes = 96

// mapped holds the header of every -shm file mapped by this process.
var mapped struct {
	sync.Mutex
	byFile map[[2]uint64]*[24]uint32
}

// openStamp maps the -shm file of the database at path, which dsn opens. It
// fails when there is no such file (not WAL mode, an in-memory database).
func openStamp(ctx context.Context, path, dsn string) (*shmStamp, error) {
	s := &shmStamp{pin: openDB(dsn)}
	s.pin.SetMaxOpenConns(1)
	var err error
	if s.conn, err = s.pin.Conn(ctx); err != nil {
		s.close()
		return nil, err
	}
	// A read opens the WAL index (the -shm file) and keeps it open as long
	// as the connection is.
	var mode string
	if err := s.conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		s.close()
		return nil, err
	}
	var n int
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		s.close()
		return nil, err
	}
	if mode != "wal" {
		s.close()
		return nil, fmt.Errorf("journal mode %s, not wal", mode)
	}
	if s.hdr, err = mapHeader(path + "-shm"); err != nil {
		s.close()
		return nil, err
	}
	if _, ok := s.Stamp(ctx); !ok {
		// A commit may be under way: the copies must agree after it, or
		// this is not a WAL index laid out as we read it.
		time.Sleep(10 * time.Millisecond)
		if _, ok := s.Stamp(ctx); !ok {
			s.close()
			return nil, errors.New("the -shm file's header copies disagree")
		}
	}
	return s, nil
}

// mapHeader returns the mapped header of the -shm file at name, mapping it
// if this process has not yet.
func mapHeader(name string) (*[24]uint32, error) {
	mapped.Lock()
	defer mapped.Unlock()
	var st syscall.Stat_t
	if err := syscall.Stat(name, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", name, err)
	}
	if h := mapped.byFile[[2]uint64{uint64(st.Dev), uint64(st.Ino)}]; h != nil {
		return h, nil
	}
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	// From here on fd is never closed (see Lifetime above), even on error.
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", name, err)
	}
	id := [2]uint64{uint64(st.Dev), uint64(st.Ino)}
	if h := mapped.byFile[id]; h != nil {
		return h, nil
	}
	if st.Size < headerBytes {
		return nil, fmt.Errorf("%s holds no WAL index", name)
	}
	mem, err := syscall.Mmap(fd, 0, headerBytes, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", name, err)
	}
	h := (*[24]uint32)(unsafe.Pointer(&mem[0]))
	if mapped.byFile == nil {
		mapped.byFile = map[[2]uint64]*[24]uint32{}
	}
	mapped.byFile[id] = h
	return h, nil
}

// Stamp returns the header when both copies agree.
func (s *shmStamp) Stamp(context.Context) (agentry.Stamp, bool) {
	var a [12]uint32
	for i := range a {
		a[i] = atomic.LoadUint32(&s.hdr[i])
	}
	for i := range a {
		if atomic.LoadUint32(&s.hdr[12+i]) != a[i] {
			return agentry.Stamp{}, false
		}
	}
	// isInit, the header's 13th byte, is zero until SQLite has built the
	// index.
	if (*[48]byte)(unsafe.Pointer(&a))[12] == 0 {
		return agentry.Stamp{}, false
	}
	var st agentry.Stamp
	*(*[12]uint32)(unsafe.Pointer(&st)) = a
	return st, true
}

// close closes the pinned connection; the store calls it after its own
// pools are closed. The mapping stays, for the process's life.
func (s *shmStamp) close() error {
	if s.conn != nil {
		if err := s.conn.Close(); err != nil {
			return errors.Join(err, s.pin.Close())
		}
	}
	return s.pin.Close()
}
