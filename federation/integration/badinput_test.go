package integration

// Integration tests of the inbox's handling of bad input and of actor edge
// cases, against a real MediaWiki, a real store and the strict test peer.
// Every refusal is checked for its exact status and for having left
// nothing behind: no follower, no queued delivery, no answer at the peer,
// and no dedupe mark that would swallow a later valid copy.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// biInstance is wikipub's federation side over a real wiki and store, like
// startInstance but with a chosen resolver cache TTL.
type biInstance struct {
	w      *testenv.Wiki
	client *wiki.Client
	base   string
	host   string
	store  store.Store
}

// biDeliverIdle is the deliverer's idle wait; biQuiet is how long a test
// waits for a delivery that must not come; biCacheTTL is the resolver cache
// TTL, short so that a deletion on the wiki shows at once.
const (
	biDeliverIdle = 100 * time.Millisecond
	biQuiet       = 1500 * time.Millisecond
	biCacheTTL    = 200 * time.Millisecond
)

func startBIInstance(t *testing.T, w *testenv.Wiki, st store.Store, ttl time.Duration) *biInstance {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := wiki.New(ctx, wiki.Config{API: w.API, UserAgent: "wikipub-test", BotUser: w.BotUser, BotPassword: w.BotPass, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	outbound := remote.NewHTTPClient([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	fed := wire(fedConfig{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, PublicURL: base, Discoverable: true, Version: "test", UserAgent: "wikipub-test", CacheTTL: ttl, Logger: log,
		Delivery: delivery.Config{Idle: biDeliverIdle, Logger: log}}, c, st, outbound)
	mux := http.NewServeMux()
	fed.Routes(mux)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	dctx, cancel := context.WithCancel(ctx)
	d := fed.deliverer
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })
	return &biInstance{w: w, client: c, base: base, host: ln.Addr().String(), store: st}
}

func biOpenBolt(t *testing.T) store.Store { return stores(t)["bolt"](t) }

func biCtx(t *testing.T) context.Context {
	// Every step of these tests takes seconds; a wait that never ends is
	// a failure, not a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// biPage creates a page and returns its actor id and page id.
func biPage(t *testing.T, inst *biInstance, admin *testenv.Session, title string) (string, int64) {
	t.Helper()
	admin.Edit(t, title, "Text of "+title+".", "create")
	pages, err := inst.client.PagesByTitle(context.Background(), []string{title})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := pages[title]
	if !ok {
		t.Fatalf("page %q not found after creating it", title)
	}
	return inst.base + "/ap/page/" + strconv.FormatInt(p.ID, 10), p.ID
}

var biSeq atomic.Int64

// biFollow is a Follow of object by the peer's user with a fresh id.
func biFollow(peer *fedpeer.Peer, object string) map[string]any {
	return map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       fmt.Sprintf("%s/follows/bi-%d-%d", peer.ActorID(), time.Now().UnixNano(), biSeq.Add(1)),
		"type":     "Follow",
		"actor":    peer.ActorID(),
		"object":   object,
	}
}

func biJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func biStatus(t *testing.T, what string, resp *http.Response, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.StatusCode != want {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: status %d %s, want %d", what, resp.StatusCode, b, want)
	}
}

// biNothingStored asserts that the peer follows nothing, that none of the
// actors has a follower, that the queue is empty, and (after a quiet
// period long enough for the deliverer to have sent anything queued) that
// the peer received nothing.
func biNothingStored(t *testing.T, inst *biInstance, peer *fedpeer.Peer, actors ...string) {
	t.Helper()
	ctx := context.Background()
	if n, err := inst.store.QueueLen(ctx); err != nil || n != 0 {
		t.Errorf("queue length %d (err %v), want 0", n, err)
	}
	time.Sleep(biQuiet)
	if fs, err := inst.store.Follows(ctx, peer.ActorID()); err != nil || len(fs) != 0 {
		t.Errorf("the peer follows %v (err %v), want nothing", fs, err)
	}
	for _, a := range actors {
		if n, err := inst.store.CountFollowers(ctx, a); err != nil || n != 0 {
			t.Errorf("%s has %d followers (err %v), want 0", a, n, err)
		}
	}
	if n, err := inst.store.QueueLen(ctx); err != nil || n != 0 {
		t.Errorf("queue length %d after %s (err %v), want 0", n, biQuiet, err)
	}
	for _, d := range peer.Received() {
		t.Errorf("the peer received a %s (%s) it should not have", d.Type, d.ID)
	}
}

// biCountAnswers counts the Accepts (or Rejects) of followID the peer got.
func biCountAnswers(peer *fedpeer.Peer, typ, followID string) int {
	n := 0
	for _, d := range peer.Received() {
		if d.Type != typ {
			continue
		}
		obj := d.Activity["object"]
		if m, ok := obj.(map[string]any); ok {
			obj = m["id"]
		}
		if obj == followID {
			n++
		}
	}
	return n
}

// biFollowerCount returns how many followers actor has.
func biFollowerCount(t *testing.T, inst *biInstance, actor string) int {
	t.Helper()
	n, err := inst.store.CountFollowers(context.Background(), actor)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// biRaw writes a request by hand on a new connection (so the test controls
// exactly which body bytes are sent, and when) and reads the answer. write
// runs in its own goroutine; its errors are ignored, since the server may
// close the connection before the body is sent.
func biRaw(t *testing.T, host, head string, write func(io.Writer)) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	if write != nil {
		go write(conn)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v (a timeout means the server waited for the body)", err)
	}
	return resp
}

// biActivityOfSize is an unsigned activity JSON of exactly n bytes.
func biActivityOfSize(t *testing.T, n int) []byte {
	t.Helper()
	prefix := `{"id":"http://127.0.0.1:1/big","type":"Note","actor":"http://127.0.0.1:1/users/big","pad":"`
	suffix := `"}`
	if n < len(prefix)+len(suffix) {
		t.Fatalf("size %d too small", n)
	}
	b := make([]byte, 0, n)
	b = append(b, prefix...)
	b = append(b, bytes.Repeat([]byte("x"), n-len(prefix)-len(suffix))...)
	b = append(b, suffix...)
	return b
}

func digestOf(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// TestInboxBadInput: the inbox refuses oversized, unsigned, forged,
// tampered, stale and malformed requests with the exact status and keeps
// nothing of them; unknown types, replays, follows of non-actors, foreign
// signers and actor deletions are handled as docs/interop.md, "Trusting a
// key", says.
func TestInboxBadInput(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	st := biOpenBolt(t)
	inst := startBIInstance(t, w, st, biCacheTTL)
	shared := inst.base + "/ap/inbox"
	const limit = 1 << 20

	t.Run("BodyTooLarge/ContentLengthNotRead", func(t *testing.T) {
		// Content-Length over the limit and no body at all: had the
		// server tried to read the body, it would wait until the deadline.
		for _, path := range []string{"/ap/inbox", "/ap/page/1/inbox", "/ap/instance/inbox"} {
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/activity+json\r\nContent-Length: %d\r\n\r\n", path, inst.host, limit+1)
			start := time.Now()
			resp := biRaw(t, inst.host, head, nil)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s with Content-Length %d: status %d, want 413", path, limit+1, resp.StatusCode)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("POST %s: answered after %s", path, d)
			}
		}
		// With Expect: 100-continue, a server that reads the body sends
		// "100 Continue" first; the answer must be the 413 itself.
		head := fmt.Sprintf("POST /ap/inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/activity+json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", inst.host, 50<<20)
		resp := biRaw(t, inst.host, head, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST with Expect: 100-continue and Content-Length 50 MB: status %d, want 413", resp.StatusCode)
		}
	})

	t.Run("BodyTooLarge/ContentLengthBoundary", func(t *testing.T) {
		// Exactly the limit is read and judged (unsigned: 401); one byte
		// more is 413.
		for _, c := range []struct {
			size int
			want int
		}{{limit, http.StatusUnauthorized}, {limit + 1, http.StatusRequestEntityTooLarge}} {
			body := biActivityOfSize(t, c.size)
			head := fmt.Sprintf("POST /ap/inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/activity+json\r\nContent-Length: %d\r\n\r\n", inst.host, len(body))
			resp := biRaw(t, inst.host, head, func(wr io.Writer) { wr.Write(body) })
			if resp.StatusCode != c.want {
				t.Errorf("POST of %d bytes with Content-Length: status %d, want %d", c.size, resp.StatusCode, c.want)
			}
		}
		if n, err := inst.store.QueueLen(context.Background()); err != nil || n != 0 {
			t.Errorf("queue length %d (err %v), want 0", n, err)
		}
	})

	t.Run("BodyTooLarge/Chunked", func(t *testing.T) {
		send := func(size int, perChunk int) *http.Response {
			body := biActivityOfSize(t, size)
			head := fmt.Sprintf("POST /ap/inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/activity+json\r\nTransfer-Encoding: chunked\r\n\r\n", inst.host)
			return biRaw(t, inst.host, head, func(wr io.Writer) {
				cw := httputil.NewChunkedWriter(wr)
				for off := 0; off < len(body); off += perChunk {
					if _, err := cw.Write(body[off:min(off+perChunk, len(body))]); err != nil {
						return
					}
				}
				cw.Close()
				io.WriteString(wr, "\r\n")
			})
		}
		if resp := send(limit+1, 64<<10); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked body of %d bytes: status %d, want 413", limit+1, resp.StatusCode)
		}
		if resp := send(3*limit, 1<<20); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked body of %d bytes: status %d, want 413", 3*limit, resp.StatusCode)
		}
		// Exactly the limit, chunked, is read and judged: unsigned, 401.
		if resp := send(limit, 64<<10); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("chunked body of exactly %d bytes: status %d, want 401", limit, resp.StatusCode)
		}
		if n, err := inst.store.QueueLen(context.Background()); err != nil || n != 0 {
			t.Errorf("queue length %d (err %v), want 0", n, err)
		}
	})

	t.Run("Signatures", func(t *testing.T) {
		ctx := biCtx(t)
		target, _ := biPage(t, inst, admin, "Signature Target")
		peer := fedpeer.New(t)
		other := fedpeer.New(t)
		follow := biFollow(peer, target)
		body := biJSON(t, follow)
		inboxes := []string{shared, target + "/inbox"}

		for _, inbox := range inboxes {
			// Unsigned: 401.
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/activity+json")
			req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
			req.Header.Set("Digest", digestOf(body))
			resp, err := http.DefaultClient.Do(req)
			biStatus(t, "unsigned POST to "+inbox, resp, err, http.StatusUnauthorized)
			resp.Body.Close()

			// Forged: signed with another key, under the peer's keyId.
			resp, err = peer.SendRaw(ctx, inbox, body, func(r *http.Request) {
				if err := other.Sign(r, body); err != nil {
					t.Error(err)
				}
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), other.KeyID(), peer.KeyID(), 1))
			})
			biStatus(t, "forged signature to "+inbox, resp, err, http.StatusUnauthorized)

			// The body changed after signing: Digest no longer matches.
			tampered := biJSON(t, map[string]any{"@context": follow["@context"], "id": follow["id"], "type": "Follow", "actor": peer.ActorID(), "object": inst.base + "/ap/instance"})
			resp, err = peer.SendRaw(ctx, inbox, body, func(r *http.Request) {
				r.Body = io.NopCloser(bytes.NewReader(tampered))
				r.ContentLength = int64(len(tampered))
			})
			wantDigest := httpsig.StatusCode(fmt.Errorf("x: %w", httpsig.ErrDigestMismatch))
			biStatus(t, "tampered body to "+inbox, resp, err, wantDigest)
			if resp.StatusCode/100 != 4 {
				t.Errorf("tampered body: status %d is not 4xx", resp.StatusCode)
			}
			// A Digest header of another body, correctly signed.
			resp, err = peer.SendRaw(ctx, inbox, body, func(r *http.Request) {
				r.Header.Set("Digest", digestOf([]byte("something else")))
				if err := peer.Sign(r, body); err != nil {
					t.Error(err)
				}
			})
			biStatus(t, "signed wrong Digest to "+inbox, resp, err, wantDigest)

			// Dated two hours ago, correctly signed: 401.
			resp, err = peer.SendRaw(ctx, inbox, body, func(r *http.Request) {
				r.Header.Set("Date", time.Now().Add(-2*time.Hour).UTC().Format(http.TimeFormat))
				if err := peer.Sign(r, body); err != nil {
					t.Error(err)
				}
			})
			biStatus(t, "2-hour-old Date to "+inbox, resp, err, http.StatusUnauthorized)
			// And two hours ahead.
			resp, err = peer.SendRaw(ctx, inbox, body, func(r *http.Request) {
				r.Header.Set("Date", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
				if err := peer.Sign(r, body); err != nil {
					t.Error(err)
				}
			})
			biStatus(t, "2-hours-ahead Date to "+inbox, resp, err, http.StatusUnauthorized)
		}
		biNothingStored(t, inst, peer, target)
		biNothingStored(t, inst, other, target)

		// None of the refused copies burnt the Follow's id: the genuine
		// one is accepted.
		resp, err := peer.Send(ctx, target+"/inbox", follow)
		biStatus(t, "the genuine Follow", resp, err, http.StatusAccepted)
		if _, err := peer.WaitAccept(ctx, follow["id"].(string)); err != nil {
			t.Fatalf("no Accept of the genuine Follow after the refused copies: %v", err)
		}
		if n := biFollowerCount(t, inst, target); n != 1 {
			t.Errorf("%d followers, want 1", n)
		}
		peer.AssertNoRejections(t)
	})

	t.Run("MalformedJSON", func(t *testing.T) {
		ctx := biCtx(t)
		target, _ := biPage(t, inst, admin, "Malformed Target")
		peer := fedpeer.New(t)
		for _, body := range []string{
			``,
			`{`,
			`{"id":"x","type":"Follow",`,
			`not json`,
			`[]`,
			`[{"id":"x","type":"Follow","actor":"y"}]`,
			`"a string"`,
			`42`,
			`null`,
			`{"id":"` + peer.ActorID() + `/a","type":"Follow","actor":"` + peer.ActorID() + `","object":"` + target + `"}garbage`,
			"{\"id\":\"\xff\xfe\",\"type\":\"Follow\",\"actor\":\"\xc3\x28\",\"object\":\"" + target + "\"}" + "\x00",
			strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		} {
			resp, err := peer.SendRaw(ctx, shared, []byte(body), nil)
			biStatus(t, fmt.Sprintf("signed malformed body %.40q", body), resp, err, http.StatusBadRequest)
		}
		biNothingStored(t, inst, peer, target)
	})

	t.Run("MissingFields", func(t *testing.T) {
		ctx := biCtx(t)
		target, _ := biPage(t, inst, admin, "Missing Fields Target")
		peer := fedpeer.New(t)
		full := biFollow(peer, target)
		variants := map[string]func(m map[string]any){
			"no id":           func(m map[string]any) { delete(m, "id") },
			"no type":         func(m map[string]any) { delete(m, "type") },
			"no actor":        func(m map[string]any) { delete(m, "actor") },
			"empty id":        func(m map[string]any) { m["id"] = "" },
			"numeric id":      func(m map[string]any) { m["id"] = 12 },
			"null type":       func(m map[string]any) { m["type"] = nil },
			"numeric type":    func(m map[string]any) { m["type"] = 7 },
			"empty type list": func(m map[string]any) { m["type"] = []any{} },
			"empty actor":     func(m map[string]any) { m["actor"] = "" },
			"actor object without id": func(m map[string]any) {
				m["actor"] = map[string]any{"type": "Person"}
			},
			"nothing": func(m map[string]any) { clear(m) },
		}
		for name, mutate := range variants {
			m := map[string]any{}
			for k, v := range full {
				m[k] = v
			}
			mutate(m)
			resp, err := peer.Send(ctx, shared, m)
			biStatus(t, "activity with "+name, resp, err, http.StatusBadRequest)
		}
		biNothingStored(t, inst, peer, target)
	})

	t.Run("UnknownType", func(t *testing.T) {
		ctx := biCtx(t)
		target, _ := biPage(t, inst, admin, "Unknown Type Target")
		peer := fedpeer.New(t)
		for _, typ := range []any{"Question", "Listen", "Travel", "Move", []any{"Listen", "Follow"}, "follow", "FOLLOW"} {
			act := biFollow(peer, target)
			act["type"] = typ
			resp, err := peer.Send(ctx, shared, act)
			biStatus(t, fmt.Sprintf("signed %v", typ), resp, err, http.StatusAccepted)
			resp, err = peer.Send(ctx, target+"/inbox", act)
			biStatus(t, fmt.Sprintf("signed %v again (personal inbox)", typ), resp, err, http.StatusAccepted)
		}
		biNothingStored(t, inst, peer, target)
		peer.AssertNoRejections(t)
	})

	t.Run("Replay", func(t *testing.T) {
		// Both stores: the dedupe mark is the store's.
		for name, open := range stores(t) {
			t.Run(name, func(t *testing.T) {
				ctx := biCtx(t)
				in := startBIInstance(t, w, open(t), biCacheTTL)
				target, _ := biPage(t, in, admin, "Replay Target "+name)
				peer := fedpeer.New(t)
				follow := biFollow(peer, target)
				id := follow["id"].(string)
				resp, err := peer.Send(ctx, target+"/inbox", follow)
				biStatus(t, "the Follow", resp, err, http.StatusAccepted)
				if _, err := peer.WaitAccept(ctx, id); err != nil {
					t.Fatalf("first Accept: %v", err)
				}
				// The same Follow again, sequentially and then five copies at once.
				resp, err = peer.Send(ctx, target+"/inbox", follow)
				biStatus(t, "the replayed Follow", resp, err, http.StatusAccepted)
				resp, err = peer.Send(ctx, in.base+"/ap/inbox", follow)
				biStatus(t, "the replayed Follow to the shared inbox", resp, err, http.StatusAccepted)
				var wg sync.WaitGroup
				for range 5 {
					wg.Go(func() {
						resp, err := peer.Send(ctx, target+"/inbox", follow)
						if err != nil || resp.StatusCode != http.StatusAccepted {
							t.Errorf("concurrent replay: %v %v", resp, err)
						}
					})
				}
				wg.Wait()
				time.Sleep(biQuiet)
				if n := biCountAnswers(peer, "Accept", id); n != 1 {
					t.Errorf("%d Accepts of %s, want 1", n, id)
				}
				if n := biFollowerCount(t, in, target); n != 1 {
					t.Errorf("%d followers, want 1", n)
				}
				if n, err := in.store.QueueLen(ctx); err != nil || n != 0 {
					t.Errorf("queue length %d (err %v), want 0", n, err)
				}

				// A concurrent first delivery of a fresh Follow: still one Accept.
				target2, _ := biPage(t, in, admin, "Replay Target Concurrent "+name)
				f2 := biFollow(peer, target2)
				for range 6 {
					wg.Go(func() {
						resp, err := peer.Send(ctx, target2+"/inbox", f2)
						if err != nil || resp.StatusCode != http.StatusAccepted {
							t.Errorf("concurrent first Follow: %v %v", resp, err)
						}
					})
				}
				wg.Wait()
				if _, err := peer.WaitAccept(ctx, f2["id"].(string)); err != nil {
					t.Fatalf("Accept of the concurrent Follow: %v", err)
				}
				time.Sleep(biQuiet)
				if n := biCountAnswers(peer, "Accept", f2["id"].(string)); n != 1 {
					t.Errorf("%d Accepts of the concurrently sent %s, want 1", n, f2["id"])
				}
				if n := biFollowerCount(t, in, target2); n != 1 {
					t.Errorf("%d followers of %s, want 1", n, target2)
				}
				peer.AssertNoRejections(t)
			})
		}
	})

	t.Run("FollowNotAnActor", func(t *testing.T) {
		ctx := biCtx(t)
		peer := fedpeer.New(t)
		objects := []string{
			inst.base + "/ap/page/999999",
			inst.base + "/ap/user/999999",
			inst.base + "/ap/instance",
			inst.base + "/ap/page/abc",
			inst.base + "/ap/nothing/1",
			"https://elsewhere.example/users/bob",
		}
		for _, obj := range objects {
			follow := biFollow(peer, obj)
			resp, err := peer.Send(ctx, shared, follow)
			biStatus(t, "Follow of "+obj, resp, err, http.StatusAccepted)
			d, err := peer.WaitAccept(ctx, follow["id"].(string))
			if !errors.Is(err, fedpeer.ErrFollowRejected) {
				t.Errorf("Follow of %s: got %s, %v; want a Reject", obj, d.Type, err)
				continue
			}
			if d.Actor != inst.base+"/ap/instance" || d.Signer != d.Actor {
				t.Errorf("Reject of the Follow of %s: actor %s signer %s, want the instance actor", obj, d.Actor, d.Signer)
			}
		}
		// A replay of a rejected Follow is not rejected twice.
		again := biFollow(peer, objects[0])
		for range 2 {
			resp, err := peer.Send(ctx, shared, again)
			biStatus(t, "replayed Follow of "+objects[0], resp, err, http.StatusAccepted)
		}
		if _, err := peer.WaitAccept(ctx, again["id"].(string)); !errors.Is(err, fedpeer.ErrFollowRejected) {
			t.Errorf("replayed Follow of %s: %v; want a Reject", objects[0], err)
		}
		time.Sleep(biQuiet)
		if n := biCountAnswers(peer, "Reject", again["id"].(string)); n != 1 {
			t.Errorf("%d Rejects of the replayed Follow, want 1", n)
		}
		objects = append(objects, objects[0])
		for _, d := range peer.Received() {
			if d.Type != "Reject" {
				t.Errorf("the peer received a %s (%s)", d.Type, d.ID)
			}
		}
		if n := len(peer.Received()); n != len(objects) {
			t.Errorf("%d deliveries, want %d Rejects", n, len(objects))
		}
		if fs, err := inst.store.Follows(ctx, peer.ActorID()); err != nil || len(fs) != 0 {
			t.Errorf("the peer follows %v (err %v), want nothing", fs, err)
		}
		for _, obj := range objects[:3] {
			if n := biFollowerCount(t, inst, obj); n != 0 {
				t.Errorf("%s has %d followers", obj, n)
			}
		}
		peer.AssertNoRejections(t)
	})

	t.Run("SignerIsNotActor", func(t *testing.T) {
		ctx := biCtx(t)
		target, _ := biPage(t, inst, admin, "Signer Target")
		peer := fedpeer.New(t)
		victim := fedpeer.New(t)
		// The peer signs Follows (and an Undo, a Delete) naming others as actor.
		forVictim := biFollow(victim, target)
		acts := []map[string]any{
			forVictim,
			func() map[string]any {
				m := biFollow(peer, target)
				m["actor"] = "https://elsewhere.example/users/mallory"
				return m
			}(),
			func() map[string]any {
				m := biFollow(peer, target)
				m["actor"] = map[string]any{"id": victim.ActorID(), "type": "Person"}
				return m
			}(),
			{"@context": "https://www.w3.org/ns/activitystreams", "id": victim.ActorID() + "#delete-1", "type": "Delete", "actor": victim.ActorID(), "object": victim.ActorID()},
		}
		for _, act := range acts {
			for _, inbox := range []string{shared, target + "/inbox"} {
				resp, err := peer.Send(ctx, inbox, act)
				biStatus(t, fmt.Sprintf("%s by %v signed by the peer", act["type"], act["actor"]), resp, err, http.StatusAccepted)
			}
		}
		biNothingStored(t, inst, peer, target)
		biNothingStored(t, inst, victim, target)
		// The dropped copy did not burn the id: the victim's own is accepted.
		resp, err := victim.Send(ctx, target+"/inbox", forVictim)
		biStatus(t, "the victim's own Follow", resp, err, http.StatusAccepted)
		if _, err := victim.WaitAccept(ctx, forVictim["id"].(string)); err != nil {
			t.Fatalf("the victim's Follow after a forged copy: %v", err)
		}
		if n := biFollowerCount(t, inst, target); n != 1 {
			t.Errorf("%d followers, want 1 (the victim)", n)
		}
		// The peer cannot undo the victim's follow: not with the Follow
		// embedded, nor by its id, nor in the victim's name.
		undos := []map[string]any{
			{"id": peer.ActorID() + "#undo-1", "type": "Undo", "actor": peer.ActorID(), "object": forVictim},
			{"id": peer.ActorID() + "#undo-2", "type": "Undo", "actor": peer.ActorID(), "object": forVictim["id"]},
			{"id": victim.ActorID() + "#undo-3", "type": "Undo", "actor": victim.ActorID(), "object": forVictim["id"]},
		}
		for _, u := range undos {
			resp, err := peer.Send(ctx, target+"/inbox", u)
			biStatus(t, fmt.Sprintf("Undo %v of the victim's Follow signed by the peer", u["id"]), resp, err, http.StatusAccepted)
		}
		if n := biFollowerCount(t, inst, target); n != 1 {
			t.Errorf("%d followers after the peer's Undos, want 1 (the victim)", n)
		}
		peer.AssertNoRejections(t)
		victim.AssertNoRejections(t)
	})

	t.Run("RemoteActorDeleted", func(t *testing.T) {
		ctx := biCtx(t)
		targetA, _ := biPage(t, inst, admin, "Delete Target A")
		targetB, _ := biPage(t, inst, admin, "Delete Target B")
		peer := fedpeer.New(t)
		bystander := fedpeer.New(t)
		for _, tgt := range []string{targetA, targetB} {
			for _, p := range []*fedpeer.Peer{peer, bystander} {
				f := biFollow(p, tgt)
				resp, err := p.Send(ctx, tgt+"/inbox", f)
				biStatus(t, "Follow", resp, err, http.StatusAccepted)
				if _, err := p.WaitAccept(ctx, f["id"].(string)); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A Delete of some other object by the peer, and a Delete of the
		// bystander signed by the peer, remove nothing.
		for _, act := range []map[string]any{
			{"id": peer.ActorID() + "#delete-note", "type": "Delete", "actor": peer.ActorID(), "object": peer.ActorID() + "/statuses/1"},
			{"id": peer.ActorID() + "#delete-other", "type": "Delete", "actor": peer.ActorID(), "object": bystander.ActorID()},
		} {
			resp, err := peer.Send(ctx, shared, act)
			biStatus(t, "Delete of "+act["object"].(string), resp, err, http.StatusAccepted)
		}
		for _, tgt := range []string{targetA, targetB} {
			if n := biFollowerCount(t, inst, tgt); n != 2 {
				t.Fatalf("%s: %d followers before the actor Delete, want 2", tgt, n)
			}
		}
		resp, err := peer.Send(ctx, shared, map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams",
			"id":       peer.ActorID() + "#delete", "type": "Delete",
			"actor": peer.ActorID(), "object": peer.ActorID(),
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
		})
		biStatus(t, "Delete of the peer's actor", resp, err, http.StatusAccepted)
		if fs, err := inst.store.Follows(ctx, peer.ActorID()); err != nil || len(fs) != 0 {
			t.Errorf("after its Delete the peer still follows %v (err %v)", fs, err)
		}
		for _, tgt := range []string{targetA, targetB} {
			if n := biFollowerCount(t, inst, tgt); n != 1 {
				t.Errorf("%s: %d followers after the Delete, want 1 (the bystander)", tgt, n)
			}
		}
		waitFollowers(t, ctx, bystander, targetA+"/followers", 1)
	})

	t.Run("RemoteActorGone", func(t *testing.T) {
		// Mastodon sends an actor's Delete after the actor is gone: its
		// key answers 410. A fresh instance over the same store (no cached
		// key) must check the actor really is gone, then forget it; while
		// the actor's server fails (503), nothing is removed and the sender
		// is told to retry.
		ctx := biCtx(t)
		target, _ := biPage(t, inst, admin, "Gone Target")
		var state atomic.Int32 // 0 serving, else the status answered for the actor
		var actorPath atomic.Pointer[string]
		peer := fedpeer.New(t, fedpeer.WithMiddleware(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if s := state.Load(); s != 0 && r.Method == http.MethodGet {
					if p := actorPath.Load(); p != nil && r.URL.Path == *p {
						w.WriteHeader(int(s))
						return
					}
				}
				h.ServeHTTP(w, r)
			})
		}))
		u, err := url.Parse(peer.ActorID())
		if err != nil {
			t.Fatal(err)
		}
		actorPath.Store(&u.Path)
		f := biFollow(peer, target)
		resp, err := peer.Send(ctx, target+"/inbox", f)
		biStatus(t, "Follow", resp, err, http.StatusAccepted)
		if _, err := peer.WaitAccept(ctx, f["id"].(string)); err != nil {
			t.Fatal(err)
		}
		fresh := startBIInstance(t, w, st, biCacheTTL)
		del := map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams",
			"id":       peer.ActorID() + "#delete", "type": "Delete",
			"actor": peer.ActorID(), "object": peer.ActorID(),
		}
		state.Store(http.StatusServiceUnavailable)
		resp, err = peer.Send(ctx, fresh.base+"/ap/inbox", del)
		biStatus(t, "Delete while the actor's server fails", resp, err, http.StatusServiceUnavailable)
		if n := biFollowerCount(t, inst, target); n != 1 {
			t.Errorf("%d followers after a Delete that could not be checked, want 1", n)
		}
		state.Store(http.StatusGone)
		// A failed fetch is remembered for half a minute; the sender's
		// retry comes later than that, here to an instance with no memory.
		fresh = startBIInstance(t, w, st, biCacheTTL)
		resp, err = peer.Send(ctx, fresh.base+"/ap/inbox", del)
		biStatus(t, "Delete of a gone actor", resp, err, http.StatusAccepted)
		if n := biFollowerCount(t, inst, target); n != 0 {
			t.Errorf("%d followers after the gone actor's Delete, want 0", n)
		}
	})

	t.Run("WikiDown", func(t *testing.T) {
		// While the wiki cannot be asked, a Follow is a 503 with
		// Retry-After, leaves nothing behind (no follower, no Accept, no
		// dedupe mark), and the sender's retry succeeds once it is back.
		// Last: it stops the shared wiki.
		ctx := biCtx(t)
		target, _ := biPage(t, inst, admin, "Wiki Down Target")
		peer := fedpeer.New(t)
		follow := biFollow(peer, target)
		w.Stop(t)
		stopped := true
		t.Cleanup(func() {
			if stopped {
				w.Start(t)
			}
		})
		time.Sleep(3 * biCacheTTL)
		resp, err := peer.Send(ctx, target+"/inbox", follow)
		biStatus(t, "Follow while the wiki is down", resp, err, http.StatusServiceUnavailable)
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After")
		}
		gresp := biWantGet(t, target, biAP, http.StatusServiceUnavailable)
		if gresp.Header.Get("Retry-After") == "" {
			t.Errorf("actor GET: 503 without Retry-After")
		}
		biNothingStored(t, inst, peer, target)
		w.Start(t)
		stopped = false
		resp, err = peer.Send(ctx, target+"/inbox", follow)
		biStatus(t, "the retried Follow", resp, err, http.StatusAccepted)
		if _, err := peer.WaitAccept(ctx, follow["id"].(string)); err != nil {
			t.Fatalf("Accept of the retried Follow: %v", err)
		}
		if n := biFollowerCount(t, inst, target); n != 1 {
			t.Errorf("%d followers, want 1", n)
		}
		peer.AssertNoRejections(t)
	})

}

// biNoRedirect is a client that shows redirects instead of following them.
var biNoRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func biGet(t *testing.T, u, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := biNoRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

const biAP = `application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json, text/html;q=0.1`

func biWantGet(t *testing.T, u, accept string, want int) *http.Response {
	t.Helper()
	resp, b := biGet(t, u, accept)
	if resp.StatusCode != want {
		t.Errorf("GET %s (Accept %q): status %d %s, want %d", u, accept, resp.StatusCode, b, want)
	}
	return resp
}

func biWebFinger(t *testing.T, inst *biInstance, resource string, want int) map[string]any {
	t.Helper()
	u := inst.base + "/.well-known/webfinger"
	if resource != "\x00none" {
		u += "?resource=" + url.QueryEscape(resource)
	}
	resp, b := biGet(t, u, "")
	if resp.StatusCode != want {
		t.Errorf("WebFinger %q: status %d %s, want %d", resource, resp.StatusCode, b, want)
		return nil
	}
	var jrd map[string]any
	if want == http.StatusOK {
		if err := json.Unmarshal(b, &jrd); err != nil {
			t.Errorf("WebFinger %q: %v", resource, err)
		}
	}
	return jrd
}

// TestActorEdgeCases: look-ups of actors that never were, that were
// deleted, of IP editors, and by browsers.
func TestActorEdgeCases(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	inst := startBIInstance(t, w, biOpenBolt(t), biCacheTTL)
	site := inst.client.Site()

	t.Run("Unknown", func(t *testing.T) {
		for _, p := range []string{
			"/ap/page/999999", "/ap/user/999999",
			"/ap/page/0", "/ap/page/-1", "/ap/page/01", "/ap/page/abc", "/ap/page/1e3",
			"/ap/page/99999999999999999999", "/ap/thing/1", "/ap/user/0",
		} {
			biWantGet(t, inst.base+p, biAP, http.StatusNotFound)
		}
		biWantGet(t, inst.base+"/ap/page/999999/followers", biAP, http.StatusNotFound)
		biWantGet(t, inst.base+"/ap/user/999999/outbox", biAP, http.StatusNotFound)
		biWebFinger(t, inst, "acct:page.999999@"+inst.host, http.StatusNotFound)
		biWebFinger(t, inst, "acct:user.999999@"+inst.host, http.StatusNotFound)
		biWebFinger(t, inst, inst.base+"/ap/page/999999", http.StatusNotFound)
		biWebFinger(t, inst, "acct:no_such_page_at_all@"+inst.host, http.StatusNotFound)
		biWantGet(t, inst.base+"/@no_such_page_at_all", biAP, http.StatusNotFound)
	})

	t.Run("DeletedPage", func(t *testing.T) {
		ctx := biCtx(t)
		actorID, _ := biPage(t, inst, admin, "Short Lived Page")
		resp, b := biGet(t, actorID, biAP)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", actorID, resp.StatusCode, b)
		}
		jrd := biWebFinger(t, inst, "acct:short_lived_page@"+inst.host, http.StatusOK)
		if jrd["subject"] != "acct:short_lived_page@"+inst.host || !selfLinks(jrd, actorID) {
			t.Fatalf("WebFinger before deletion: %v", jrd)
		}
		// A follower before the deletion.
		peer := fedpeer.New(t)
		a, err := peer.Lookup(ctx, "short_lived_page@"+inst.host)
		if err != nil {
			t.Fatal(err)
		}
		fid, err := peer.Follow(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peer.WaitAccept(ctx, fid); err != nil {
			t.Fatal(err)
		}

		admin.Delete(t, "Short Lived Page", "test")
		time.Sleep(3 * biCacheTTL)

		// The actor stays followable (deleted pages are often restored, and
		// Mastodon deletes an account whose actor answers 410), and says so.
		resp, b = biGet(t, actorID, biAP)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "was deleted") {
			t.Errorf("GET of a deleted page's actor: %d %s; want 200 saying it was deleted", resp.StatusCode, b)
		}
		biWantGet(t, actorID, "text/html", http.StatusOK) // the follow page
		biWantGet(t, inst.base+"/@short_lived_page", biAP, http.StatusFound)
		for _, res := range []string{"acct:short_lived_page@" + inst.host, "acct:Short_Lived_Page@" + inst.host, actorID, site.PageURL("Short Lived Page")} {
			if jrd := biWebFinger(t, inst, res, http.StatusOK); !selfLinks(jrd, actorID) {
				t.Errorf("WebFinger %s of a deleted page: %v", res, jrd)
			}
		}
		biWantGet(t, actorID+"/followers", biAP, http.StatusOK)
		biWantGet(t, actorID+"/outbox", biAP, http.StatusOK)

		// A new Follow of the deleted page is accepted: it may come back.
		f2, err := peer.Follow(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peer.WaitAccept(ctx, f2); err != nil {
			t.Errorf("Follow of a deleted page: %v, want an Accept", err)
		}
		peer.AssertNoRejections(t)
	})

	t.Run("DeletedPageNeverFetched", func(t *testing.T) {
		// A page nobody ever fetched had no actor: 404 after deletion.
		actorID, _ := biPage(t, inst, admin, "Never Fetched Page")
		admin.Delete(t, "Never Fetched Page", "test")
		time.Sleep(3 * biCacheTTL)
		biWantGet(t, actorID, biAP, http.StatusNotFound)
	})

	t.Run("UnknownUser", func(t *testing.T) {
		biWantGet(t, inst.base+"/ap/user/999999", biAP, http.StatusNotFound)
		biWantGet(t, inst.base+"/ap/user/999999", "text/html", http.StatusNotFound)
		biWebFinger(t, inst, "acct:user.nobody_with_this_name@"+inst.host, http.StatusNotFound)
	})

	t.Run("IPEditor", func(t *testing.T) {
		// An IP that edited (so it has contributions and a "user page"
		// title) is still no actor.
		w.Anonymous(t).Edit(t, "Edited By An IP", "Anonymous text.", "ip edit")
		for _, h := range []string{"user.127.0.0.1", "User.127.0.0.1", "user.127_0_0_1", "user.0.0.0.0", "user.1.2.3.4"} {
			biWebFinger(t, inst, "acct:"+h+"@"+inst.host, http.StatusNotFound)
			biWantGet(t, inst.base+"/@"+h, biAP, http.StatusNotFound)
		}
		biWebFinger(t, inst, site.PageURL("User:127.0.0.1"), http.StatusNotFound)
		// A page in the User namespace named after the IP is no actor either.
		_, id := biPage(t, inst, admin, "User:127.0.0.1")
		biWantGet(t, inst.base+"/ap/page/"+strconv.FormatInt(id, 10), biAP, http.StatusNotFound)
		biWebFinger(t, inst, "acct:page."+strconv.FormatInt(id, 10)+"@"+inst.host, http.StatusNotFound)
		biWebFinger(t, inst, site.PageURL("User:127.0.0.1"), http.StatusNotFound)
	})

	t.Run("BrowserFollowPage", func(t *testing.T) {
		actorID, _ := biPage(t, inst, admin, "Browser Page")
		for _, acc := range []string{"text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"} {
			resp, b := biGet(t, actorID, acc)
			if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(b), "@browser_page@") || !strings.Contains(string(b), site.PageURL("Browser Page")) {
				t.Errorf("GET %s as a browser: %d %s; want the follow page with the handle and a link to the wiki page", actorID, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
		// ActivityPub clients (also those listing text/html at a lower q) get the document.
		for _, acc := range []string{biAP, "application/activity+json"} {
			resp := biWantGet(t, actorID, acc, http.StatusOK)
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
				t.Errorf("GET %s (Accept %q): Content-Type %q", actorID, acc, ct)
			}
		}
		// An editor's follow page links the user page.
		users, err := inst.client.UsersByName(context.Background(), []string{w.AdminUser})
		if err != nil || len(users) != 1 {
			t.Fatalf("admin user: %v %v", users, err)
		}
		for _, u := range users {
			resp, b := biGet(t, inst.base+"/ap/user/"+strconv.FormatInt(u.ID, 10), "text/html")
			if want := site.PageURL("User:" + u.Name); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
				t.Errorf("editor actor as a browser: %d, want the follow page linking %s", resp.StatusCode, want)
			}
		}
	})
}

// TestWebFingerEdgeCases: foreign hosts, missing resources, and handles
// typed in capitals.
func TestWebFingerEdgeCases(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	inst := startBIInstance(t, w, biOpenBolt(t), biCacheTTL)
	actorID, _ := biPage(t, inst, admin, "Finger Target")

	t.Run("ForeignHost", func(t *testing.T) {
		for _, r := range []string{
			"acct:finger_target@elsewhere.example",
			"acct:finger_target@127.0.0.1:1",
			"acct:finger_target@" + inst.host + ".evil.example",
			"acct:finger_target",
			"acct:finger_target@",
		} {
			biWebFinger(t, inst, r, http.StatusNotFound)
		}
	})

	t.Run("MissingResource", func(t *testing.T) {
		biWebFinger(t, inst, "\x00none", http.StatusBadRequest)
		biWebFinger(t, inst, "", http.StatusBadRequest)
		biWebFinger(t, inst, "   ", http.StatusBadRequest)
	})

	t.Run("Uppercase", func(t *testing.T) {
		// Found case-insensitively, answered with the name as asked
		// (GoToSocial compares it byte for byte).
		for r, want := range map[string]string{
			"acct:FINGER_TARGET@" + inst.host:  "acct:FINGER_TARGET@" + inst.host,
			"acct:Finger_Target@" + inst.host:  "acct:Finger_Target@" + inst.host,
			"acct:@FINGER_TARGET@" + inst.host: "acct:FINGER_TARGET@" + inst.host,
		} {
			jrd := biWebFinger(t, inst, r, http.StatusOK)
			if jrd == nil {
				continue
			}
			if jrd["subject"] != want || !selfLinks(jrd, actorID) {
				t.Errorf("WebFinger %q: subject %v, links %v; want %s and self %s", r, jrd["subject"], jrd["links"], want, actorID)
			}
		}
	})

	t.Run("UppercaseScheme", func(t *testing.T) {
		// RFC 3986 §3.1: schemes are case-insensitive ("ACCT:" is "acct:").
		r := "ACCT:Finger_Target@" + inst.host
		resp, b := biGet(t, inst.base+"/.well-known/webfinger?resource="+url.QueryEscape(r), "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("WebFinger of %q answers %d %s", r, resp.StatusCode, bytes.TrimSpace(b))
		}
		var jrd map[string]any
		if err := json.Unmarshal(b, &jrd); err != nil || jrd["subject"] != "acct:Finger_Target@"+inst.host {
			t.Errorf("WebFinger %q: %s (%v)", r, b, err)
		}
	})
}
