package fedpeer

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// InboxKind says which inbox a delivery reached; some activities (Accept,
// Follow) must use the personal one.
type InboxKind string

const (
	// InboxPersonal is the user's own inbox, /users/NAME/inbox.
	InboxPersonal InboxKind = "personal"
	// InboxShared is the instance's shared inbox, /inbox.
	InboxShared InboxKind = "shared"
)

// Delivery is an activity the peer verified and accepted.
type Delivery struct {
	Inbox    InboxKind
	Path     string
	Header   http.Header
	Body     []byte
	Activity map[string]any
	Type     string
	ID       string
	Actor    string
	Signer   string // owner of the verified key, equal to Actor
	KeyID    string
	Received time.Time
}

// Rejection is a rule violation seen by the peer: a request it refused, or
// one it tolerated (Status 2xx) but that a strict server could refuse, or a
// failure of its own automatic answers (Status 0). Tests assert none.
type Rejection struct {
	Method string
	Path   string // request path, or the remote URL for outgoing failures
	Header http.Header
	Body   []byte
	Err    error // wraps one of the Err* rules
	Status int   // what the peer answered
	Time   time.Time
}

// Fetch is a GET of one of the user's documents, to check that others sign
// their fetches.
type Fetch struct {
	Path   string
	Signed bool
	KeyID  string
	Signer string
	Time   time.Time
}

// recorder holds what the peer saw; changed is closed on every new entry.
type recorder struct {
	mu         sync.Mutex
	deliveries []Delivery
	rejections []Rejection
	fetches    []Fetch
	changed    chan struct{}
}

func (r *recorder) init() { r.changed = make(chan struct{}) }

func (r *recorder) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) addDelivery(d Delivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deliveries = append(r.deliveries, d)
	r.notifyLocked()
}

func (r *recorder) addRejection(x Rejection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if x.Time.IsZero() {
		x.Time = time.Now()
	}
	r.rejections = append(r.rejections, x)
	r.notifyLocked()
}

func (r *recorder) addFetch(f Fetch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetches = append(r.fetches, f)
	r.notifyLocked()
}

// Received lists the accepted deliveries in arrival order.
func (p *Peer) Received() []Delivery {
	p.rec.mu.Lock()
	defer p.rec.mu.Unlock()
	return append([]Delivery(nil), p.rec.deliveries...)
}

// Rejected lists rule violations in arrival order; tests assert it is empty.
func (p *Peer) Rejected() []Rejection {
	p.rec.mu.Lock()
	defer p.rec.mu.Unlock()
	return append([]Rejection(nil), p.rec.rejections...)
}

// Fetches lists GETs of the user's documents in arrival order.
func (p *Peer) Fetches() []Fetch {
	p.rec.mu.Lock()
	defer p.rec.mu.Unlock()
	return append([]Fetch(nil), p.rec.fetches...)
}

// AssertNoRejections fails the test with every violation the peer saw.
func (p *Peer) AssertNoRejections(t testing.TB) {
	t.Helper()
	for _, r := range p.Rejected() {
		t.Errorf("fedpeer %s: %s %s answered %d: %v", p.host, r.Method, r.Path, r.Status, r.Err)
	}
}

// WaitFor blocks until a delivery matching match has arrived (including
// ones that arrived before the call) or ctx ends.
func (p *Peer) WaitFor(ctx context.Context, match func(Delivery) bool) (Delivery, error) {
	for {
		p.rec.mu.Lock()
		ds := append([]Delivery(nil), p.rec.deliveries...)
		ch := p.rec.changed
		p.rec.mu.Unlock()
		for _, d := range ds {
			if match(d) {
				return d, nil
			}
		}
		select {
		case <-ctx.Done():
			return Delivery{}, fmt.Errorf("fedpeer: wait for delivery (%d received, %d rejected): %w",
				len(ds), len(p.Rejected()), ctx.Err())
		case <-ch:
		}
	}
}
