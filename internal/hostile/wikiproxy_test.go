package hostile

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// wikiProxy stands between wikipub and the real wiki and remembers every
// API request, so a test can count what a remote made wikipub ask.
type wikiProxy struct {
	base string

	mu   sync.Mutex
	reqs []string // each request's parameters, query and form, decoded
}

func startWikiProxy(t testing.TB, wikiBase string) *wikiProxy {
	t.Helper()
	to, err := url.Parse(wikiBase)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &wikiProxy{base: "http://" + ln.Addr().String()}
	rp := httputil.NewSingleHostReverseProxy(to)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		params := r.URL.RawQuery
		if len(body) > 0 {
			params += "&" + string(body)
		}
		if dec, err := url.QueryUnescape(params); err == nil {
			params = dec
		}
		p.mu.Lock()
		p.reqs = append(p.reqs, params)
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// total is how many requests the proxy has passed on so far.
func (p *wikiProxy) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.reqs)
}

// count is how many requests so far had a parameter containing s.
func (p *wikiProxy) count(s string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.reqs {
		if strings.Contains(r, s) {
			n++
		}
	}
	return n
}
