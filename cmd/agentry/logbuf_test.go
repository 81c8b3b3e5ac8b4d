package main

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestBufferedLogHoldsLinesUntilFlush(t *testing.T) {
	var out lockedBuffer
	l := newBufferedLog(&out, time.Hour, 64)
	l.Write([]byte("one\n"))
	l.Write([]byte("two\n"))
	if got := out.String(); got != "" {
		t.Fatalf("written before a flush: %q", got)
	}
	l.Flush()
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("after Flush: %q", got)
	}
	l.Write([]byte("three\n"))
	l.Close()
	if got := out.String(); got != "one\ntwo\nthree\n" {
		t.Fatalf("after Close: %q", got)
	}
}

func TestBufferedLogWritesWholeLinesWhenFull(t *testing.T) {
	var out lockedBuffer
	l := newBufferedLog(&out, time.Hour, 10)
	defer l.Close()
	l.Write([]byte("aaaaaa\n")) // 7 bytes: buffered
	l.Write([]byte("bbbbbb\n")) // would overflow: the first line goes out whole
	if got := out.String(); got != "aaaaaa\n" {
		t.Fatalf("got %q", got)
	}
	l.Write([]byte("a line longer than the buffer\n"))
	if got := out.String(); got != "aaaaaa\nbbbbbb\na line longer than the buffer\n" {
		t.Fatalf("got %q", got)
	}
}

func TestBufferedLogFlushesByItself(t *testing.T) {
	var out lockedBuffer
	l := newBufferedLog(&out, time.Millisecond, 1<<10)
	defer l.Close()
	l.Write([]byte("line\n"))
	// No timing assertion: only that the timer flushes eventually.
	for out.String() == "" {
		time.Sleep(time.Millisecond)
	}
}
