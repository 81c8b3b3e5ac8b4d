package e2e

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Replicas that start at the same moment on an empty PostgreSQL database
// all come up, each making AGENTRY_API_KEY valid (one of them inserts it, the
// others find it). On SQLite they start one after the other (see
// startServers).
func TestReplicasStartTogether(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		for _, s := range startServers(t, db, 3) {
			s.must(t, http.StatusUnprocessableEntity, "GET", "/get-agent/agent_00000000000000000000000000000000", nil)
		}
	})
}

// SIGTERM with requests in flight: the listener closes at once (new
// connections are refused), the in-flight requests complete, and the process
// exits 0 within --drain-timeout.
func TestSIGTERMDrainsInFlightRequests(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		const drain = 5 * time.Second
		srv := startServer(t, "server", db.dsn, "--drain-timeout", drain.String())
		body, err := json.Marshal(agentBody(map[string]any{"agent_name": "sent slowly"}))
		if err != nil {
			t.Fatal(err)
		}
		slow := make([]*slowRequest, 3)
		for i := range slow {
			slow[i] = startSlowRequest(t, srv, body)
		}

		sent := time.Now()
		srv.signal(syscall.SIGTERM)
		waitRefused(t, srv.addr, 2*time.Second)
		// The requests are still being read; the process must wait for them.
		time.Sleep(300 * time.Millisecond)
		if srv.exited() {
			t.Fatalf("the server exited with requests in flight:\n%s", srv.output.Tail(2<<10))
		}
		for i, s := range slow {
			r := s.finish(t)
			if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"agent_id"`) {
				t.Fatalf("in-flight request %d got %s after SIGTERM; want 201", i, r)
			}
		}
		select {
		case <-srv.done:
		case <-time.After(drain):
			t.Fatalf("the server did not exit within --drain-timeout %v after its requests completed", drain)
		}
		if d := time.Since(sent); d > drain {
			t.Fatalf("the server exited %v after SIGTERM, more than --drain-timeout %v", d, drain)
		}
		var ee *exec.ExitError
		if errors.As(srv.waitErr, &ee) || srv.waitErr != nil {
			t.Fatalf("the server exited with %v after SIGTERM, want status 0", srv.waitErr)
		}
	})
}

// slowRequest is a create-agent request whose body is sent in two halves
// over a raw connection.
type slowRequest struct {
	conn net.Conn
	br   *bufio.Reader
	rest []byte
}

// startSlowRequest sends the headers and half the body. Expect: 100-continue
// makes the server say when its handler starts reading the body, so the
// request is known to be in flight when this returns.
func startSlowRequest(t *testing.T, srv *server, body []byte) *slowRequest {
	t.Helper()
	c, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c, "POST /create-agent HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", srv.addr, testKey, len(body))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("slow request: want 100 Continue, got %v %v", resp, err)
	}
	half := len(body) / 2
	if _, err := c.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	return &slowRequest{conn: c, br: br, rest: body[half:]}
}

// finish sends the rest of the body and reads the response.
func (s *slowRequest) finish(t *testing.T) *response {
	t.Helper()
	if _, err := s.conn.Write(s.rest); err != nil {
		t.Fatalf("slow request: sending the rest of the body: %v", err)
	}
	resp, err := http.ReadResponse(s.br, nil)
	if err != nil {
		t.Fatalf("slow request: no response: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

// waitRefused waits until a connection to addr is refused.
func waitRefused(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if c != nil {
			c.Close() // closed at once, so it does not hold up the drain
		}
		if time.Now().After(deadline) {
			t.Fatalf("new connections to %s were still accepted %v after SIGTERM (last: %v)", addr, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// /readyz follows the database, and a database outage fails requests with
// the error envelope within the connect timeout instead of hanging them;
// service comes back without a restart.
func TestDatabaseOutage(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		if db.kind == "sqlite" {
			// A local SQLite file has no outage to stage: the open file stays
			// readable whatever happens to its path. Readiness is still checked.
			srv := startServer(t, "server", db.dsn)
			srv.must(t, http.StatusOK, "GET", "/readyz", nil)
			return
		}
		target := db.pgURL.Host
		if db.pgURL.Port() == "" {
			target += ":5432"
		}
		proxy := startProxy(t, target)
		viaProxy := *db.pgURL
		viaProxy.Host = proxy.addr()
		const connectTimeout = time.Second
		srv := startServer(t, "server", viaProxy.String(), "--db-timeout", connectTimeout.String())
		pid := srv.cmd.Process.Pid
		id := createAgent(t, srv, map[string]any{"agent_name": "before the outage"})
		srv.must(t, http.StatusOK, "GET", "/readyz", nil)

		proxy.cut()
		// Twice: at once (the key is still in the key cache), and after the
		// key cache has expired (authentication needs the database too).
		for _, wait := range []time.Duration{0, 1200 * time.Millisecond} {
			time.Sleep(wait)
			duringOutage(t, srv, id, connectTimeout)
		}

		proxy.restore()
		deadline := time.Now().Add(10 * time.Second)
		for {
			r, err := srv.call("GET", "/readyz", nil)
			if err == nil && r.status == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz did not answer 200 within 10s of the database's return: %v %v", r, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got := getVersion(t, srv, id, 0)["agent_name"]; got != "before the outage" {
			t.Fatalf("after the outage, agent_name is %v", got)
		}
		createAgent(t, srv, map[string]any{"agent_name": "after the outage"})
		srv.must(t, http.StatusOK, "PATCH", "/update-agent/"+id, map[string]any{"agent_name": "edited after"})
		if srv.exited() || srv.cmd.Process.Pid != pid {
			t.Fatal("the server did not survive the outage")
		}
	})
}

// duringOutage sends requests in parallel while the database is cut off:
// each must answer 503 with the error envelope (so that clients know to try
// again) within the connect timeout and a margin, not hang.
func duringOutage(t *testing.T, srv *server, id string, connectTimeout time.Duration) {
	t.Helper()
	reqs := []struct {
		method, path string
		body         any
	}{
		{"GET", "/readyz", nil},
		{"GET", "/get-agent/" + id + "?version=0", nil},
		{"POST", "/create-agent", agentBody(nil)},
		{"PATCH", "/update-agent/" + id, map[string]any{"agent_name": "during the outage"}},
		{"POST", "/create-agent-version/" + id, map[string]any{"base_version": 0}},
	}
	bound := 2*connectTimeout + 2*time.Second
	var wg sync.WaitGroup
	for _, rq := range reqs {
		wg.Go(func() {
			start := time.Now()
			r, err := srv.call(rq.method, rq.path, rq.body)
			took := time.Since(start)
			switch {
			case err != nil:
				t.Errorf("%s %s during the outage: %v", rq.method, rq.path, err)
			case r.status != http.StatusServiceUnavailable || !r.isErrorEnvelope():
				t.Errorf("%s %s during the outage: %s; want a 503 error envelope", rq.method, rq.path, r)
			case took > bound:
				t.Errorf("%s %s during the outage took %v; want at most %v (--db-timeout %v)", rq.method, rq.path, took, bound, connectTimeout)
			default:
				t.Logf("%s %s during the outage: %d in %v", rq.method, rq.path, r.status, took.Round(time.Millisecond))
			}
		})
	}
	wg.Wait()
}

// A version deleted through one replica is gone from another replica's
// cache of published versions within one second, and a key revoked in the
// database is refused by every replica within --key-ttl.
func TestCachesAcrossReplicas(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		// The defaults (no cache expiry, the deletion log read every 250ms, --key-ttl 1s) are what is tested.
		srvs := startServers(t, db, 2)
		a, b := srvs[0], srvs[1]

		t.Run("deleted-version", func(t *testing.T) {
			id := createAgent(t, a, nil)
			a.must(t, http.StatusCreated, "POST", "/create-agent-version/"+id, map[string]any{"base_version": 0})
			a.must(t, http.StatusOK, "POST", "/publish-agent-version/"+id, map[string]any{"version": 0})
			path := "/get-agent/" + id + "?version=0"
			b.must(t, http.StatusOK, "GET", path, nil) // now in b's cache
			b.must(t, http.StatusOK, "GET", path, nil)
			a.must(t, http.StatusNoContent, "DELETE", "/delete-agent-version/"+id+"?version=0", nil)
			deleted := time.Now()
			for {
				r := b.must(t, 0, "GET", path, nil)
				if r.status == http.StatusUnprocessableEntity {
					break
				}
				if r.status != http.StatusOK {
					t.Fatalf("replica B answered %s", r)
				}
				if time.Since(deleted) > time.Second {
					t.Fatalf("replica B still serves version 0 more than 1s after its deletion through replica A")
				}
				time.Sleep(25 * time.Millisecond)
			}
			t.Logf("replica B saw the deletion after %v", time.Since(deleted).Round(time.Millisecond))
			for _, s := range srvs {
				if r := s.must(t, http.StatusUnprocessableEntity, "GET", path, nil); !r.isErrorEnvelope() {
					t.Fatalf("%s: %s", s.name, r)
				}
			}
		})

		t.Run("revoked-key", func(t *testing.T) {
			out, err := exec.Command(agentryBin(t), "keys", "create", "--db", db.dsn, "--workspace", "ops").Output()
			if err != nil {
				t.Fatalf("agentry keys create: %v", err)
			}
			key := strings.TrimSpace(string(out))
			auth := []string{"Authorization", "Bearer " + key}
			for _, s := range srvs {
				s.must(t, http.StatusOK, "POST", "/v2/list-agents", nil, auth...) // now in s's key cache
			}
			if out, err := exec.Command(agentryBin(t), "keys", "revoke", "--db", db.dsn, key[:12]).CombinedOutput(); err != nil {
				t.Fatalf("agentry keys revoke: %v\n%s", err, out)
			}
			revoked := time.Now()
			for _, s := range srvs {
				for {
					r := s.must(t, 0, "POST", "/v2/list-agents", nil, auth...)
					if r.status == http.StatusUnauthorized {
						break
					}
					if time.Since(revoked) > time.Second+250*time.Millisecond {
						t.Fatalf("%s still accepts a key revoked %v ago (--key-ttl 1s)", s.name, time.Since(revoked))
					}
					time.Sleep(25 * time.Millisecond)
				}
			}
		})
	})
}
