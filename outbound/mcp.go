package outbound

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/agentry/agentry"
)

// MCPClient is agentry.MCPClient over the MCP streamable HTTP transport:
// JSON-RPC 2.0 messages POSTed to the server's URL, each answered with
// application/json or a text/event-stream. Listing tools is initialize,
// notifications/initialized, then tools/list (page by page), carrying the
// Mcp-Session-Id the server hands out; the session is closed with DELETE.
type MCPClient struct {
	Client *http.Client // NewHTTPClient() when nil
	// MaxAnswer bounds each answer's size (DefaultMaxAnswer when 0).
	MaxAnswer int64
}

var _ agentry.MCPClient = (*MCPClient)(nil)

// MCPProtocolVersion is the protocol revision agentry asks for.
const MCPProtocolVersion = "2025-06-18"

// maxToolPages bounds how many tools/list pages one listing reads.
const maxToolPages = 100

// mcpSession is one conversation with a server.
type mcpSession struct {
	c       *MCPClient
	url     string
	headers map[string]string
	id      string // Mcp-Session-Id, once the server gives one
	version string // the negotiated protocol version
	nextID  int
}

// rpcMessage is a JSON-RPC 2.0 message in either direction.
type rpcMessage struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  any             `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// ListTools asks the server for all its tools, within the server's timeout
// and the caller's context.
func (c *MCPClient) ListTools(ctx context.Context, server agentry.MCPServer) ([]agentry.MCPTool, error) {
	u, err := CheckURL(server.URL)
	if err != nil {
		return nil, fmt.Errorf("url %w", err)
	}
	q := u.Query()
	for k, v := range server.Query {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	// The exchange ends at the server's timeout or the caller's deadline,
	// whichever comes first; an error says which span passed.
	timeout := server.Timeout()
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < timeout {
		timeout = time.Until(deadline).Round(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s := &mcpSession{c: c, url: u.String(), headers: server.Headers}
	tools, err := s.listTools(ctx)
	if s.id != "" {
		s.close()
	}
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("no answer within %s", timeout)
	}
	return tools, err
}

func (s *mcpSession) listTools(ctx context.Context) ([]agentry.MCPTool, error) {
	var init struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	err := s.call(ctx, "initialize", map[string]any{
		"protocolVersion": MCPProtocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "agentry", "version": "1"},
	}, &init)
	if err != nil {
		return nil, err
	}
	s.version = init.ProtocolVersion
	if err := s.notify(ctx, "notifications/initialized"); err != nil {
		return nil, err
	}
	tools := []agentry.MCPTool{}
	cursor := ""
	for range maxToolPages {
		params := map[string]any{}
		if cursor != "" {
			params["cursor"] = cursor
		}
		var page struct {
			Tools []struct {
				Name        string          `json:"name"`
				Description string          `json:"description"`
				InputSchema json.RawMessage `json:"inputSchema"`
			} `json:"tools"`
			NextCursor string `json:"nextCursor"`
		}
		if err := s.call(ctx, "tools/list", params, &page); err != nil {
			return nil, err
		}
		for i, t := range page.Tools {
			if t.Name == "" {
				return nil, fmt.Errorf("tools/list: tool %d has no name", len(tools)+i)
			}
			schema := bytes.TrimSpace(t.InputSchema)
			if len(schema) == 0 || string(schema) == "null" {
				schema = []byte(`{"type":"object"}`) // the reference requires an object
			}
			if schema[0] != '{' {
				return nil, fmt.Errorf("tools/list: the inputSchema of tool %q is not a JSON object", t.Name)
			}
			tools = append(tools, agentry.MCPTool{Name: t.Name, Description: t.Description, InputSchema: schema})
		}
		if page.NextCursor == "" {
			return tools, nil
		}
		cursor = page.NextCursor
	}
	return nil, fmt.Errorf("tools/list: more than %d pages", maxToolPages)
}

// call sends a request and decodes its result into out.
func (s *mcpSession) call(ctx context.Context, method string, params any, out any) error {
	s.nextID++
	id := json.RawMessage(fmt.Sprint(s.nextID))
	res, err := s.post(ctx, rpcMessage{JSONRPC: "2.0", ID: id, Method: method, Params: params})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer res.Body.Close()
	if method == "initialize" {
		s.id = res.Header.Get("Mcp-Session-Id")
	}
	if res.StatusCode != http.StatusOK {
		b, _ := readAnswer(res, 4096)
		return fmt.Errorf("%s: the server answered HTTP %d with %s", method, res.StatusCode, excerpt(b))
	}
	msg, err := s.response(res, id)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if msg.Error != nil {
		return fmt.Errorf("%s: the server answered error %d: %s", method, msg.Error.Code, msg.Error.Message)
	}
	if err := json.Unmarshal(msg.Result, out); err != nil {
		return fmt.Errorf("%s: the result is not what the protocol says: %v", method, err)
	}
	return nil
}

// notify sends a notification, which the server accepts with 202 (any 2xx
// will do).
func (s *mcpSession) notify(ctx context.Context, method string) error {
	res, err := s.post(ctx, rpcMessage{JSONRPC: "2.0", Method: method})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s: the server answered HTTP %d", method, res.StatusCode)
	}
	return nil
}

func (s *mcpSession) post(ctx context.Context, msg rpcMessage) (*http.Response, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("the URL is not valid")
	}
	s.setHeaders(req)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	res, err := s.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not reach the server: %w", plain(err))
	}
	return res, nil
}

// setHeaders sets the configured headers, then the session's own.
func (s *mcpSession) setHeaders(req *http.Request) {
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "agentry")
	if s.id != "" {
		req.Header.Set("Mcp-Session-Id", s.id)
	}
	if s.version != "" {
		req.Header.Set("MCP-Protocol-Version", s.version)
	}
}

func (s *mcpSession) client() *http.Client {
	if s.c.Client != nil {
		return s.c.Client
	}
	return NewHTTPClient()
}

func (s *mcpSession) max() int64 {
	if s.c.MaxAnswer > 0 {
		return s.c.MaxAnswer
	}
	return DefaultMaxAnswer
}

// response finds the answer to request id in a JSON or event-stream body.
func (s *mcpSession) response(res *http.Response, id json.RawMessage) (*rpcMessage, error) {
	media, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	switch media {
	case "application/json":
		b, err := readAnswer(res, s.max())
		if err != nil {
			return nil, err
		}
		return findResponse(b, id)
	case "text/event-stream":
		return s.streamResponse(res.Body, id)
	}
	return nil, fmt.Errorf("the server answered with content type %q, not application/json or text/event-stream", media)
}

// findResponse finds the response to id in one JSON-RPC message or a batch
// of them.
func findResponse(b []byte, id json.RawMessage) (*rpcMessage, error) {
	b = bytes.TrimSpace(b)
	var msgs []rpcMessage
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &msgs); err != nil {
			return nil, fmt.Errorf("the answer is not JSON-RPC: %v", err)
		}
	} else {
		var m rpcMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("the answer is not JSON-RPC: %v", err)
		}
		msgs = []rpcMessage{m}
	}
	for i := range msgs {
		if bytes.Equal(bytes.TrimSpace(msgs[i].ID), id) && (msgs[i].Result != nil || msgs[i].Error != nil) {
			return &msgs[i], nil
		}
	}
	return nil, errors.New("the answer holds no response to the request")
}

// streamResponse reads server-sent events until one carries the response
// to id; other messages (notifications, requests of the server) are
// skipped.
func (s *mcpSession) streamResponse(body io.Reader, id json.RawMessage) (*rpcMessage, error) {
	sc := bufio.NewScanner(io.LimitReader(body, s.max()))
	sc.Buffer(make([]byte, 0, 64<<10), int(s.max()))
	var data strings.Builder
	flush := func() (*rpcMessage, error) {
		if data.Len() == 0 {
			return nil, nil
		}
		defer data.Reset()
		m, err := findResponse([]byte(data.String()), id)
		if err != nil && strings.Contains(err.Error(), "not JSON-RPC") {
			return nil, err
		}
		return m, nil
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if m, err := flush(); m != nil || err != nil {
				return m, err
			}
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the event stream: %w", plain(err))
	}
	if m, err := flush(); m != nil || err != nil {
		return m, err
	}
	return nil, errors.New("the event stream ended without a response to the request")
}

// close ends the session; a server that does not allow it says 405, which
// is fine.
func (s *mcpSession) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.url, nil)
	if err != nil {
		return
	}
	s.setHeaders(req)
	if res, err := s.client().Do(req); err == nil {
		res.Body.Close()
	}
}
