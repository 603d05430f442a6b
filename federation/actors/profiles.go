package actors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/wikipub/wikipub/federation/internal/ttlcache"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// ProfileWiki is what a profile is read from; *wiki.Client has it. Each
// call takes any number of actors, so profiles asked together cost one
// request (docs/mediawiki.md, "Profiles of pages").
type ProfileWiki interface {
	Site() *wiki.SiteInfo
	PageProfiles(ctx context.Context, ids []int64, opt wiki.ProfileOptions) (map[int64]wiki.PageProfile, error)
	UserProfiles(ctx context.Context, ids []int64, opt wiki.ProfileOptions) (map[int64]wiki.UserProfile, error)
	SiteProfile(ctx context.Context, opt wiki.ProfileOptions) (wiki.SiteProfile, error)
}

// Profile is what makes an actor look like a profile rather than a feed:
// its pictures, its opening text and the facts its fields show. Empty
// parts fall back to the wiki's logo and the generic summary.
type Profile struct {
	// Avatar and Header are raster images (URL and media type); "" when
	// the page has none that Mastodon and GoToSocial accept.
	Avatar, AvatarType string
	Header, HeaderType string
	// Bio is plain text: the page's (or user page's, or the wiki's) opening.
	Bio string
	// TalkURL is the talk page, "" when the namespace has none.
	TalkURL string
	// LastEdited is a page's latest revision's time.
	LastEdited time.Time
	// Registration and Edits are an editor's; HasEdits says Edits is known.
	Registration time.Time
	Edits        int
	HasEdits     bool

	fetched time.Time
}

// Version names what followers see of a profile that is worth an Update:
// the pictures and the bio, not the last-edited date that every edit moves.
func (p *Profile) Version() string {
	if p == nil {
		return ""
	}
	sum := sha256.Sum256([]byte(p.Avatar + "\x00" + p.Header + "\x00" + p.Bio))
	return hex.EncodeToString(sum[:8])
}

// profileFresh is how long a profile is served before it is read again
// in the background; an edit of a followed page reads it at once.
const profileFresh = 15 * time.Minute

// profileKeep is how long a profile is kept at all: a stale one is served
// while the fresh one is read, so an actor document never waits on the
// wiki once its profile was read.
const profileKeep = 24 * time.Hour

// Profiles reads and keeps our actors' profiles. A cold actor costs the
// wiki look-ups of one batch; a warm one none, and a stale one is served
// while one refresh runs in the background.
type Profiles struct {
	wiki  ProfileWiki
	marks HandleStore
	opt   wiki.ProfileOptions
	log   *slog.Logger
	cache *ttlcache.Cache[Ref, *Profile]

	mu sync.Mutex
	// queue holds the batches waiting to be read, the last of them the
	// one cold look-ups join; reading says a batch is being read now;
	// inflight is the batch each cold actor is (or will be) read in.
	queue    []*batch
	reading  bool
	inflight map[Ref]*batch
}

// batch is one read of many cold profiles, shared by every request that
// asked for one of them meanwhile.
type batch struct {
	refs []Ref
	done chan struct{}
	got  map[Ref]*Profile
	err  error
}

// maxBatch is the most actors one batch reads: 50 pages are one query
// (TextExtracts makes it three), and a batch that waits longer than one
// read for its turn has gathered more than it can use.
const maxBatch = 50

// batchTimeout bounds one batch's wiki requests; the batch outlives the
// request that opened it, since others wait on it too.
const batchTimeout = 20 * time.Second

// NewProfiles returns the profile source; marks keeps the version of each
// profile its followers were last shown.
func NewProfiles(w ProfileWiki, marks HandleStore, log *slog.Logger) *Profiles {
	if log == nil {
		log = slog.Default()
	}
	return &Profiles{wiki: w, marks: marks, log: log, cache: ttlcache.New[Ref, *Profile](profileKeep, 100_000), inflight: map[Ref]*batch{}}
}

// Get returns an actor's profile, nil when the wiki has none for it.
func (p *Profiles) Get(ctx context.Context, ref Ref) (*Profile, error) {
	if pr, ok := p.cache.Get(ref); ok {
		if time.Since(pr.fetched) > profileFresh {
			// Read again with the next batch; this one is served
			// meanwhile.
			p.join(ref)
		}
		return pr, nil
	}
	b := p.join(ref)
	select {
	case <-b.done:
		return b.got[ref], b.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// join puts a cold actor in the open batch, or finds the batch it is
// already in. One batch is read at a time, at once when none is being
// read; the cold actors asked for meanwhile gather into the next one. A
// lone look-up waits for nothing, and a crawler or a burst of servers
// fetching many actors costs one read per batch, not one per actor,
// however slowly the wiki answers.
func (p *Profiles) join(ref Ref) *batch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.inflight[ref]; b != nil {
		return b
	}
	if len(p.queue) == 0 || len(p.queue[len(p.queue)-1].refs) >= maxBatch {
		p.queue = append(p.queue, &batch{done: make(chan struct{})})
		if !p.reading {
			p.reading = true
			go p.drain()
		}
	}
	b := p.queue[len(p.queue)-1]
	b.refs = append(b.refs, ref)
	p.inflight[ref] = b
	return b
}

// drain reads the batches in turn until none is waiting.
func (p *Profiles) drain() {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.reading = false
			p.mu.Unlock()
			return
		}
		b := p.queue[0]
		p.queue = p.queue[1:]
		p.mu.Unlock()
		p.read(b)
	}
}

// read reads one batch and hands its profiles to everyone waiting on it.
func (p *Profiles) read(b *batch) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	b.got, b.err = p.Load(ctx, b.refs)
	if b.err != nil {
		// The waiting documents go out without a profile, and are not
		// cached; a stale profile stays until a read succeeds.
		p.log.Warn("reading profiles", "actors", len(b.refs), "err", b.err)
	}
	p.mu.Lock()
	for _, r := range b.refs {
		delete(p.inflight, r)
	}
	p.mu.Unlock()
	close(b.done)
}

// Load reads the profiles of many actors from the wiki at once (one
// batch per kind) and keeps them.
func (p *Profiles) Load(ctx context.Context, refs []Ref) (map[Ref]*Profile, error) {
	var pages, users []int64
	out := map[Ref]*Profile{}
	now := time.Now()
	for _, r := range refs {
		switch r.Kind {
		case KindPage:
			pages = append(pages, r.ID)
		case KindUser:
			users = append(users, r.ID)
		case KindWiki:
			sp, err := p.wiki.SiteProfile(ctx, p.opt)
			if err != nil {
				return nil, err
			}
			pr := &Profile{Bio: sp.Description, fetched: now}
			p.cache.Put(r, pr)
			out[r] = pr
		}
	}
	site := p.wiki.Site()
	if len(pages) > 0 {
		got, err := p.wiki.PageProfiles(ctx, pages, p.opt)
		if err != nil {
			return nil, err
		}
		for id, pp := range got {
			pr := pageProfile(site, pp)
			pr.fetched = now
			ref := Ref{Kind: KindPage, ID: id}
			p.cache.Put(ref, pr)
			out[ref] = pr
		}
	}
	if len(users) > 0 {
		got, err := p.wiki.UserProfiles(ctx, users, p.opt)
		if err != nil {
			return nil, err
		}
		for id, up := range got {
			pr := &Profile{Bio: up.Extract, Registration: up.Registration, Edits: up.EditCount, HasEdits: true, fetched: now}
			if up.TalkPage != "" {
				pr.TalkURL = site.PageURL(up.TalkPage)
			}
			ref := Ref{Kind: KindUser, ID: id}
			p.cache.Put(ref, pr)
			out[ref] = pr
		}
	}
	return out, nil
}

// rasterTypes are the image types Mastodon and GoToSocial take as avatars
// and headers (docs/interop.md, "Avatars"): an SVG is refused.
var rasterTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

func pageProfile(site *wiki.SiteInfo, pp wiki.PageProfile) *Profile {
	pr := &Profile{Bio: pp.Extract, LastEdited: pp.LastEdited}
	if pp.TalkPage != "" {
		pr.TalkURL = site.PageURL(pp.TalkPage)
	}
	if img := pp.LeadImage; img != nil {
		if img.Avatar.URL != "" && rasterTypes[img.Avatar.Mime] {
			pr.Avatar, pr.AvatarType = img.Avatar.URL, img.Avatar.Mime
		}
		if img.Header.URL != "" && rasterTypes[img.Header.Mime] {
			pr.Header, pr.HeaderType = img.Header.URL, img.Header.Mime
		}
	}
	return pr
}

// Drop forgets an actor's profile (a rename, a move): the next Get reads it.
func (p *Profiles) Drop(ref Ref) { p.cache.Drop(ref) }

// profileMark names the version of an actor's profile its followers saw.
func profileMark(ref Ref) string { return "profile:" + ref.String() }

// Refresh reads an actor's profile again and says whether what followers
// see of it (the pictures or the bio) changed since they were last shown
// it. The first profile ever read of an actor is the baseline.
func (p *Profiles) Refresh(ctx context.Context, ref Ref) (changed bool, err error) {
	before, _ := p.cache.Get(ref)
	got, err := p.Load(ctx, []Ref{ref})
	if err != nil {
		return false, err
	}
	now := got[ref].Version()
	prev := before.Version()
	switch raw, err := p.marks.Cursor(ctx, profileMark(ref)); {
	case err == nil:
		prev = string(raw)
	case !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	if prev == now {
		return false, nil
	}
	if err := p.marks.SetCursor(ctx, profileMark(ref), []byte(now)); err != nil {
		return false, err
	}
	return prev != "", nil
}
