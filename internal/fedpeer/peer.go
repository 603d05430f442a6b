package fedpeer

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Peer is a running test instance with one local user; see New.
type Peer struct {
	cfg       config
	srv       *httptest.Server
	host      string // 127.0.0.1:PORT
	base      string // http://127.0.0.1:PORT
	key       *rsa.PrivateKey
	client    *http.Client
	transport *http.Transport

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	rec  recorder
	keys keyCache

	followsMu sync.Mutex
	follows   map[string]sentFollow // follow id -> what we sent
}

// sentFollow remembers a Follow this peer sent, to check the answer.
type sentFollow struct {
	target   string
	activity map[string]any
}

// New starts a peer on 127.0.0.1 and closes it when the test ends.
func New(t testing.TB, opts ...Option) *Peer {
	t.Helper()
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	key := cfg.key
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatalf("fedpeer: generate key: %v", err)
		}
	}
	p := &Peer{cfg: cfg, key: key, follows: map[string]sentFollow{}}
	p.rec.init()
	p.keys.m = map[string]*fetchedKey{}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.client = cfg.client
	if p.client == nil {
		p.transport = http.DefaultTransport.(*http.Transport).Clone()
		p.client = &http.Client{
			Transport: p.transport,
			Timeout:   10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}

	p.srv = httptest.NewUnstartedServer(nil)
	p.host = p.srv.Listener.Addr().String()
	p.base = "http://" + p.host
	var h http.Handler = p.routes()
	if cfg.middleware != nil {
		h = cfg.middleware(h)
	}
	p.srv.Config.Handler = h
	p.srv.Start()
	t.Cleanup(p.close)
	return p
}

func (p *Peer) close() {
	p.cancel()
	p.srv.Close() // no handler runs after this, so none can start goroutines
	p.wg.Wait()
	if p.transport != nil {
		p.transport.CloseIdleConnections()
	}
}

// Username is the local user's name as configured.
func (p *Peer) Username() string { return p.cfg.username }

// Host is host:port of the peer, the domain part of its handles.
func (p *Peer) Host() string { return p.host }

// BaseURL is the peer's origin, e.g. http://127.0.0.1:PORT.
func (p *Peer) BaseURL() string { return p.base }

// Handle is the user's handle user@host, as a person would type it.
func (p *Peer) Handle() string { return p.cfg.username + "@" + p.host }

// ActorID is the user's actor id.
func (p *Peer) ActorID() string { return p.base + "/users/" + url.PathEscape(p.cfg.username) }

// InboxURL is the user's personal inbox.
func (p *Peer) InboxURL() string { return p.ActorID() + "/inbox" }

// SharedInboxURL is the instance's shared inbox.
func (p *Peer) SharedInboxURL() string { return p.base + "/inbox" }

// KeyID is the id of the user's public key, used as keyId when signing:
// GoToSocial's form, a URL of its own that answers a cut-down actor.
func (p *Peer) KeyID() string { return p.ActorID() + "/main-key" }

// PublicKey is the user's public key, to compare with what others fetched.
func (p *Peer) PublicKey() *rsa.PublicKey { return &p.key.PublicKey }

// newID mints a unique id on the peer's host for an activity of kind.
func (p *Peer) newID(kind string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return p.ActorID() + "/" + kind + "/" + hex.EncodeToString(b)
}

func (p *Peer) rememberFollow(id, target string, act map[string]any) {
	p.followsMu.Lock()
	defer p.followsMu.Unlock()
	p.follows[id] = sentFollow{target: target, activity: act}
}

func (p *Peer) sentFollow(id string) (sentFollow, bool) {
	p.followsMu.Lock()
	defer p.followsMu.Unlock()
	f, ok := p.follows[id]
	return f, ok
}
