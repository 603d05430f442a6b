package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/wiki"
)

// newFuzzWiki is a small in-memory wiki for the fuzz target: no network,
// and a request that reaches a look-up it does not have panics, which the
// fuzzer reports.
func newFuzzWiki() *memWiki {
	created := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	return &memWiki{
		site: memSite("Fuzz Wiki", "en"),
		pages: map[int64]wiki.Page{
			1: {ID: 1, Namespace: 0, Title: "Main Page", LastRevID: 10, Created: created},
			2: {ID: 2, Namespace: 2, Title: "User:Alice", LastRevID: 11, Created: created},
			3: {ID: 3, Namespace: 0, Title: "Main", LastRevID: 12, Created: created, Redirect: true},
			4: {ID: 4, Namespace: 1, Title: "Talk:Main Page", LastRevID: 13, Created: created},
		},
		users: map[int64]wiki.User{
			1: {ID: 1, Name: "Alice", Registration: created, EditCount: 3},
		},
		redirects: map[int64]int64{3: 1},
	}
}

var errFuzzNoNetwork = errors.New("fuzz: no network")

// fuzzInboxRoutes are the inboxes the fuzzer posts to.
var fuzzInboxRoutes = []string{"/ap/inbox", "/ap/instance/inbox", "/ap/page/1/inbox", "/ap/user/1/inbox", "/ap/page/999/inbox"}

// FuzzInbox posts arbitrary bodies and Signature, Digest and Date headers
// to the inboxes of a Server over an in-memory wiki and a real bbolt
// store. Nobody can sign for a key the server could fetch (every fetch is
// refused: internal addresses by wikipub's own dial guard, anything else
// by the test, so that no iteration touches the network), so every answer
// must be a refusal: 400, 401, 413, or 503 for a key that could not be
// fetched. It must never panic, never answer 2xx, never leave anything in
// the store, and never reach an internal address.
func FuzzInbox(f *testing.F) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := boltstore.Open(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })

	// An internal server a key id may point at; the dial guard must keep
	// the inbox from ever reaching it (SSRF).
	var internalHits atomic.Int64
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits.Add(1)
		http.Error(w, "internal", http.StatusTeapot)
	}))
	f.Cleanup(internal.Close)

	client := remote.NewHTTPClient(nil)
	tr, ok := client.Transport.(*http.Transport)
	if !ok {
		f.Fatalf("NewHTTPClient's transport is a %T", client.Transport)
	}
	guarded := tr.DialContext
	var leaks atomic.Int64
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, errFuzzNoNetwork
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return nil, errFuzzNoNetwork // a name: no DNS in a fuzz target
		}
		ip = ip.Unmap()
		if !(ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() || ip.IsMulticast()) {
			return nil, errFuzzNoNetwork // a public address: not from a test
		}
		// An internal address: wikipub's guard must refuse it.
		c, err := guarded(ctx, network, addr)
		if err == nil {
			leaks.Add(1)
			c.Close()
			return nil, fmt.Errorf("fuzz: the dial guard let %s through", addr)
		}
		return nil, err
	}
	srv := wire(fedConfig{PublicURL: "https://wiki.example", Version: "fuzz", UserAgent: "wikipub-fuzz", Logger: log}, newFuzzWiki(), st, client)
	mux := http.NewServeMux()
	srv.Routes(mux)

	// Seeds: genuinely signed requests (by a key nobody can fetch), so
	// mutations start deep inside verification.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	signed := func(route, keyID string, body []byte) (sig, digest, date string) {
		req, err := http.NewRequest(http.MethodPost, "https://wiki.example"+route, bytes.NewReader(body))
		if err != nil {
			f.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/activity+json")
		if err := httpsig.SignPOST(req, body, keyID, key); err != nil {
			f.Fatal(err)
		}
		return req.Header.Get("Signature"), req.Header.Get("Digest"), req.Header.Get("Date")
	}
	follow := func(actor, object string) []byte {
		return []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + actor + `/follows/1","type":"Follow","actor":"` + actor + `","object":"` + object + `"}`)
	}
	now := time.Now().UTC().Format(http.TimeFormat)
	actors := []string{
		"https://social.example/users/alice",
		internal.URL + "/users/alice",
		"http://0.0.0.0:" + strings.TrimPrefix(internal.URL, "http://127.0.0.1:") + "/users/alice",
		"http://[::1]:" + strings.TrimPrefix(internal.URL, "http://127.0.0.1:") + "/users/alice",
		"http://169.254.169.254/latest/meta-data",
		"http://10.0.0.1/users/alice",
		"https://wiki.example/ap/page/1",
	}
	for i, a := range actors {
		route := fuzzInboxRoutes[i%len(fuzzInboxRoutes)]
		body := follow(a, "https://wiki.example/ap/page/1")
		sig, dig, date := signed(route, a+"#main-key", body)
		f.Add(uint8(i), body, sig, dig, date, false)
		// A key document without a fragment, and a self-Delete (the path
		// that forgets an actor whose key is gone).
		del := []byte(`{"id":"` + a + `#delete","type":"Delete","actor":"` + a + `","object":"` + a + `"}`)
		sig, dig, date = signed(route, a, del)
		f.Add(uint8(i), del, sig, dig, date, i%2 == 0)
	}
	body := follow("https://social.example/users/alice", "https://wiki.example/ap/page/1")
	sig, dig, _ := signed("/ap/inbox", "https://social.example/users/alice#main-key", body)
	f.Add(uint8(0), body, sig, dig, time.Now().Add(-2*time.Hour).UTC().Format(http.TimeFormat), false)
	f.Add(uint8(0), body, sig, "SHA-256=AAAA", now, false)
	f.Add(uint8(0), body, "", "", "", false)
	f.Add(uint8(0), body, strings.Replace(sig, "rsa-sha256", "hs2019", 1), dig, now, true)
	f.Add(uint8(0), body, `keyId="x",headers="(request-target) date digest",signature="AAAA"`, dig, now, false)
	f.Add(uint8(0), body, `,,,=,"`, "SHA-256=", "Mon, 02 Jan 2006 15:04:05 MST", false)
	f.Add(uint8(0), []byte{}, "", "", "", false)
	f.Add(uint8(1), []byte(nil), sig, dig, now, true)
	f.Add(uint8(0), []byte(strings.Repeat("[", 100000)), sig, dig, now, false)
	f.Add(uint8(0), []byte(strings.Repeat(`{"a":`, 20000)+"1"+strings.Repeat("}", 20000)), sig, dig, now, false)
	f.Add(uint8(2), []byte("{\"id\":\"\xff\xfe\",\"type\":\"Follow\",\"actor\":\"\xc3\x28\",\"object\":\"\xed\xa0\x80\"}"), sig, dig, now, false)
	f.Add(uint8(2), []byte(`{"id":"a","type":["Follow"],"actor":{"id":"https://social.example/users/alice"},"object":{"id":"https://wiki.example/ap/page/1"}}`), sig, dig, now, false)
	f.Add(uint8(3), []byte(`{"id":1,"type":null,"actor":[]}`), sig, dig, now, false)
	f.Add(uint8(4), []byte(`null`), "\x00", "\xff", "\n", false)
	big := append([]byte(`{"id":"a","type":"Note","actor":"b","p":"`), bytes.Repeat([]byte("x"), 1<<20)...)
	big = append(big, `"}`...)
	f.Add(uint8(0), big, sig, dig, now, false)
	f.Add(uint8(0), big, sig, dig, now, true)

	pageActor := "https://wiki.example/ap/page/1"
	f.Fuzz(func(t *testing.T, route uint8, body []byte, sig, digest, date string, chunked bool) {
		path := fuzzInboxRoutes[int(route)%len(fuzzInboxRoutes)]
		req := httptest.NewRequest(http.MethodPost, "https://wiki.example"+path, bytes.NewReader(body))
		req.Host = "wiki.example"
		req.Header.Set("Content-Type", "application/activity+json")
		for k, v := range map[string]string{"Signature": sig, "Digest": digest, "Date": date} {
			if v != "" {
				req.Header[k] = []string{v}
			}
		}
		if chunked {
			req.ContentLength = -1
			req.TransferEncoding = []string{"chunked"}
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		ctx, cancel := context.WithTimeout(req.Context(), 10*time.Second)
		defer cancel()
		req = req.WithContext(ctx)
		rec := httptest.NewRecorder()
		start := time.Now()
		mux.ServeHTTP(rec, req)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the inbox took %s", d)
		}

		switch rec.Code {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable:
		default:
			t.Fatalf("POST %s (%d bytes, chunked %t, Signature %q, Digest %q, Date %q): status %d %s; want 400, 401, 413 or 503",
				path, len(body), chunked, sig, digest, date, rec.Code, rec.Body.Bytes())
		}
		if len(body) > 1<<20 && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("a body of %d bytes: status %d, want 413", len(body), rec.Code)
		}
		if rec.Code == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After")
		}
		if n := leaks.Load(); n != 0 {
			t.Fatalf("the dial guard let %d connections to internal addresses through", n)
		}
		if n := internalHits.Load(); n != 0 {
			t.Fatalf("the internal server was reached %d times", n)
		}
		bg := context.Background()
		if n, err := st.QueueLen(bg); err != nil || n != 0 {
			t.Fatalf("queue length %d (err %v) after a refused request", n, err)
		}
		if n, err := st.CountFollowers(bg, pageActor); err != nil || n != 0 {
			t.Fatalf("%s has %d followers (err %v) after a refused request", pageActor, n, err)
		}
	})
}
