package talk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// Wiki is what writing replies to the wiki needs; *wiki.Client satisfies
// it. AddTalkSection writes to exactly the page named, never through a
// redirect nor onto a protected page, and says wiki.ErrEditRefused when
// retrying cannot help.
type Wiki interface {
	AddTalkSection(ctx context.Context, title, sectionTitle, text, summary string, bot bool) (int64, error)
	PageText(ctx context.Context, title string) (string, bool, error)
	PageTextAt(ctx context.Context, title string, at time.Time) (string, bool, error)
	HasRight(ctx context.Context, right string) (bool, error)
}

// Reader is what finding a reply's talk page reads from the wiki: the
// namespaces, a revision's page and editor, a log post's page, whether an
// editor's account is visible. *wiki.Client satisfies it.
type Reader interface {
	Site() *wiki.SiteInfo
	RevisionChange(ctx context.Context, id int64) (wiki.Change, error)
	PageByID(ctx context.Context, id int64) (wiki.Page, error)
	UsersByName(ctx context.Context, names []string) (map[string]wiki.User, error)
}

// Store is the part of the store the writer uses: the posts replied to,
// and the replies it schedules, writes and marks.
type Store interface {
	PublishedPost(ctx context.Context, objectID string) (store.Published, error)
	AddInteraction(ctx context.Context, i store.Interaction) (added bool, err error)
	DueTalk(ctx context.Context, now time.Time, limit int) ([]store.Interaction, error)
}

// Config is the admin's choice of how replies reach the wiki.
type Config struct {
	// Wiki writes; nil turns talk-page delivery off (replies are still kept
	// and shown in the replies collections).
	Wiki Wiki
	// Namespaces are the page namespaces whose talk pages receive replies to
	// the pages' posts; default none.
	Namespaces []int
	// Window groups the replies to one talk page that arrive within it into
	// one section; default 10 minutes.
	Window time.Duration
	// PerActorHour and PerDomainHour cap what one remote actor or server
	// can put on talk pages per hour; defaults 5 and 30.
	PerActorHour, PerDomainHour int
	// DailyCap is the most sections one talk page gets per day; default 10.
	DailyCap int
	// MaxRunes cuts long replies (with a link to the original); default 2000.
	MaxRunes int
	// ReportsPage, when set, receives a section per report (Flag).
	ReportsPage string
	// Every is how often the writer looks for due replies; default 15 s.
	Every time.Duration
}

// OptInPage is where an editor opts in: a JSON subpage of their user page,
// which MediaWiki lets only them (and interface admins) edit.
const OptInPage = "/wikipub.json"

// Writer decides which talk page a reply may reach and writes them,
// grouped and rate-limited.
type Writer struct {
	cfg   Config
	wiki  Reader
	store Store
	iris  actors.IRIs
	log   *slog.Logger

	mu      sync.Mutex
	hourly  map[string][]time.Time // actor or domain → recent talk deliveries
	daily   map[string][]time.Time // talk page → sections written today
	botFlag *bool
}

// New returns the talk-page writer; Run writes what Schedule made due.
func New(cfg Config, r Reader, st Store, iris actors.IRIs, log *slog.Logger) *Writer {
	if cfg.Window == 0 {
		cfg.Window = 10 * time.Minute
	}
	if cfg.PerActorHour == 0 {
		cfg.PerActorHour = 5
	}
	if cfg.PerDomainHour == 0 {
		cfg.PerDomainHour = 30
	}
	if cfg.DailyCap == 0 {
		cfg.DailyCap = 10
	}
	if cfg.MaxRunes == 0 {
		cfg.MaxRunes = 2000
	}
	if cfg.Every == 0 {
		cfg.Every = 15 * time.Second
	}
	return &Writer{cfg: cfg, wiki: r, store: st, iris: iris, log: log, hourly: map[string][]time.Time{}, daily: map[string][]time.Time{}}
}

// UserTalkPage is an editor's talk page, in the wiki's own namespace name.
func (t *Writer) UserTalkPage(name string) string {
	return nsName(t.wiki.Site(), 3, "User talk") + ":" + name
}

func nsName(site *wiki.SiteInfo, id int, fallback string) string {
	if ns, ok := site.Namespaces[id]; ok && ns.Name != "" {
		return ns.Name
	}
	return fallback
}

// ReplyTalkPage is where a reply to one of our posts may go: the talk page
// of the editor the post is about. Replies to other posts stay in the
// post's replies collection.
func (t *Writer) ReplyTalkPage(ctx context.Context, objectID string) string {
	id, ok := t.iris.RevisionOf(objectID)
	if !ok {
		return t.pageTalkPage(ctx, objectID)
	}
	c, err := t.wiki.RevisionChange(ctx, id)
	if err != nil {
		return ""
	}
	if c.User != "" && !c.UserHidden && !c.Anonymous && c.UserID != 0 && !actors.IsTemporaryAccount(c.User) {
		return t.UserTalkPage(c.User)
	}
	return t.talkOfPage(c.Namespace, c.Title)
}

// pageTalkPage is the talk page of a log post's page, when enabled.
func (t *Writer) pageTalkPage(ctx context.Context, objectID string) string {
	post, err := t.store.PublishedPost(ctx, objectID)
	if err != nil || post.PageID == 0 {
		return ""
	}
	p, err := t.wiki.PageByID(ctx, post.PageID)
	if err != nil {
		return ""
	}
	return t.talkOfPage(p.Namespace, p.Title)
}

// talkOfPage is a page's talk page if the admin enabled its namespace.
func (t *Writer) talkOfPage(ns int, title string) string {
	if ns < 0 || ns%2 == 1 || !slices.Contains(t.cfg.Namespaces, ns) {
		return ""
	}
	site := t.wiki.Site()
	_, rest := site.SplitTitle(title)
	return nsName(site, ns+1, "Talk") + ":" + rest
}

// Schedule sets whether and when an interaction goes to a talk page: in
// the current window's bucket, unless the sender is over its rate limit.
func (t *Writer) Schedule(ctx context.Context, i store.Interaction) store.Interaction {
	now := time.Now()
	if i.Received.IsZero() {
		// When it reached us, not what the sender claims: the talk page
		// shows it, and the editor's opt-in is judged as of then.
		i.Received = now.UTC()
	}
	if i.TalkPage == "" || t.cfg.Wiki == nil {
		i.TalkState = ""
		return i
	}
	if !t.optedInOnArrival(ctx, &i) {
		i.TalkState = talkSkipped
		return i
	}
	host := ""
	if u, err := url.Parse(i.Actor); err == nil {
		host = u.Hostname()
	}
	if !t.allow("actor:"+i.Actor, t.cfg.PerActorHour, now) || !t.allow("domain:"+host, t.cfg.PerDomainHour, now) {
		t.log.InfoContext(ctx, "rate limit: reply kept but not written to the wiki", "actor", i.Actor, "talk_page", i.TalkPage)
		i.TalkState = "skipped"
		return i
	}
	i.TalkState = "pending"
	i.Due = now.Truncate(t.cfg.Window).Add(t.cfg.Window)
	if t.cfg.Window < time.Second {
		i.Due = now
	}
	return i
}

// allow counts one event against an hourly limit.
func (t *Writer) allow(key string, limit int, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.hourly[key][:0]
	for _, at := range t.hourly[key] {
		if now.Sub(at) < time.Hour {
			recent = append(recent, at)
		}
	}
	if len(recent) >= limit {
		t.hourly[key] = recent
		return false
	}
	t.hourly[key] = append(recent, now)
	return true
}

// Run writes due replies until ctx ends.
func (t *Writer) Run(ctx context.Context) {
	if t.cfg.Wiki == nil {
		return
	}
	for {
		if err := t.writeDue(ctx); err != nil && ctx.Err() == nil {
			t.log.WarnContext(ctx, "writing replies to the wiki failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(t.cfg.Every):
		}
	}
}

// writeDue writes every due reply, one section per talk page.
func (t *Writer) writeDue(ctx context.Context) error {
	due, err := t.store.DueTalk(ctx, time.Now(), 200)
	if err != nil {
		return err
	}
	byPage := map[string][]store.Interaction{}
	var order []string
	for _, i := range due {
		if _, ok := byPage[i.TalkPage]; !ok {
			order = append(order, i.TalkPage)
		}
		byPage[i.TalkPage] = append(byPage[i.TalkPage], i)
	}
	var errs []error
	for _, page := range order {
		errs = append(errs, t.writePage(ctx, page, byPage[page]))
	}
	return errors.Join(errs...)
}

func (t *Writer) underDailyCap(page string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	recent := t.daily[page][:0]
	for _, at := range t.daily[page] {
		if now.Sub(at) < 24*time.Hour {
			recent = append(recent, at)
		}
	}
	if len(recent) >= t.cfg.DailyCap {
		t.daily[page] = recent
		return false
	}
	t.daily[page] = append(recent, now)
	return true
}

func (t *Writer) botRight(ctx context.Context) bool {
	t.mu.Lock()
	known := t.botFlag
	t.mu.Unlock()
	if known != nil {
		return *known
	}
	ok, err := t.cfg.Wiki.HasRight(ctx, "bot")
	if err != nil {
		return false
	}
	t.mu.Lock()
	t.botFlag = &ok
	t.mu.Unlock()
	return ok
}

func (t *Writer) mark(ctx context.Context, items []store.Interaction, state string) error {
	for _, i := range items {
		i.TalkState = state
		if _, err := t.store.AddInteraction(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// retryLater keeps the replies pending, due again in a minute.
func (t *Writer) retryLater(ctx context.Context, items []store.Interaction, cause error) error {
	for _, i := range items {
		i.Due = time.Now().Add(time.Minute)
		if _, err := t.store.AddInteraction(ctx, i); err != nil {
			return errors.Join(cause, err)
		}
	}
	return cause
}

// compose writes one section for a group of replies: who wrote, when, what
// post it answers, and the text, rendered literally.
func (t *Writer) compose(items []store.Interaction) (title, text, summary string) {
	day := time.Now().UTC().Format("2 January 2006")
	title = "Replies from the Fediverse, " + day
	var b strings.Builder
	for _, i := range items {
		about := "a post"
		if u := safeURL(i.Object); u != "" {
			about = "[" + u + " a post]"
			if rev, ok := t.iris.RevisionOf(i.Object); ok {
				about = "[" + safeURL(t.wiki.Site().IndexURL(url.Values{"diff": {strconv.FormatInt(rev, 10)}})) + " your edit]"
			}
		}
		if i.Kind == "mention" {
			about = "a post that mentions you"
		}
		who := wiki.EscapeWikitextLine(i.ActorName) + " (" + wiki.EscapeWikitextLine(i.ActorHandle) + ")"
		orig := "wrote"
		if u := safeURL(i.URL); u != "" {
			orig = "[" + u + " wrote]"
		}
		when := ""
		if !i.Received.IsZero() {
			when = " (received " + i.Received.UTC().Format("2 January 2006, 15:04 (UTC)") + ")"
		}
		fmt.Fprintf(&b, "'''%s''' %s about %s%s:\n\n%s\n\n", who, orig, about, when,
			wiki.WikitextFromHTML(i.Content, t.cfg.MaxRunes, safeURL(i.URL)))
	}
	b.WriteString("<small>Delivered by wikipub because you opted in at [[Special:MyPage" + OptInPage + "]].</small>")
	summary = fmt.Sprintf("wikipub: %d repl%s from the Fediverse", len(items), plural(len(items)))
	if u := safeURL(items[0].URL); u != "" {
		summary += " (" + u + ")"
	}
	return title, b.String(), summary
}

func plural(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}

// safeURL keeps an http(s) URL fit to stand in a wikitext external link.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	s := p.String()
	if strings.ContainsAny(s, " []<>\"{}|\n\r\t'") {
		return ""
	}
	return s
}

// Report appends a Flag to the admins' page, when one is configured.
func (t *Writer) Report(ctx context.Context, id, from, content, object string) error {
	if t.cfg.Wiki == nil || t.cfg.ReportsPage == "" {
		return nil
	}
	text := "Report " + wiki.EscapeWikitextLine(id) + " from " + wiki.EscapeWikitextLine(from) + " about " + wiki.EscapeWikitextLine(object) + ":\n\n" + wiki.WikitextFromHTML(content, t.cfg.MaxRunes, "")
	_, err := t.cfg.Wiki.AddTalkSection(ctx, t.cfg.ReportsPage, "Fediverse report", text, "wikipub: a report from the Fediverse", t.botRight(ctx))
	if errors.Is(err, wiki.ErrEditRefused) {
		// Retrying cannot help (a protected or redirecting page, missing
		// rights): the admin needs to know, the sender need not retry.
		t.log.WarnContext(ctx, "the reports page refused a report; it is only in this log", "id", id, "from", from, "reports_page", t.cfg.ReportsPage, "err", err)
		return nil
	}
	return err
}
