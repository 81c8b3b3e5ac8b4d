// Package mcptest is a small MCP server for tests: the streamable HTTP
// transport (JSON-RPC 2.0 over POST, answered with application/json or a
// text/event-stream), sessions by Mcp-Session-Id, and tools/list with
// pages. It checks what a client must do and records what it saw, so tests
// can assert both what agentry answers and how it asked.
package mcptest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// Tool is one tool the server lists.
type Tool struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	InputSchema map[string]any `json:"inputSchema"`
}

// Server is a running MCP server.
type Server struct {
	// Tools are what tools/list answers.
	Tools []Tool
	// PageSize, when not 0, splits tools/list into pages of that size.
	PageSize int
	// Stream answers requests with a text/event-stream that first carries a
	// notification, instead of application/json.
	Stream bool
	// Header, when set, must be on every request with the given value
	// (401 otherwise).
	Header [2]string
	// Query, when set, must be in every request's URL (401 otherwise).
	Query [2]string

	URL string

	mu       sync.Mutex
	sessions map[string]bool // id → initialized
	methods  []string
	closed   []string
	srv      *httptest.Server
}

// Start starts s; it stops when the test ends.
func Start(tb testing.TB, s *Server) *Server {
	tb.Helper()
	s.sessions = map[string]bool{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/mcp"
	tb.Cleanup(s.srv.Close)
	return s
}

// Methods lists the JSON-RPC methods received, in order.
func (s *Server) Methods() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.methods...)
}

// Closed lists the sessions clients ended with DELETE.
func (s *Server) Closed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.closed...)
}

type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  struct {
		ProtocolVersion string `json:"protocolVersion"`
		Cursor          string `json:"cursor"`
	} `json:"params"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.Header[0] != "" && r.Header.Get(s.Header[0]) != s.Header[1] {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if s.Query[0] != "" && r.URL.Query().Get(s.Query[0]) != s.Query[1] {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	session := r.Header.Get("Mcp-Session-Id")
	switch r.Method {
	case http.MethodDelete:
		s.mu.Lock()
		delete(s.sessions, session)
		s.closed = append(s.closed, session)
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if accept := r.Header.Get("Accept"); accept != "application/json, text/event-stream" {
		http.Error(w, "Accept must list application/json and text/event-stream, got "+accept, http.StatusNotAcceptable)
		return
	}
	var m message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.JSONRPC != "2.0" {
		http.Error(w, "not a JSON-RPC 2.0 message", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.methods = append(s.methods, m.Method)
	initialized, known := s.sessions[session]
	s.mu.Unlock()
	if m.Method == "initialize" {
		id := newSessionID()
		s.mu.Lock()
		s.sessions[id] = false
		s.mu.Unlock()
		w.Header().Set("Mcp-Session-Id", id)
		s.answer(w, m.ID, map[string]any{"protocolVersion": m.Params.ProtocolVersion,
			"capabilities": map[string]any{"tools": map[string]any{}}, "serverInfo": map[string]any{"name": "mcptest", "version": "1"}})
		return
	}
	if !known {
		http.Error(w, "unknown or missing Mcp-Session-Id", http.StatusNotFound)
		return
	}
	if r.Header.Get("MCP-Protocol-Version") == "" {
		http.Error(w, "MCP-Protocol-Version header missing", http.StatusBadRequest)
		return
	}
	switch m.Method {
	case "notifications/initialized":
		s.mu.Lock()
		s.sessions[session] = true
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case "tools/list":
		if !initialized {
			s.fail(w, m.ID, -32002, "not initialized")
			return
		}
		start, _ := strconv.Atoi(m.Params.Cursor)
		end := len(s.Tools)
		if s.PageSize > 0 && start+s.PageSize < end {
			end = start + s.PageSize
		}
		result := map[string]any{"tools": s.Tools[start:end]}
		if end < len(s.Tools) {
			result["nextCursor"] = strconv.Itoa(end)
		}
		s.answer(w, m.ID, result)
	default:
		s.fail(w, m.ID, -32601, "Method not found")
	}
}

func (s *Server) answer(w http.ResponseWriter, id json.RawMessage, result any) {
	s.write(w, map[string]any{"jsonrpc": "2.0", "id": id, "result": result})
}

func (s *Server) fail(w http.ResponseWriter, id json.RawMessage, code int, msg string) {
	s.write(w, map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": code, "message": msg}})
}

func (s *Server) write(w http.ResponseWriter, msg any) {
	b, _ := json.Marshal(msg)
	if !s.Stream {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprintf(w, "event: message\ndata: %s\n\n", `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"working"}}`)
	fmt.Fprintf(w, "id: 1\nevent: message\ndata: %s\n\n", b)
}

func newSessionID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
