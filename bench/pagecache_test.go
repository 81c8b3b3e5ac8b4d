package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestIOField(t *testing.T) {
	text := "rchar: 749517\nwchar: 248869\nsyscr: 227\nsyscw: 24\nread_bytes: 1753088\nwrite_bytes: 77824\ncancelled_write_bytes: 0\n"
	for field, want := range map[string]int64{"read_bytes": 1753088, "write_bytes": 77824, "cancelled_write_bytes": 0, "rchar": 749517, "missing": -1} {
		if got := ioField(text, field); got != want {
			t.Errorf("ioField(%q) = %d, want %d", field, got, want)
		}
	}
	if got := ioField("read_bytes: many\n", "read_bytes"); got != -1 {
		t.Errorf("ioField of a value that is not a number = %d, want -1", got)
	}
}

// A file just written and read back is in the page cache; a missing or
// empty file gives no answer rather than a share of zero.
func TestCacheShare(t *testing.T) {
	if runtime.GOOS != "linux" {
		if _, ok := cacheShare(os.Args[0]); ok {
			t.Fatalf("cacheShare answered on %s, which has no mincore", runtime.GOOS)
		}
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "db")
	if err := os.WriteFile(path, make([]byte, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	share, ok := cacheShare(path)
	if !ok || share < 0.5 || share > 1 {
		t.Errorf("cacheShare of a 4 MiB file just written and read = %.2f, %v; want most of it resident", share, ok)
	}
	if _, ok := cacheShare(filepath.Join(dir, "none")); ok {
		t.Error("cacheShare of a missing file answered")
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := cacheShare(empty); ok {
		t.Error("cacheShare of an empty file answered")
	}
}

// The probe of this process's own executable says both things it measures.
func TestStorageProbeLine(t *testing.T) {
	if runtime.GOOS != "linux" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	line := probeStorage(exe, os.Getpid()).line()
	for _, want := range []string{"% in the page cache at the start", "MB read from storage during the run"} {
		if !strings.Contains(line, want) {
			t.Errorf("probe line %q does not say %q", line, want)
		}
	}
	if got := (*storageProbe)(nil).line(); got != "" {
		t.Errorf("a nil probe says %q, want nothing", got)
	}
}
