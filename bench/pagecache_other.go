//go:build !linux

package main

// cacheShare cannot tell outside Linux (no mincore here).
func cacheShare(path string) (float64, bool) { return 0, false }
