package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// storageProbe is what the harness notes, for a run on SQLite, about where
// the database's pages came from: the share of the database file in the
// kernel's page cache when the run started, and how many bytes the server
// read from storage (not from the page cache) during the run. A write that
// finds its pages out of the page cache waits for the disk, so a low share
// explains a slow write run; some virtual machines drop page cache that the
// kernel itself never reclaims (docs/BENCHMARKS.md, "Publish at 100,000 × 10:
// the page cache").
type storageProbe struct {
	path string
	pid  int
	// share is the resident share at the start, or -1 when unknown.
	share     float64
	readBytes int64
}

// probeStorage starts a probe of the database file at path, read by the
// process pid.
func probeStorage(path string, pid int) *storageProbe {
	p := &storageProbe{path: path, pid: pid, share: -1}
	if s, ok := cacheShare(path); ok {
		p.share = s
	}
	p.readBytes = procIO(pid, "read_bytes")
	return p
}

// line ends the probe and says what it saw, or "" when it saw nothing.
func (p *storageProbe) line() string {
	if p == nil {
		return ""
	}
	var parts []string
	if p.share >= 0 {
		parts = append(parts, fmt.Sprintf("database file %.0f%% in the page cache at the start", p.share*100))
	}
	if end := procIO(p.pid, "read_bytes"); p.readBytes >= 0 && end >= 0 {
		parts = append(parts, fmt.Sprintf("%.1f MB read from storage during the run", float64(end-p.readBytes)/1e6))
	}
	return strings.Join(parts, ", ")
}

// procIO reads one counter of /proc/PID/io (bytes), or -1.
func procIO(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return -1
	}
	return ioField(string(b), field)
}

// ioField finds "field: N" in the text of /proc/PID/io, or -1.
func ioField(text, field string) int64 {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}
