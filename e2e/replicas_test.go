package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestReplicas runs concurrent writes to one agent through two server
// processes on one database, each request going to one or the other.
func TestReplicas(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		srvs := startServers(t, db, 2)
		t.Run("create-agent-version", func(t *testing.T) { testConcurrentCreateVersions(t, srvs) })
		t.Run("publish", func(t *testing.T) { testConcurrentPublish(t, srvs) })
		t.Run("patch-fields", func(t *testing.T) { testConcurrentPatches(t, srvs) })
		t.Run("patch-vs-publish", func(t *testing.T) { testPatchRacingPublish(t, srvs) })
		t.Run("if-match", func(t *testing.T) { testIfMatchAcrossReplicas(t, srvs) })
	})
}

// together runs fn(i) for i in [0, n) in n goroutines released at once.
func together(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// 100 concurrent create-agent-version calls all succeed with distinct new
// numbers, and the counter goes on from the last of them.
func testConcurrentCreateVersions(t *testing.T, srvs []*server) {
	id := createAgent(t, srvs[0], nil)
	const n = 100
	numbers := make([]int64, n)
	together(n, func(i int) {
		s := srvs[i%2]
		r, err := s.call("POST", "/create-agent-version/"+id, map[string]any{"base_version": 0})
		if err != nil || r.status != http.StatusCreated {
			t.Errorf("%s: create-agent-version #%d: %v %v", s.name, i, r, err)
			return
		}
		var v struct {
			Version     int64  `json:"version"`
			BaseVersion *int64 `json:"base_version"`
		}
		if err := json.Unmarshal(r.body, &v); err != nil || v.BaseVersion == nil || *v.BaseVersion != 0 {
			t.Errorf("create-agent-version #%d answered %s", i, r)
		}
		numbers[i] = v.Version
	})
	if t.Failed() {
		return
	}
	slices.Sort(numbers)
	for i, got := range numbers {
		if want := int64(i + 1); got != want {
			t.Fatalf("the 100 new versions got numbers %v; want 1…100, each once", numbers)
		}
	}
	listed := listVersions(t, srvs[1], id)
	if len(listed) != n+1 {
		t.Fatalf("list-agent-versions shows %d versions, want %d", len(listed), n+1)
	}
	seen := map[int64]bool{}
	for _, v := range listed {
		if seen[v.Version] || v.Version < 0 || v.Version > n {
			t.Fatalf("list-agent-versions shows version %d twice or out of 0…%d", v.Version, n)
		}
		seen[v.Version] = true
	}
	next := srvs[1].must(t, http.StatusCreated, "POST", "/create-agent-version/"+id, map[string]any{"base_version": 7}).object(t)
	if next["version"] != float64(n+1) {
		t.Fatalf("the next create-agent-version got version %v, want %d", next["version"], n+1)
	}
}

// Of 20 concurrent publishes of one draft exactly one wins; the version
// carries the winner's title and a timestamp from the winner's request.
func testConcurrentPublish(t *testing.T, srvs []*server) {
	id := createAgent(t, srvs[0], nil)
	const n = 20
	statuses := make([]int, n)
	spans := make([][2]int64, n)
	together(n, func(i int) {
		s := srvs[i%2]
		start := time.Now().UnixMilli()
		r, err := s.call("POST", "/publish-agent-version/"+id,
			map[string]any{"version": 0, "version_title": fmt.Sprintf("publisher %d", i)})
		spans[i] = [2]int64{start, time.Now().UnixMilli()}
		if err != nil {
			t.Errorf("%s: publish #%d: %v", s.name, i, err)
			return
		}
		statuses[i] = r.status
		if r.status == http.StatusBadRequest && !r.isErrorEnvelope() {
			t.Errorf("publish #%d: 400 without the error envelope: %s", i, r)
		}
	})
	winner := -1
	for i, st := range statuses {
		switch {
		case st == http.StatusOK && winner >= 0:
			t.Fatalf("publishes #%d and #%d both answered 200: statuses %v", winner, i, statuses)
		case st == http.StatusOK:
			winner = i
		case st != http.StatusBadRequest:
			t.Fatalf("publish #%d answered %d; want one 200 and the rest 400: %v", i, st, statuses)
		}
	}
	if winner < 0 {
		t.Fatalf("no publish answered 200: %v", statuses)
	}
	for _, s := range srvs {
		v := getVersion(t, s, id, 0)
		ts, _ := v["last_modification_timestamp"].(float64)
		if v["is_published"] != true || v["version_title"] != fmt.Sprintf("publisher %d", winner) ||
			int64(ts) < spans[winner][0] || int64(ts) > spans[winner][1] {
			t.Fatalf("%s: version 0 after the race is %v; want published by #%d (title %q, timestamp within [%d, %d])",
				s.name, v, winner, fmt.Sprintf("publisher %d", winner), spans[winner][0], spans[winner][1])
		}
	}
	if vs := listVersions(t, srvs[1], id); len(vs) != 1 || !vs[0].IsPublished {
		t.Fatalf("list-agent-versions after the race: %+v; want version 0 alone, published", vs)
	}
}

// patchFields are 20 fields of a voice agent with values unlike the
// defaults, one per concurrent PATCH.
var patchFields = map[string]any{
	"agent_name":                "patched name",
	"voice_id":                  "retell-Nico",
	"voice_temperature":         1.5,
	"voice_speed":               1.25,
	"volume":                    1.5,
	"responsiveness":            0.5,
	"interruption_sensitivity":  0.25,
	"backchannel_frequency":     0.75,
	"reminder_trigger_ms":       12345,
	"reminder_max_count":        3,
	"ambient_sound_volume":      0.5,
	"webhook_url":               "https://example.com/hook",
	"webhook_timeout_ms":        4000,
	"end_call_after_silence_ms": 20000,
	"max_call_duration_ms":      120000,
	"begin_message_delay_ms":    100,
	"ring_duration_ms":          6000,
	"timezone":                  "Europe/Paris",
	"enable_backchannel":        true,
	"stt_mode":                  "accurate",
}

// Concurrent PATCHes of different fields of one draft all land.
func testConcurrentPatches(t *testing.T, srvs []*server) {
	id := createAgent(t, srvs[0], nil)
	fields := make([]string, 0, len(patchFields))
	for k := range patchFields {
		fields = append(fields, k)
	}
	slices.Sort(fields)
	together(len(fields), func(i int) {
		s, f := srvs[i%2], fields[i]
		r, err := s.call("PATCH", "/update-agent/"+id+"?version=0", map[string]any{f: patchFields[f]})
		if err != nil || r.status != http.StatusOK {
			t.Errorf("%s: PATCH %s: %v %v", s.name, f, r, err)
		}
	})
	for _, s := range srvs {
		got := getVersion(t, s, id, 0)
		for _, f := range fields {
			if want := jsonValue(t, patchFields[f]); !reflect.DeepEqual(got[f], want) {
				t.Errorf("%s: %s is %v after the concurrent PATCHes, want %v (a lost update)", s.name, f, got[f], want)
			}
		}
	}
}

// jsonValue is v as it reads back from JSON.
func jsonValue(t testing.TB, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A PATCH racing a publish of the same draft either lands before the publish
// (and is in the published version) or is refused with a 400; the published
// version never changes afterwards.
func testPatchRacingPublish(t *testing.T, srvs []*server) {
	id := createAgent(t, srvs[0], nil)
	const rounds = 20
	type outcome struct {
		number int64
		name   string
		landed bool
		first  map[string]any
	}
	var outcomes []outcome
	for round := range rounds {
		number := int64(srvs[0].must(t, http.StatusCreated, "POST", "/create-agent-version/"+id,
			map[string]any{"base_version": 0}).object(t)["version"].(float64))
		name := fmt.Sprintf("round %d", round)
		var patch, publish *response
		var patchErr, publishErr error
		together(2, func(i int) {
			if i == 0 {
				patch, patchErr = srvs[round%2].call("PATCH", fmt.Sprintf("/update-agent/%s?version=%d", id, number),
					map[string]any{"agent_name": name})
			} else {
				publish, publishErr = srvs[(round+1)%2].call("POST", "/publish-agent-version/"+id,
					map[string]any{"version": number})
			}
		})
		if patchErr != nil || publishErr != nil {
			t.Fatalf("round %d: PATCH %v, publish %v", round, patchErr, publishErr)
		}
		if publish.status != http.StatusOK {
			t.Fatalf("round %d: publish answered %s, want 200", round, publish)
		}
		if patch.status != http.StatusOK && (patch.status != http.StatusBadRequest || !patch.isErrorEnvelope()) {
			t.Fatalf("round %d: PATCH answered %s; want 200 (landed first) or a 400 envelope (refused)", round, patch)
		}
		o := outcome{number: number, name: name, landed: patch.status == http.StatusOK,
			first: getVersion(t, srvs[round%2], id, number)}
		if o.first["is_published"] != true {
			t.Fatalf("round %d: version %d is not published after a 200 publish: %v", round, number, o.first)
		}
		if got, has := o.first["agent_name"]; o.landed && got != name || !o.landed && has {
			t.Fatalf("round %d: PATCH answered %d, but the published version has agent_name %v", round, patch.status, got)
		}
		outcomes = append(outcomes, o)
	}
	// Try to change every published version once more, then read them all
	// again from the database (get-agent-versions is never cached).
	for _, o := range outcomes {
		r := srvs[1].must(t, 0, "PATCH", fmt.Sprintf("/update-agent/%s?version=%d", id, o.number), map[string]any{"agent_name": "late"})
		if r.status != http.StatusBadRequest {
			t.Fatalf("PATCH of published version %d answered %s, want 400", o.number, r)
		}
	}
	for _, s := range srvs {
		var all []map[string]any
		if err := json.Unmarshal(s.must(t, http.StatusOK, "GET", "/get-agent-versions/"+id, nil).body, &all); err != nil {
			t.Fatal(err)
		}
		byNumber := map[float64]map[string]any{}
		for _, v := range all {
			byNumber[v["version"].(float64)] = v
		}
		for _, o := range outcomes {
			if got := byNumber[float64(o.number)]; !reflect.DeepEqual(got, o.first) {
				t.Fatalf("%s: published version %d changed:\nfirst read %v\nnow        %v", s.name, o.number, o.first, got)
			}
		}
	}
	landed := 0
	for _, o := range outcomes {
		if o.landed {
			landed++
		}
	}
	t.Logf("%d of %d PATCHes landed before the publish, %d were refused", landed, rounds, rounds-landed)
}

// An ETag read on one replica is honoured on the other: the first PATCH with
// it wins, a second PATCH or a publish with the same old ETag gets 412 and
// changes nothing.
func testIfMatchAcrossReplicas(t *testing.T, srvs []*server) {
	a, b := srvs[0], srvs[1]
	id := createAgent(t, a, nil)
	path := "/update-agent/" + id + "?version=0"
	old := a.must(t, http.StatusOK, "GET", "/get-agent/"+id+"?version=0", nil).header.Get("ETag")
	if old == "" {
		t.Fatal("get-agent answered without an ETag")
	}
	fresh := b.must(t, http.StatusOK, "PATCH", path, map[string]any{"agent_name": "first"}, "If-Match", old).header.Get("ETag")
	if fresh == "" || fresh == old {
		t.Fatalf("the PATCH answered ETag %q; want a new one (the old was %q)", fresh, old)
	}
	r := a.must(t, http.StatusPreconditionFailed, "PATCH", path, map[string]any{"agent_name": "second"}, "If-Match", old)
	if !r.isErrorEnvelope() {
		t.Fatalf("412 without the error envelope: %s", r)
	}
	r = a.must(t, http.StatusPreconditionFailed, "POST", "/publish-agent-version/"+id, map[string]any{"version": 0}, "If-Match", old)
	if !r.isErrorEnvelope() {
		t.Fatalf("412 without the error envelope: %s", r)
	}
	for _, s := range srvs {
		r := s.must(t, http.StatusOK, "GET", "/get-agent/"+id+"?version=0", nil)
		if v := r.object(t); v["agent_name"] != "first" || v["is_published"] != false || r.header.Get("ETag") != fresh {
			t.Fatalf("%s: after the refused PATCH and publish, version 0 is %v with ETag %s; want agent_name first, a draft, ETag %s",
				s.name, v, r.header.Get("ETag"), fresh)
		}
	}
	a.must(t, http.StatusOK, "POST", "/publish-agent-version/"+id, map[string]any{"version": 0}, "If-Match", fresh)
}
