package hostile

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// peer is a Fediverse server of the suite's own on 127.0.0.1: it serves
// whatever documents a test puts on it, and records every POST it gets
// (what wikipub delivers) and how often each path was fetched.
type peer struct {
	// base is http://127.0.0.1:PORT; host is 127.0.0.1:PORT.
	base, host string

	mu     sync.Mutex
	docs   map[string][]byte
	status map[string]int
	gets   map[string]int
	posts  []post
}

// post is one POST the peer received.
type post struct {
	path string
	body map[string]any
	raw  []byte
}

// newPeer starts a peer that stops when the test ends.
func newPeer(t testing.TB) *peer { return newPeerAs(t, "127.0.0.1") }

// newPeerAs starts a peer known by another name for 127.0.0.1
// ("localhost"), a host of its own for domain blocks.
func newPeerAs(t testing.TB, name string) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	host := net.JoinHostPort(name, port)
	p := &peer{base: "http://" + host, host: host,
		docs: map[string][]byte{}, status: map[string]int{}, gets: map[string]int{}}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

func (p *peer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.Method {
	case http.MethodPost:
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		p.posts = append(p.posts, post{path: r.URL.Path, body: body, raw: raw})
		w.WriteHeader(http.StatusAccepted)
	case http.MethodGet:
		p.gets[r.URL.Path]++
		if code := p.status[r.URL.Path]; code != 0 {
			w.WriteHeader(code)
			return
		}
		doc, ok := p.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		w.Write(doc)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// serve puts a document (marshalled as JSON, or raw bytes) at path.
func (p *peer) serve(t testing.TB, path string, doc any) {
	t.Helper()
	b, ok := doc.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(doc); err != nil {
			t.Fatal(err)
		}
	}
	p.mu.Lock()
	p.docs[path] = b
	p.mu.Unlock()
}

// answer makes path answer with a bare status (404, 410, 500…).
func (p *peer) answer(path string, code int) {
	p.mu.Lock()
	p.status[path] = code
	p.mu.Unlock()
}

// fetches is how often path was fetched.
func (p *peer) fetches(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gets[path]
}

// received returns the POSTs whose path starts with prefix.
func (p *peer) received(prefix string) []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []post
	for _, x := range p.posts {
		if strings.HasPrefix(x.path, prefix) {
			out = append(out, x)
		}
	}
	return out
}

// person is an actor on a peer: its id, its key and where it gets mail.
type person struct {
	p                *peer
	name             string
	id, keyID, inbox string
	key              *rsa.PrivateKey
}

// person publishes a Person at /users/NAME with key as its one
// publicKey (Mastodon's shape: keyId = id#main-key).
func (p *peer) person(t testing.TB, name string, key *rsa.PrivateKey) *person {
	t.Helper()
	a := &person{p: p, name: name, id: p.base + "/users/" + name, key: key}
	a.keyID = a.id + "#main-key"
	a.inbox = a.id + "/inbox"
	p.serve(t, "/users/"+name, a.doc(t))
	return a
}

// doc is the person's actor document.
func (a *person) doc(t testing.TB) map[string]any {
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                a.id,
		"type":              "Person",
		"preferredUsername": a.name,
		"name":              "The " + a.name,
		"inbox":             a.inbox,
		"outbox":            a.id + "/outbox",
		"endpoints":         map[string]any{"sharedInbox": a.p.base + "/inbox"},
		"publicKey":         map[string]any{"id": a.keyID, "owner": a.id, "publicKeyPem": publicPEM(t, a.key)},
	}
}
