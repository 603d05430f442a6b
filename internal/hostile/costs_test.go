package hostile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRemoteControlledCosts: everything a remote can make wikipub store,
// fetch, compute or write is bounded (README, "Security"). The reports
// page is on, and one server (known as localhost) is blocked.
func TestRemoteControlledCosts(t *testing.T) {
	f := newFixture(t)
	// "Backlog page 0" … for the cold crawl: the first crawlPages are
	// crawled, the others make the key pool's keys before (pool keys are
	// made once per deployment, when first needed).
	f.w.BacklogPages(t, 4*crawlPages, 4*crawlPages)
	pages := f.pageIDs(t, "Backlog page ", 4*crawlPages)
	crawl, warm := pages[:crawlPages], pages[crawlPages:]
	t.Run("slow and idle connections are not held", func(t *testing.T) {
		// Short deadlines so the test is quick; the defaults are 30 s and 60 s.
		eachStore(t, f, []string{"--http-read-timeout", "2s", "--http-idle-timeout", "2s"}, func(t *testing.T, tg *target) {
			heldConnections(t, tg, 200, 5*time.Second)
		})
	})
	eachStore(t, f, []string{"--reports-page", "Project:Fediverse reports {store}", "--block", "localhost"}, func(t *testing.T, tg *target) {
		reports := "Project:Fediverse reports " + tg.kind
		evil := newPeer(t)
		mallory := evil.person(t, "mallory", newKey(t, 1))
		post := tg.editorPost()

		t.Run("a 1 MB Follow is not stored and retried whole", func(t *testing.T) {
			fol := follow(evil.base+"/follows/"+uniq(), mallory.id, tg.pageActor())
			fol["padding"] = strings.Repeat("x", 900<<10)
			code, body := mallory.deliver(t, tg.inbox(), fol)
			wantStatus(t, "a 900 KB Follow", code, body, http.StatusAccepted)
			waitFor(t, "the Accept", 15*time.Second, func() bool { return len(evil.received("/users/mallory/inbox")) > 0 })
			acc := evil.received("/users/mallory/inbox")[0]
			if len(acc.raw) > 4<<10 {
				t.Errorf("the Accept of a 900 KB Follow is %d bytes (queued and retried as such), want a few hundred", len(acc.raw))
			}
			if obj, _ := acc.body["object"].(map[string]any); obj["id"] != fol["id"] || obj["actor"] != mallory.id {
				t.Errorf("the Accept does not name the Follow: %s", acc.raw)
			}
		})

		t.Run("replies to posts that do not exist are not kept", func(t *testing.T) {
			ghost := tg.base + "/ap/rev/987654321"
			id := evil.base + "/notes/" + uniq()
			code, body := mallory.deliver(t, tg.inbox(), reply(id, mallory.id, id, ghost, "to nothing"))
			wantStatus(t, "a reply to a post that does not exist", code, body, http.StatusAccepted)
			code, body = mallory.deliver(t, tg.inbox(), activity("Like", evil.base+"/likes/"+uniq(), mallory.id, ghost))
			wantStatus(t, "a like of a post that does not exist", code, body, http.StatusAccepted)
			for _, c := range []string{"replies", "likes"} {
				if n, ids := tg.collection(t, ghost+"/"+c); n != 0 {
					t.Errorf("%s of a post that does not exist: %d %v, want none kept", c, n, ids)
				}
			}
			// A reply to a real post is kept: the test can see one.
			id = evil.base + "/notes/" + uniq()
			code, body = mallory.deliver(t, tg.inbox(), reply(id, mallory.id, id, post, "to something"))
			wantStatus(t, "a reply to a real post", code, body, http.StatusAccepted)
			if _, ids := tg.collection(t, post+"/replies"); !contains(ids, id) {
				t.Errorf("a reply to a real post was not kept: %v", ids)
			}
		})

		t.Run("a thousand mentions cost ten look-ups, once", func(t *testing.T) {
			before := tg.wiki.count("ususerids")
			for round := range 2 {
				id := evil.base + "/notes/" + uniq()
				n := reply(id, mallory.id, id, "", "many mentions")
				note := n["object"].(map[string]any)
				delete(note, "inReplyTo")
				var tags []any
				for i := range 1000 {
					tags = append(tags, map[string]any{"type": "Mention", "href": tg.base + "/ap/user/" + strconv.Itoa(500000+i)})
				}
				note["tag"] = tags
				code, body := mallory.deliver(t, tg.inbox(), n)
				wantStatus(t, "a note with 1,000 mentions", code, body, http.StatusAccepted)
				if got := tg.wiki.count("ususerids") - before; got > 10 {
					t.Errorf("after note %d with 1,000 mentions of editors who do not exist: %d user look-ups, want at most 10 in all", round+1, got)
				}
			}
		})

		t.Run("reports are bounded in size and number, and a blocked server's dropped", func(t *testing.T) {
			flag := func(who *person, content string, objects []any) (int, string) {
				return who.deliver(t, tg.inbox(), map[string]any{"@context": asContext, "id": who.p.base + "/flags/" + uniq(), "type": "Flag",
					"actor": who.id, "object": objects, "content": content})
			}
			var many []any
			for i := range 5000 {
				many = append(many, tg.base+"/ap/rev/"+strconv.Itoa(i+1))
			}
			code, body := flag(mallory, "<p>"+strings.Repeat("spam ", 120<<10)+"</p>", many)
			wantStatus(t, "a 900 KB report", code, body, http.StatusAccepted)
			for i := range 6 {
				code, body := flag(mallory, fmt.Sprintf("report %d", i+2), []any{post})
				want := http.StatusAccepted
				if i >= 4 {
					want = http.StatusTooManyRequests // the sixth and seventh in an hour
				}
				checkStatus(t, fmt.Sprintf("report %d from one server", i+2), code, body, want)
			}
			blocked := newPeerAs(t, "localhost")
			bo := blocked.person(t, "bo", newKey(t, 3))
			code, body = flag(bo, "from a blocked server", []any{post})
			wantStatus(t, "a blocked server's report", code, body, http.StatusAccepted)
			revs := f.revisions(t, reports)
			if len(revs) != 5 {
				t.Errorf("the reports page has %d revisions, want 5 (five reports an hour from one server, none from a blocked one)", len(revs))
			}
			for i, size := range revs {
				if size > 20<<10 {
					t.Errorf("revision %d of the reports page is %d bytes: a report's size is not bounded", i, size)
				}
			}
			tg.adminSees(t, "rate_limited", 2)
		})

		t.Run("junk signatures and dead key servers cost one fetch", func(t *testing.T) {
			other := newPeer(t)
			bob := other.person(t, "bob", newKey(t, 0))
			broken := "/keys/broken-" + uniq()
			evil.answer(broken, http.StatusInternalServerError)
			for i := range 30 {
				// Signed with mallory's key, naming bob's: never verifies.
				code, body := sendAs(t, tg.inbox(), follow(other.base+"/f/"+strconv.Itoa(i), bob.id, tg.pageActor()), bob.keyID, mallory.key)
				checkStatus(t, "a junk signature naming bob's key", code, body, http.StatusUnauthorized)
				code, body = sendAs(t, tg.inbox(), follow(evil.base+"/f/"+strconv.Itoa(i), mallory.id, tg.pageActor()), evil.base+broken, mallory.key)
				checkStatus(t, "a key on a failing server", code, body, http.StatusServiceUnavailable)
			}
			if n := other.fetches("/users/bob"); n > 2 {
				t.Errorf("30 junk signatures naming bob's key made wikipub fetch bob %d times, want at most 2", n)
			}
			if n := evil.fetches(broken); n > 2 {
				t.Errorf("30 requests naming a failing key made wikipub fetch it %d times, want at most 2", n)
			}
		})

		t.Run("WebFinger misses are cached", func(t *testing.T) {
			before := tg.wiki.count("titles=")
			for range 30 {
				req, _ := http.NewRequest(http.MethodGet, tg.base+"/.well-known/webfinger?resource="+url.QueryEscape("acct:no_such_page_anywhere@"+tg.host), nil)
				code, body := do(t, req)
				wantStatus(t, "WebFinger of a page that does not exist", code, body, http.StatusNotFound)
			}
			if n := tg.wiki.count("titles=") - before; n > 2 {
				t.Errorf("30 WebFinger look-ups of one missing handle made %d title look-ups, want at most 2", n)
			}
		})

		t.Run("remote strings are cut in the log", func(t *testing.T) {
			huge := evil.base + "/" + strings.Repeat("x", 900<<10)
			body, _ := json.Marshal(follow(huge, mallory.id, tg.pageActor()))
			req, _ := http.NewRequest(http.MethodPost, tg.inbox(), strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/activity+json")
			code, _ := do(t, req)
			if code < 400 || code >= 500 {
				t.Errorf("an unsigned activity with a 900 KB id: %d, want a 4xx", code)
			}
			req, _ = http.NewRequest(http.MethodGet, tg.base+"/ap/page/"+strings.Repeat("9", 60<<10), nil)
			do(t, req)
			time.Sleep(500 * time.Millisecond)
			for _, line := range strings.Split(tg.wp.Log(), "\n") {
				if len(line) > 8<<10 {
					t.Fatalf("a log line of %d bytes: %.200s…", len(line), line)
				}
			}
		})

		t.Run("one server's activities are rate-limited", func(t *testing.T) {
			spam := newPeer(t)
			sam := spam.person(t, "sam", newKey(t, 2))
			limited, start := 0, time.Now()
			for i := range 650 {
				code, body := sam.deliver(t, tg.inbox(), activity("View", spam.base+"/views/"+strconv.Itoa(i), sam.id, post))
				switch code {
				case http.StatusAccepted:
				case http.StatusTooManyRequests:
					limited++
				default:
					t.Fatalf("activity %d: %d %s", i, code, body)
				}
			}
			// A burst of 600, then one a second (--inbox-per-minute 60).
			if want := 650 - 600 - int(time.Since(start).Seconds()) - 2; limited < want {
				t.Errorf("%d of 650 activities from one server at once were refused, want at least %d (the burst is 600, then one a second)", limited, want)
			}
			tg.adminSees(t, "rate_limited", float64(limited))
		})

		t.Run("a crawl of never-seen actors leaves nothing in the store", func(t *testing.T) {
			for _, id := range warm {
				req, _ := http.NewRequest(http.MethodGet, tg.base+"/ap/page/"+strconv.FormatInt(id, 10), nil)
				req.Header.Set("Accept", "application/activity+json")
				if code, body := do(t, req); code != http.StatusOK {
					t.Fatalf("GET page %d: %d %s", id, code, body)
				}
			}
			before := tg.storeSize(t)
			for i, id := range crawl {
				for _, u := range []string{
					tg.base + "/ap/page/" + strconv.FormatInt(id, 10),
					tg.base + "/ap/page/" + strconv.Itoa(900000+i), // no such page
				} {
					req, _ := http.NewRequest(http.MethodGet, u, nil)
					req.Header.Set("Accept", "application/activity+json")
					if code, body := do(t, req); code != http.StatusOK && code != http.StatusNotFound {
						t.Fatalf("GET %s: %d %s", u, code, body)
					}
				}
				req, _ := http.NewRequest(http.MethodGet, tg.base+"/.well-known/webfinger?resource="+url.QueryEscape("acct:backlog_page_"+strconv.Itoa(i)+"@"+tg.host), nil)
				if code, body := do(t, req); code != http.StatusOK {
					t.Fatalf("WebFinger of backlog page %d: %d %s", i, code, body)
				}
			}
			if after := tg.storeSize(t); after != before {
				t.Errorf("the store went from %d to %d records after %d never-seen actors were fetched (and as many that do not exist)", before, after, len(crawl))
			}
		})
	})
}

// heldConnections opens n connections that send a request body slowly
// (headers, then one byte, then nothing) and n kept-alive connections
// left idle after one request, and fails unless wikipub has closed every
// one of them within wait.
func heldConnections(t *testing.T, tg *target, n int, wait time.Duration) {
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 2 * n {
		c, err := net.DialTimeout("tcp", tg.host, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if i < n {
			fmt.Fprintf(c, "POST /ap/inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/activity+json\r\nContent-Length: 100000\r\n\r\n{", tg.host)
			continue
		}
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", tg.host)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("GET /healthz on connection %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	time.Sleep(wait)
	open := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				open++
			}
		}
	}
	if open > 0 {
		t.Errorf("%d of %d slow or idle connections still open %s after they stalled", open, len(conns), wait)
	}
}

// crawlPages is how many pages the cold crawl fetches.
const crawlPages = 100

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
