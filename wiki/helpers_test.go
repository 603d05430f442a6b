package wiki

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testUA is the User-Agent the tests configure.
const testUA = "wikipub-test/1.0 (+https://fedi.example)"

// fixture reads a file of testdata.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ts parses an RFC 3339 time or fails the test.
func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// apiRequest is what the fake API saw of one request.
type apiRequest struct {
	Method    string
	Form      url.Values
	UserAgent string
}

// fakeAPI is an httptest server that answers siteinfo from
// testdata/siteinfo.json and everything else with next. It records every
// request, siteinfo included.
type fakeAPI struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []apiRequest
}

func newFakeAPI(t *testing.T, next http.HandlerFunc) *fakeAPI {
	t.Helper()
	site := fixture(t, "siteinfo.json")
	f := &fakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, apiRequest{Method: r.Method, Form: r.Form, UserAgent: r.Header.Get("User-Agent")})
		f.mu.Unlock()
		if r.Form.Get("meta") == "siteinfo" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(site)
			return
		}
		if next == nil {
			http.Error(w, "unexpected request "+r.Form.Encode(), http.StatusTeapot)
			return
		}
		next(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) requests() []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiRequest(nil), f.reqs...)
}

// count is how many requests had the given action, or all when action is "".
func (f *fakeAPI) count(action string) int {
	n := 0
	for _, r := range f.requests() {
		if action == "" || r.Form.Get("action") == action {
			n++
		}
	}
	return n
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// testConfig is a client configuration with fast retries.
func testConfig(api string) Config {
	return Config{
		API:       api,
		UserAgent: testUA,
		Retries:   2,
		RetryBase: time.Millisecond,
		Timeout:   5 * time.Second,
		Logger:    discardLogger(),
	}
}

// newTestClient connects to api or fails the test.
func newTestClient(t *testing.T, api string) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := New(ctx, testConfig(api))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write([]byte(body))
}
