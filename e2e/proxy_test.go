package e2e

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// tcpProxy forwards connections from a loopback port to a target (the
// PostgreSQL server), and can cut the target off without stopping it, which
// is how the tests stage a database outage for one agentry process while
// the shared server keeps serving everyone else.
type tcpProxy struct {
	target string
	ln     net.Listener

	mu     sync.Mutex
	down   bool
	closed bool
	conns  map[net.Conn]struct{} // both ends of forwarded connections, and held ones
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// addr is where clients connect.
func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns[c] = struct{}{}
		down := p.down
		p.mu.Unlock()
		if !down {
			go p.forward(c)
		}
		// While down, a connection is accepted and then never answered, as
		// by a server that hangs or a network that drops packets: the client
		// waits until its own connect timeout. restore closes it.
	}
}

func (p *tcpProxy) forward(c net.Conn) {
	u, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		p.drop(c)
		return
	}
	p.mu.Lock()
	if p.down || p.closed {
		p.mu.Unlock()
		u.Close()
		p.drop(c)
		return
	}
	p.conns[u] = struct{}{}
	p.mu.Unlock()
	go func() {
		_, _ = io.Copy(u, c)
		p.drop(u)
		p.drop(c)
	}()
	_, _ = io.Copy(c, u)
	p.drop(c)
	p.drop(u)
}

func (p *tcpProxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

// closeAll closes every connection; the caller holds p.mu.
func (p *tcpProxy) closeAll() {
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
}

// cut drops every connection to the target and stops forwarding new ones.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	p.closeAll()
}

// restore forwards new connections again; the ones held while down are
// closed, as a recovering network resets them.
func (p *tcpProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
	p.closeAll()
}

func (p *tcpProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.closeAll()
	p.mu.Unlock()
	p.ln.Close()
}
