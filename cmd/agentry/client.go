package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"strings"
	"time"
)

// The client commands (diff, audit) talk to a running server over HTTP,
// with the same key and endpoints as any client.

// clientConfig is the flags every client command shares.
type clientConfig struct {
	url    string
	key    string
	output string
}

// clientFlags adds --url (AGENTRY_URL), --api-key (AGENTRY_API_KEY) and
// --output to fs.
func (a *app) clientFlags(fs *flag.FlagSet) *clientConfig {
	c := &clientConfig{}
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "the agentry server to ask (AGENTRY_URL)")
	fs.StringVar(&c.key, "api-key", "", "the API key to ask with (AGENTRY_API_KEY)")
	fs.StringVar(&c.output, "output", "text", "text, for a terminal, or json, the server's answer as it came")
	a.fromEnv(fs, "url", "AGENTRY_URL")
	a.fromEnv(fs, "api-key", "AGENTRY_API_KEY")
	return c
}

// client checks the flags and returns a client for them.
func (c *clientConfig) client(cmd string) (*apiClient, error) {
	if c.output != "text" && c.output != "json" {
		return nil, usageError{fmt.Sprintf("%s: --output must be text or json, got %q", cmd, c.output)}
	}
	u, err := url.Parse(c.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError{fmt.Sprintf("%s: --url must be an http:// or https:// URL, got %q", cmd, c.url)}
	}
	if c.key == "" {
		return nil, usageError{fmt.Sprintf("%s: no API key: pass --api-key or set AGENTRY_API_KEY", cmd)}
	}
	return &apiClient{base: strings.TrimRight(c.url, "/"), key: c.key,
		http: &http.Client{Timeout: 60 * time.Second}}, nil
}

// apiClient makes requests to a server.
type apiClient struct {
	base string
	key  string
	http *http.Client
}

// apiError is an error answer of the server.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("the server answered %d: %s", e.status, e.message)
}

// get fetches path with the query and returns the raw JSON answer.
func (c *apiClient) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("cannot reach %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", c.base, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(bytes.ToValidUTF8(body[:min(len(body), 200)], nil)))
		}
		return nil, &apiError{status: resp.StatusCode, message: e.Message}
	}
	return body, nil
}

// interspersed moves the flags of args before the positional arguments, so
// that `agentry diff AGENT 1 2 --output json` reads as a user means it.
func interspersed(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		name := strings.TrimLeft(arg, "-")
		if !strings.HasPrefix(arg, "-") || name == "" || len(arg)-len(name) > 2 {
			rest = append(rest, arg)
			continue
		}
		flags = append(flags, arg)
		name, _, hasValue := strings.Cut(name, "=")
		f := fs.Lookup(name)
		if f == nil || hasValue {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), rest...)
}

// colorful reports whether w is a terminal that wants colours: a character
// device, and NO_COLOR unset.
func (a *app) colorful(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// operator names who runs a command on the database directly, for the audit
// log: the command and the local user and host.
func operator(cmd string) string {
	who := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		who += "@" + h
	}
	return "agentry " + cmd + " (" + who + ")"
}
