package fedpeer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// routes is the peer's HTTP surface: WebFinger, the actor and its
// collections, the personal and the shared inbox.
func (p *Peer) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/webfinger", p.handleWebFinger)
	mux.HandleFunc("GET /users/{name}", p.handleActor)
	mux.HandleFunc("GET /users/{name}/main-key", p.handleKey)
	mux.HandleFunc("GET /users/{name}/{collection}", p.handleCollection)
	mux.HandleFunc("POST /users/{name}/inbox", p.handleInbox(InboxPersonal))
	mux.HandleFunc("POST /inbox", p.handleInbox(InboxShared))
	return mux
}

// writeJSON answers v with the given content type.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// handleWebFinger answers acct:user@host (case-insensitively) or the actor
// URL, 404 for anyone else.
func (p *Peer) handleWebFinger(w http.ResponseWriter, r *http.Request) {
	res := r.URL.Query().Get("resource")
	if res == "" {
		http.Error(w, "resource required", http.StatusBadRequest)
		return
	}
	ok := res == p.ActorID()
	if acct, found := strings.CutPrefix(res, "acct:"); found {
		if i := strings.LastIndexByte(acct, '@'); i > 0 {
			ok = strings.EqualFold(acct[:i], p.cfg.username) && strings.EqualFold(acct[i+1:], p.host)
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, "application/jrd+json; charset=utf-8", p.webfingerDocument(r))
}

// checkFetch verifies the signature of a GET, if any, and records it. It
// reports whether the request carried a valid signature; an invalid one is
// recorded as a violation.
func (p *Peer) checkFetch(r *http.Request) (signed bool, err error) {
	f := Fetch{Path: r.URL.Path, Time: time.Now()}
	if r.Header.Get("Signature") == "" && r.Header.Get("Authorization") == "" {
		p.rec.addFetch(f)
		return false, nil
	}
	v, err := p.verifyRequest(r.Context(), r, nil, false)
	if err != nil {
		p.rec.addRejection(Rejection{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Err: err, Status: http.StatusUnauthorized})
		return false, err
	}
	f.Signed, f.KeyID, f.Signer = true, v.KeyID, v.Signer
	p.rec.addFetch(f)
	if v.KeyNeedsSignature {
		p.rec.addRejection(Rejection{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(),
			Err: fmt.Errorf("%w: %s", ErrKeyNeedsSignature, v.KeyID), Status: http.StatusOK})
	}
	return true, nil
}

// handleActor serves the actor; under RequireSignedFetch unsigned GETs get
// the key stub and badly signed ones 401.
func (p *Peer) handleActor(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != p.cfg.username {
		http.NotFound(w, r)
		return
	}
	signed, err := p.checkFetch(r)
	if err != nil && p.cfg.requireSignedFetch {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	full := signed || !p.cfg.requireSignedFetch
	writeJSON(w, http.StatusOK, "application/activity+json; charset=utf-8", p.actorDocument(r, full))
}

// handleKey serves the key document, unsigned as GoToSocial does.
func (p *Peer) handleKey(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != p.cfg.username {
		http.NotFound(w, r)
		return
	}
	p.rec.addFetch(Fetch{Path: r.URL.Path, Time: time.Now()})
	doc, err := p.keyDocument(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, "application/activity+json; charset=utf-8", doc)
}

// handleCollection serves empty outbox/followers/following collections.
func (p *Peer) handleCollection(w http.ResponseWriter, r *http.Request) {
	c := r.PathValue("collection")
	if r.PathValue("name") != p.cfg.username || (c != "outbox" && c != "followers" && c != "following") {
		http.NotFound(w, r)
		return
	}
	signed, err := p.checkFetch(r)
	if p.cfg.requireSignedFetch && !signed {
		if err == nil {
			err = ErrNoSignature
			p.rec.addRejection(Rejection{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Err: err, Status: http.StatusUnauthorized})
		}
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	id := p.ActorID() + "/" + c
	writeJSON(w, http.StatusOK, "application/activity+json; charset=utf-8", map[string]any{
		"@context":   asContext,
		"id":         id,
		"type":       "OrderedCollection",
		"totalItems": 0,
	})
}
