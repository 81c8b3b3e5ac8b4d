package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// serve answers through httpapi's listener: headers over 16 KiB are a 431
// with the JSON envelope, not net/http's plain text after a whole MiB.
func TestServeBoundsHeadersWithTheEnvelope(t *testing.T) {
	url, _ := startServe(t, map[string]string{"AGENTRY_DB": filepath.Join(t.TempDir(), "a.db"),
		"AGENTRY_API_KEY": "key_0123456789abcdef0123456789abcdef"})
	req, _ := http.NewRequest("GET", url+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 32<<10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var body struct{ Status, Message string }
	if res.StatusCode != 431 || json.Unmarshal(b, &body) != nil || body.Status != "error" {
		t.Errorf("32 KiB of headers: %d %s, want 431 with the error envelope", res.StatusCode, b)
	}
}
