package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestLogLeaksNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := requestLog(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "no")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	const (
		sig    = `keyId="https://remote.example/users/a#main-key",headers="(request-target) host date digest",signature="SECRETSIGNATUREVALUE=="`
		token  = "SECRETQUERYTOKEN"
		cookie = "session=SECRETCOOKIE"
		bearer = "Bearer SECRETBEARER"
		body   = `{"type":"Follow","secret":"SECRETBODY"}`
	)
	req, err := http.NewRequest("POST", srv.URL+"/ap/page/12/inbox?token="+token+"&x=1", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Signature", sig)
	req.Header.Set("Authorization", bearer)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("User-Agent", "TestServer/1.0 (+https://remote.example)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	out := buf.String()
	for _, secret := range []string{"SECRETSIGNATUREVALUE", token, "SECRETCOOKIE", "SECRETBEARER", "SECRETBODY", "token="} {
		if strings.Contains(out, secret) {
			t.Errorf("the request log holds %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line per request, got %d:\n%s", len(lines), out)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"level": "INFO", "msg": "http request", "method": "POST", "path": "/ap/page/12/inbox",
		"status": float64(401), "bytes": float64(2), "user_agent": "TestServer/1.0 (+https://remote.example)",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, rec[k], v, lines[0])
		}
	}
	if s, _ := rec["remote"].(string); !strings.HasPrefix(s, "127.0.0.1:") {
		t.Errorf("remote = %v, want the client's address", rec["remote"])
	}
	if _, ok := rec["duration"]; !ok {
		t.Errorf("no duration in %s", lines[0])
	}
}

func TestRequestLogLevels(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fine") })
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusBadGateway) })
	h := requestLog(log, mux)

	for _, p := range []string{"/ok", "/redirect", "/missing", "/broken"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	out := buf.String()
	if strings.Contains(out, "path=/ok") || strings.Contains(out, "path=/redirect") {
		t.Errorf("2xx/3xx requests are logged at info level:\n%s", out)
	}
	if !strings.Contains(out, "path=/missing status=404") || !strings.Contains(out, "path=/broken status=502") {
		t.Errorf("4xx/5xx requests are not logged at info level:\n%s", out)
	}

	buf.Reset()
	debug := requestLog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), mux)
	debug.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/ok", nil))
	if !strings.Contains(out+buf.String(), "level=DEBUG msg=\"http request\" method=GET path=/ok status=200 bytes=4") {
		t.Errorf("a 200 is not logged at debug level:\n%s", buf.String())
	}
}

func TestRequestLogPanic(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	h := requestLog(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }))
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach net/http")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	}()
	if !strings.Contains(buf.String(), "status=500") {
		t.Errorf("a panicking handler is not logged as a 500:\n%s", buf.String())
	}
}
