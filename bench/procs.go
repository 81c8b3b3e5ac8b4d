package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a measured server process.
type proc struct {
	name string
	addr string
	// debug is the address of agentry's debug listener (serve --debug-addr),
	// when the harness asked for one.
	debug string
	cmd   *exec.Cmd
	done  chan struct{} // closed when the process has exited
	err   error
	once  sync.Once
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs argv (pinned by prefix) with its output in logPath and waits
// until ready answers 2xx on addr.
func start(name, addr string, prefix, argv, env []string, logPath string, ready request) (*proc, error) {
	full := append(append([]string{}, prefix...), argv...)
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Env = append(os.Environ(), env...)
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	p := &proc{name: name, addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); logFile.Close(); close(p.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c := &conn{addr: addr}
		status, _, err := c.do(ready.wire, false)
		c.close()
		if err == nil && status >= 200 && status < 300 {
			return p, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready (%v); its log: %s", name, p.err, tail(logPath))
		default:
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready after 60s (last: status %d, %v); its log: %s", name, status, err, tail(logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM to the process group and waits (SIGKILL after 15s).
// Stopping twice is harmless.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.once.Do(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
}

// peakRSS is the process's peak resident set (VmHWM), with its descendants'.
func (p *proc) peakRSS() int64 {
	return treeHWM(p.cmd.Process.Pid)
}

func treeHWM(pid int) int64 {
	total := vmHWM(pid)
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(b)) {
			if child, err := strconv.Atoi(f); err == nil {
				total += treeHWM(child)
			}
		}
	}
	return total
}

// vmHWM reads VmHWM (bytes) from /proc/PID/status.
func vmHWM(pid int) int64 { return procStatus(pid, "VmHWM:") }

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// buildAgentry builds cmd/agentry into dir.
func buildAgentry(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "agentry")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/agentry/agentry/cmd/agentry")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/agentry: %w", err)
	}
	return bin, nil
}

// moduleDir is the repository root (where go.mod is).
func moduleDir() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run the harness inside the agentry module")
	}
	return filepath.Dir(gomod), nil
}

// machine describes the host for the report.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	n := "?"
	if out, err := exec.Command("nproc", "--all").Output(); err == nil {
		n = strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%s cores (nproc), %s, %s memory", n, cpu, mem)
}
