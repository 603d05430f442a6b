package testenv

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// command sends one inline command over a fresh connection and returns the
// reply's lines.
func command(t *testing.T, addr, cmd string, lines int) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	r := bufio.NewReader(conn)
	var out []string
	for range lines {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: read reply: %v", cmd, err)
		}
		out = append(out, strings.TrimSpace(line))
	}
	return strings.Join(out, " ")
}

func TestRedisStopStartKeepsData(t *testing.T) {
	srv := Redis(t)
	if !strings.HasPrefix(srv.URL(), "redis://127.0.0.1:") || !strings.HasSuffix(srv.URL(), "/0") {
		t.Errorf("URL() = %q", srv.URL())
	}
	if got := command(t, srv.Addr, "SET k v", 1); got != "+OK" {
		t.Fatalf("SET = %q", got)
	}
	srv.Stop()
	if err := ping(srv.Addr); err == nil {
		t.Fatal("server still answers after Stop")
	}
	srv.Start()
	if got := command(t, srv.Addr, "GET k", 2); got != "$1 v" {
		t.Errorf("GET after restart = %q, want the value written before", got)
	}
}

func TestRedisServersAreSeparate(t *testing.T) {
	a, b := Redis(t), Redis(t)
	if a.Addr == b.Addr {
		t.Fatalf("two servers share %s", a.Addr)
	}
	command(t, a.Addr, "SET only-a 1", 1)
	if got := command(t, b.Addr, "EXISTS only-a", 1); got != ":0" {
		t.Errorf("EXISTS on the other server = %q, want :0", got)
	}
}
