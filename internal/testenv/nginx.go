package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Nginx is Debian's nginx running the deployment kit's configuration
// (deploy/nginx) in front of a wiki and wikipub, so what is tested is what
// is deployed.
type Nginx struct {
	// LogPath has its access and error log.
	LogPath string
	proc    *process
}

// StartNginx writes deploy/nginx/nginx.conf into dir with the test's own
// listen port, upstream addresses and paths, checks it with nginx -t, and
// runs nginx as one process (no master), a child that dies with the test.
func StartNginx(t testing.TB, dir string, port int, wikiAddr, wikipubAddr string) *Nginx {
	t.Helper()
	bin := Program(t, []string{"nginx", "/usr/sbin/nginx"}, "nginx")
	src, err := repoFile("deploy/nginx")
	if err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(filepath.Join(src, "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"wikipub-http.conf", "wikipub.conf", "wikipub-proxy.conf"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmp := filepath.Join(dir, "nginx-tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	// Debian's nginx has absolute temp paths under /var/lib/nginx compiled
	// in: the test keeps its own.
	temps := ""
	for _, k := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		temps += fmt.Sprintf("\n    %s_temp_path %s;", k, filepath.Join(tmp, k))
	}
	s := string(conf)
	for _, r := range [][2]string{
		{"pid /var/run/nginx.pid;", "pid " + filepath.Join(dir, "nginx.pid") + ";"},
		{"server wikipub:8080;", "server " + wikipubAddr + ";"},
		{"server mediawiki:80;", "server " + wikiAddr + ";"},
		{"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", port)},
		{"http {", "http {" + temps},
	} {
		if strings.Count(s, r[0]) != 1 {
			t.Fatalf("deploy/nginx/nginx.conf should contain %q exactly once (the test puts its own value there)", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-p", dir + "/", "-c", confPath, "-e", "stderr", "-g", "daemon off; master_process off;"}
	if out, err := exec.Command(bin, append(args, "-t")...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t rejects the configuration made from deploy/nginx: %v\n%s\n--- %s:\n%s", err, out, confPath, s)
	}
	logPath := filepath.Join(dir, "nginx.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("starting nginx: %v", err)
	}
	p := &process{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	n := &Nginx{LogPath: logPath, proc: p}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return n
		}
		if p.exited() {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("nginx exited at start:\n%s", b)
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("nginx does not listen on 127.0.0.1:%d after 10s:\n%s", port, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Log is what nginx wrote so far.
func (n *Nginx) Log() string {
	b, _ := os.ReadFile(n.LogPath)
	return string(b)
}
