package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// serve's knowledge base indexing time and concurrency limit: flags with
// environment fallbacks, bad values refused as usage errors, and what
// get-concurrency reports.
func TestServeObjectFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "agentry.db")
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"AGENTRY_KB_INDEXING_TIME": "soon"}, nil, `AGENTRY_KB_INDEXING_TIME="soon"`},
		{map[string]string{"AGENTRY_CONCURRENCY_LIMIT": "lots"}, nil, `AGENTRY_CONCURRENCY_LIMIT="lots"`},
		{nil, []string{"--kb-indexing-time", "-1s"}, "--kb-indexing-time must not be negative"},
		{nil, []string{"--concurrency-limit", "0"}, "--concurrency-limit must be at least 1"},
	} {
		env := map[string]string{"AGENTRY_DB": db}
		for k, v := range c.env {
			env[k] = v
		}
		_, _, err := runApp(t, env, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("serve %v with %v: %v; want a usage error saying %q", c.args, c.env, err, c.want)
		}
	}
	key := "key_0123456789abcdef0123456789abcdef"
	url, _ := startServe(t, map[string]string{"AGENTRY_DB": db, "AGENTRY_API_KEY": key, "AGENTRY_CONCURRENCY_LIMIT": "42"})
	req, _ := http.NewRequest("GET", url+"/get-concurrency", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got struct {
		Limit int `json:"concurrency_limit"`
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || got.Limit != 42 {
		t.Errorf("get-concurrency with AGENTRY_CONCURRENCY_LIMIT=42: %+v, %v", got, err)
	}
}
