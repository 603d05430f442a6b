package publish

import (
	"context"
	"log/slog"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// SweepWiki is what the sweep reads of the wiki, in batches; *wiki.Client
// has it. Each answer is what the wiki shows a reader without special
// rights: what it hides is flagged or absent, whatever the bot may see.
type SweepWiki interface {
	Revisions(ctx context.Context, ids []int64) (map[int64]wiki.Revision, error)
	LogVisibility(ctx context.Context, entries map[int64]time.Time) (map[int64]wiki.Visibility, error)
	PagesByID(ctx context.Context, ids []int64) (map[int64]wiki.Page, error)
	UsersByID(ctx context.Context, ids []int64) (map[int64]wiki.User, error)
}

// SweepConfig tunes the re-check of what was published.
type SweepConfig struct {
	// Window is how far back posts are re-checked; default 30 days.
	// Actors with followers are re-checked whatever their age.
	Window time.Duration
	// Every is the pause between sweeps; default 5 minutes.
	Every time.Duration
	// Wiki is read in batches; default the publisher's wiki, when it can.
	Wiki   SweepWiki
	Logger *slog.Logger
}

// Sweeper re-checks everything we published — posts about revisions, log
// entries and category changes, and the actors of pages and editors —
// against what the wiki shows the public now, and withdraws what it hides
// since: a Delete to every server the post or actor went to, and our
// endpoints stop serving it. Suppression (oversight) never shows in recent
// changes: a page deleted with suppression, a log entry or an account
// hidden from admins too; this is how a watcher learns of them.
type Sweeper struct {
	p   *Publisher
	cfg SweepConfig
	log *slog.Logger
}

// NewSweeper returns a sweeper over p's posts and actors; it withdraws
// through p.
func NewSweeper(p *Publisher, cfg SweepConfig) *Sweeper {
	if cfg.Window <= 0 {
		cfg.Window = 30 * 24 * time.Hour
	}
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = p.log
	}
	if cfg.Wiki == nil {
		cfg.Wiki, _ = p.wiki.(SweepWiki)
	}
	return &Sweeper{p: p, cfg: cfg, log: cfg.Logger}
}

// Run sweeps until ctx ends.
func (sw *Sweeper) Run(ctx context.Context) {
	for {
		if _, err := sw.Sweep(ctx); err != nil && ctx.Err() == nil {
			sw.log.ErrorContext(ctx, "re-checking what was published failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(sw.cfg.Every):
		}
	}
}

func revisionBits(r *wiki.Revision) wiki.Visibility {
	return HiddenBits(&wiki.Change{ContentHidden: r.ContentHidden, CommentHidden: r.CommentHidden, UserHidden: r.UserHidden, Suppressed: r.Suppressed})
}

// SweepStats says what one sweep did and cost.
type SweepStats struct {
	// Checked posts and actors; Withdrawn posts; ActorsWithdrawn pages and
	// editors the wiki now hides.
	Checked, Withdrawn, ActorsWithdrawn, APICalls int
}

// sweepBatch is how many posts are read from the store at a time; the wiki
// is asked about at most 50 revisions, pages or users a call.
const sweepBatch = 50

// sweepGrace is how old a post must be before a revision or log entry the
// wiki does not return withdraws it: a replicated wiki's replica can lag a
// few seconds (wikipub asks with maxlag=5) behind the change that was just
// posted. What the wiki returns with more hidden is withdrawn at any age.
const sweepGrace = time.Minute

// Sweep checks every post published within the window, then every page
// and editor that has followers or a post in the window, once.
func (sw *Sweeper) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	if sw.cfg.Wiki == nil {
		return st, nil
	}
	pages, users := map[int64]bool{}, map[int64]bool{}
	since := time.Now().Add(-sw.cfg.Window)
	after := ""
	for {
		posts, err := sw.p.store.PublishedSince(ctx, since, after, sweepBatch)
		if err != nil {
			return st, err
		}
		if len(posts) == 0 {
			break
		}
		after = posts[len(posts)-1].ObjectID
		for _, p := range posts {
			if p.PageID != 0 {
				pages[p.PageID] = true
			}
			if p.UserID != 0 {
				users[p.UserID] = true
			}
		}
		if err := sw.posts(ctx, posts, &st); err != nil {
			return st, err
		}
	}
	if err := sw.followedActors(ctx, pages, users); err != nil {
		return st, err
	}
	if err := sw.pages(ctx, pages, &st); err != nil {
		return st, err
	}
	if err := sw.users(ctx, users, &st); err != nil {
		return st, err
	}
	if st.Withdrawn > 0 || st.ActorsWithdrawn > 0 || st.Checked > 0 {
		sw.log.InfoContext(ctx, "re-checked what was published", "checked", st.Checked, "withdrawn", st.Withdrawn,
			"actors_withdrawn", st.ActorsWithdrawn, "api_calls", st.APICalls)
	}
	return st, nil
}

// posts checks one batch of posts: revision and category posts by their
// revision, log posts by their log entry. A post goes when what it is
// about is gone from the public's sight (a deleted page's revision, a log
// entry no longer listed) or hides more than when it was made.
func (sw *Sweeper) posts(ctx context.Context, posts []store.Published, st *SweepStats) error {
	var revIDs []int64
	byRev := map[int64][]store.Published{}
	logs := map[int64]time.Time{}
	byLog := map[int64]store.Published{}
	for _, p := range posts {
		if p.Withdrawn {
			continue
		}
		if n, ok := sw.p.iris.LogEntryOf(p.ObjectID); ok {
			logs[n] = p.At
			byLog[n] = p
			continue
		}
		if p.RevID != 0 {
			if _, ok := byRev[p.RevID]; !ok {
				revIDs = append(revIDs, p.RevID)
			}
			byRev[p.RevID] = append(byRev[p.RevID], p)
		}
	}
	if len(revIDs) > 0 {
		revs, err := sw.cfg.Wiki.Revisions(ctx, revIDs)
		st.APICalls++
		if err != nil {
			return err
		}
		for _, id := range revIDs {
			rev, ok := revs[id]
			for _, p := range byRev[id] {
				st.Checked++
				if ok && revisionBits(&rev)&^wiki.Visibility(p.Hidden) == 0 || !ok && time.Since(p.At) < sweepGrace {
					continue
				}
				if err := sw.p.withdraw(ctx, p); err != nil {
					return err
				}
				st.Withdrawn++
			}
		}
	}
	if len(logs) > 0 {
		vis, err := sw.cfg.Wiki.LogVisibility(ctx, logs)
		st.APICalls += distinctSeconds(logs)
		if err != nil {
			return err
		}
		for id, p := range byLog {
			st.Checked++
			if v, ok := vis[id]; ok && v&^wiki.Visibility(p.Hidden) == 0 || !ok && time.Since(p.At) < sweepGrace {
				continue
			}
			if err := sw.p.withdraw(ctx, p); err != nil {
				return err
			}
			st.Withdrawn++
		}
	}
	return nil
}

func distinctSeconds(m map[int64]time.Time) int {
	seen := map[int64]bool{}
	for _, t := range m {
		seen[t.Unix()] = true
	}
	return len(seen)
}

// followedActors adds every page and editor that has a follower.
func (sw *Sweeper) followedActors(ctx context.Context, pages, users map[int64]bool) error {
	after := ""
	for {
		ids, err := sw.p.store.FollowedActors(ctx, after, 1000)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		after = ids[len(ids)-1]
		for _, id := range ids {
			ref, ok := sw.p.iris.ParseActor(id)
			switch {
			case !ok:
			case ref.Kind == actors.KindPage:
				pages[ref.ID] = true
			case ref.Kind == actors.KindUser:
				users[ref.ID] = true
			}
		}
	}
}

// pages checks pages in batches: one the wiki no longer has whose deletion
// it does not show the public (suppressed, or its log entry hidden since)
// is withdrawn with every post of it; one that is back (restored) is
// served again.
func (sw *Sweeper) pages(ctx context.Context, ids map[int64]bool, st *SweepStats) error {
	return inBatches(ids, func(batch []int64) error {
		found, err := sw.cfg.Wiki.PagesByID(ctx, batch)
		st.APICalls++
		if err != nil {
			return err
		}
		for _, id := range batch {
			st.Checked++
			ref := actors.Ref{Kind: actors.KindPage, ID: id}
			if _, ok := found[id]; ok {
				if err := sw.p.resolver.SetHidden(ctx, ref, false); err != nil {
					return err
				}
				continue
			}
			hidden, calls, err := sw.p.pageHidden(ctx, id)
			st.APICalls += calls
			if err != nil {
				return err
			}
			if !hidden {
				continue
			}
			n, err := sw.p.withdrawPage(ctx, id)
			if err != nil {
				return err
			}
			st.Withdrawn += n
			st.ActorsWithdrawn++
		}
		return nil
	})
}

// users checks editors in batches: an account the wiki no longer shows
// (hidden by a block, which also hides its name in every revision and log
// entry) is withdrawn from its followers' servers. Its posts go with the
// revisions and log entries that now hide its name.
func (sw *Sweeper) users(ctx context.Context, ids map[int64]bool, st *SweepStats) error {
	return inBatches(ids, func(batch []int64) error {
		found, err := sw.cfg.Wiki.UsersByID(ctx, batch)
		st.APICalls++
		if err != nil {
			return err
		}
		for _, id := range batch {
			st.Checked++
			if _, ok := found[id]; ok {
				continue
			}
			withdrew, err := sw.p.withdrawActor(ctx, actors.Ref{Kind: actors.KindUser, ID: id})
			if err != nil {
				return err
			}
			if withdrew {
				st.ActorsWithdrawn++
			}
		}
		return nil
	})
}

// inBatches calls fn with the ids, sweepBatch at a time.
func inBatches(ids map[int64]bool, fn func([]int64) error) error {
	batch := make([]int64, 0, sweepBatch)
	for id := range ids {
		batch = append(batch, id)
		if len(batch) == sweepBatch {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}
