package testenv

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// readyTimeout bounds how long a starting redis-server may take to answer PING.
const readyTimeout = 10 * time.Second

// RedisServer is a redis-server child process private to one test, so tests
// exercise real Redis semantics (Lua, expiry, persistence) without sharing
// state with anything else.
type RedisServer struct {
	// Addr is the host:port the server listens on.
	Addr string

	t    testing.TB
	bin  string
	dir  string
	port int

	mu   sync.Mutex
	proc *process // nil while stopped
}

// Redis starts a fresh redis-server on a free 127.0.0.1 port with its data in
// a temporary directory, waits until it answers PING, and kills it when the
// test ends. Without redis-server on PATH it fails the test, or skips it in
// -short mode, so a missing server is never mistaken for a pass.
func Redis(t testing.TB) *RedisServer {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real redis-server; skipped with -short")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if testing.Short() {
			t.Skip("redis-server not found; skipping in -short mode")
		}
		t.Fatal("redis-server not found; run scripts/test.sh which installs it")
	}
	dir := t.TempDir() // registered first, so its removal runs after the kill below
	var s *RedisServer
	for attempt := 1; ; attempt++ {
		port, err := FreePort()
		if err != nil {
			t.Fatalf("testenv: pick a port for redis-server: %v", err)
		}
		s = &RedisServer{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), t: t, bin: bin, dir: dir, port: port}
		err = s.start()
		if err == nil {
			break
		}
		// Another process may take the port between FreePort and the bind.
		if attempt == 3 || !strings.Contains(err.Error(), "Address already in use") {
			t.Fatalf("testenv: %v", err)
		}
	}
	t.Cleanup(s.kill)
	return s
}

// URL is the redis:// URL of database 0, as redisstore.Open takes it.
func (s *RedisServer) URL() string { return "redis://" + s.Addr + "/0" }

// Stop shuts the server down gracefully (SIGTERM, so the append-only file is
// flushed) and waits for it to exit, to simulate Redis going away.
func (s *RedisServer) Stop() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	p := s.proc
	s.proc = nil
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Errorf("testenv: stop redis-server pid %d: %v", p.cmd.Process.Pid, err)
	}
	select {
	case <-p.done:
	case <-time.After(readyTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		s.t.Errorf("testenv: redis-server pid %d ignored SIGTERM for %v; killed it", p.cmd.Process.Pid, readyTimeout)
	}
}

// Start restarts a stopped server on the same port and directory, so data
// persisted in the append-only file is loaded again, as after a Redis
// restart in production.
func (s *RedisServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	running := s.proc != nil
	s.mu.Unlock()
	if running {
		return
	}
	if err := s.start(); err != nil {
		s.t.Fatalf("testenv: restart: %v", err)
	}
}

// start launches redis-server and waits until it answers PING.
func (s *RedisServer) start() error {
	cmd := exec.Command(s.bin,
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(s.port),
		"--dir", s.dir,
		"--appendonly", "yes",
		"--save", "",
		"--daemonize", "no",
	)
	p, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	if err := waitForPing(s.Addr, p, readyTimeout); err != nil {
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("redis-server on %s: %w\n--- redis-server output ---\n%s", s.Addr, err, p.out.String())
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	return nil
}

// kill ends the server at test cleanup: exactly its PID, then waits.
func (s *RedisServer) kill() {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}
