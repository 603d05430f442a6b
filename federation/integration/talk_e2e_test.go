package integration

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/talk"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// logBuffer collects an instance's log lines, safe for its goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines are the log lines that contain every one of the words.
func (l *logBuffer) lines(words ...string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		ok := line != ""
		for _, w := range words {
			ok = ok && strings.Contains(line, w)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

// captureLog sends the federation side's log, at level and above, to buf.
func captureLog(buf *logBuffer, level slog.Level) func(*fedConfig, *wiki.Client) {
	return func(cfg *fedConfig, _ *wiki.Client) {
		cfg.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level}))
	}
}

// talkOn turns talk-page delivery on with a flood-control window.
func talkOn(window time.Duration) func(*fedConfig, *wiki.Client) {
	return func(cfg *fedConfig, c *wiki.Client) {
		cfg.Talk = talk.Config{Wiki: c, Window: window, Every: 100 * time.Millisecond}
	}
}

// sendReply makes peer reply to one of our posts with a Note claiming
// published, and returns the Note's id.
func sendReply(t *testing.T, ctx context.Context, p *fedpeer.Peer, inst *instance, n int, inReplyTo, content string, published time.Time) string {
	t.Helper()
	id := fmt.Sprintf("%s/notes/%d", p.BaseURL(), n)
	note := map[string]any{"id": id, "type": "Note", "attributedTo": p.ActorID(), "content": content,
		"published": published.UTC().Format(time.RFC3339), "url": id, "inReplyTo": inReplyTo,
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}}
	resp, err := p.Send(ctx, inst.base+"/ap/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": id + "/activity", "type": "Create",
		"actor": p.ActorID(), "object": note, "to": note["to"],
	})
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("sending a reply: %v %v", err, resp)
	}
	return id
}

// waitTalkState waits until the stored reply reaches a talk state other
// than pending, and returns it.
func waitTalkState(t *testing.T, ctx context.Context, st store.Store, id string) string {
	t.Helper()
	for {
		i, err := st.GetInteraction(ctx, id)
		if err == nil && i.TalkState != "pending" {
			return i.TalkState
		}
		select {
		case <-ctx.Done():
			t.Fatalf("reply %s is still pending (%v): %v", id, err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func pageText(t *testing.T, s *testenv.Session, title string) string {
	t.Helper()
	text, _, err := s.C.PageText(context.Background(), title)
	if err != nil {
		t.Fatalf("reading %s: %v", title, err)
	}
	return text
}

// TestTalkWriterWritesOnlyTheOwnTalkPage: the writer (wikipub's admin bot
// here, which may edit anything) writes a reply only to the opted-in
// editor's own talk page. When an IP has turned that page into a redirect
// to a fully protected page, or to another editor's talk page, nothing is
// written anywhere, the reply is dropped from the queue for good
// ("refused") and the log says so at WARN; a protected own talk page is
// refused alike. The section shows when the reply reached wikipub, not the
// time its sender claims.
func TestTalkWriterWritesOnlyTheOwnTalkPage(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	anon := w.Anonymous(t)
	vandalised := w.NewEditor(t, "Vandalised Editor")
	guarded := w.NewEditor(t, "Guarded Editor")
	victim := w.NewEditor(t, "Victim Editor")
	fine := w.NewEditor(t, "Fine Editor")
	for _, e := range []struct {
		s    *testenv.Session
		name string
	}{{vandalised, "Vandalised Editor"}, {guarded, "Guarded Editor"}, {fine, "Fine Editor"}} {
		optIn(t, e.s, e.name)
	}
	admin.Edit(t, "Project:Locked", "Locked.", "create")
	admin.Protect(t, "Project:Locked", "only admins")
	victim.Edit(t, "User talk:Victim Editor", "My talk page.", "create")
	revV := vandalised.Edit(t, "Article V", "V.", "create")
	revG := guarded.Edit(t, "Article G", "G.", "create")
	revF := fine.Edit(t, "Article F", "F.", "create")
	admin.Edit(t, "User talk:Guarded Editor", "Guarded.", "create")
	admin.ProtectAt(t, "User talk:Guarded Editor", "autoconfirmed", "harassment")

	var logs logBuffer
	inst := startInstance(t, w, stores(t)["bolt"](t), talkOn(time.Millisecond), captureLog(&logs, slog.LevelInfo))
	peer := fedpeer.New(t, fedpeer.WithUsername("bob"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	post := func(rev int64) string { return fmt.Sprintf("%s/ap/rev/%d", inst.base, rev) }
	claimed := time.Date(2001, 1, 2, 3, 4, 0, 0, time.UTC)

	// The redirect attack: to a protected page, then to another editor's
	// talk page. Nothing written anywhere, refused for good.
	for n, target := range []string{"Project:Locked", "User talk:Victim Editor"} {
		anon.Edit(t, "User talk:Vandalised Editor", "#REDIRECT [["+target+"]]", "ip vandalism")
		before := pageText(t, admin, target)
		id := sendReply(t, ctx, peer, inst, n+1, post(revV), fmt.Sprintf("<p>Redirected reply %d</p>", n), claimed)
		if st := waitTalkState(t, ctx, inst.store, id); st != "refused" {
			t.Errorf("a reply to a talk page that redirects to %s: state %q, want refused", target, st)
		}
		if got := pageText(t, admin, target); got != before {
			t.Errorf("the redirect's target %s was written: %q", target, got)
		}
		if got := pageText(t, admin, "User talk:Vandalised Editor"); got != "#REDIRECT [["+target+"]]" {
			t.Errorf("the redirect itself was written: %q", got)
		}
		if len(logs.lines("level=WARN", "refused", "User talk:Vandalised Editor", "redirect")) == 0 {
			t.Errorf("no WARN line for the refusal; log:\n%s", logs.String())
		}
	}

	// A protected own talk page: refused, not retried.
	id := sendReply(t, ctx, peer, inst, 3, post(revG), "<p>Guarded reply</p>", claimed)
	if st := waitTalkState(t, ctx, inst.store, id); st != "refused" {
		t.Errorf("a reply to a protected talk page: state %q, want refused", st)
	}
	if got := pageText(t, admin, "User talk:Guarded Editor"); got != "Guarded." {
		t.Errorf("a protected talk page was written: %q", got)
	}
	if len(logs.lines("level=WARN", "refused", "User talk:Guarded Editor", "protected")) == 0 {
		t.Errorf("no WARN line for the protected page; log:\n%s", logs.String())
	}

	// The ordinary case still works, and shows when the reply arrived.
	arrived := time.Now().UTC()
	id = sendReply(t, ctx, peer, inst, 4, post(revF), "<p>Fine reply</p>", claimed)
	if st := waitTalkState(t, ctx, inst.store, id); st != "written" {
		t.Fatalf("a reply to an ordinary opted-in talk page: state %q, want written", st)
	}
	text := pageText(t, admin, "User talk:Fine Editor")
	if !strings.Contains(text, "Fine reply") || strings.Contains(text, "2001") {
		t.Errorf("talk page %q: want the reply, without the claimed time", text)
	}
	if !strings.Contains(text, "received "+arrived.Format("2 January 2006")) {
		t.Errorf("talk page %q does not say when the reply arrived (%s)", text, arrived.Format("2 January 2006"))
	}
	for _, rj := range peer.Rejected() {
		t.Errorf("the peer refused: %+v", rj)
	}
}

// TestTalkOptInJudgedOnArrival: a reply that arrived while its editor was
// not opted in is never written, not even when they opt in before the
// writer gets to it; one that arrived after the opt-in is.
func TestTalkOptInJudgedOnArrival(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	late := w.NewEditor(t, "Late Editor")
	admin := w.Login(t)
	rev := late.Edit(t, "Article L", "L.", "create")
	// A window long enough that the early reply is still waiting when
	// the editor opts in.
	const window = 10 * time.Second
	inst := startInstance(t, w, stores(t)["bolt"](t), talkOn(window))
	peer := fedpeer.New(t, fedpeer.WithUsername("carol"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	post := fmt.Sprintf("%s/ap/rev/%d", inst.base, rev)

	// Windows start at multiples of their length: begin at the start of
	// one, so that both replies fall in it.
	time.Sleep(time.Until(time.Now().Truncate(window).Add(window)) + 100*time.Millisecond)
	early := sendReply(t, ctx, peer, inst, 1, post, "<p>Before the opt-in</p>", time.Now())
	time.Sleep(2100 * time.Millisecond)
	optIn(t, late, "Late Editor")
	time.Sleep(2100 * time.Millisecond)
	after := sendReply(t, ctx, peer, inst, 2, post, "<p>After the opt-in</p>", time.Now())
	if st := waitTalkState(t, ctx, inst.store, after); st != "written" {
		t.Errorf("the reply after the opt-in: state %q, want written", st)
	}
	if st := waitTalkState(t, ctx, inst.store, early); st != "skipped" {
		t.Errorf("the reply before the opt-in: state %q, want skipped", st)
	}
	text := pageText(t, admin, "User talk:Late Editor")
	if !strings.Contains(text, "After the opt-in") || strings.Contains(text, "Before the opt-in") {
		t.Errorf("talk page %q: want only the reply that came after the opt-in", text)
	}
}
