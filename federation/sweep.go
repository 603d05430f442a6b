package federation

import (
	"context"
	"log/slog"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// SweepConfig tunes the re-check of published revisions.
type SweepConfig struct {
	// Window is how far back posts are re-checked; default 30 days.
	Window time.Duration
	// Every is the pause between sweeps; default 5 minutes.
	Every  time.Duration
	Logger *slog.Logger
}

// Sweeper re-reads the revisions we published within the window and
// withdraws the posts whose user, summary or text the wiki now hides.
// Suppression (oversight) never shows in recent changes, so this is the only
// way an unprivileged watcher learns of it.
type Sweeper struct {
	s   *Server
	cfg SweepConfig
	log *slog.Logger
}

// NewSweeper returns a sweeper over the server's posts.
func (s *Server) NewSweeper(cfg SweepConfig) *Sweeper {
	if cfg.Window <= 0 {
		cfg.Window = 30 * 24 * time.Hour
	}
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = s.log
	}
	return &Sweeper{s: s, cfg: cfg, log: cfg.Logger}
}

// Run sweeps until ctx ends.
func (sw *Sweeper) Run(ctx context.Context) {
	for {
		if _, err := sw.Sweep(ctx); err != nil && ctx.Err() == nil {
			sw.log.ErrorContext(ctx, "re-checking published revisions failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(sw.cfg.Every):
		}
	}
}

func revisionBits(r *wiki.Revision) wiki.Visibility {
	return hiddenBits(&wiki.Change{ContentHidden: r.ContentHidden, CommentHidden: r.CommentHidden, UserHidden: r.UserHidden, Suppressed: r.Suppressed})
}

// SweepStats says what one sweep did and cost.
type SweepStats struct {
	Checked, Withdrawn, APICalls int
}

// Sweep checks every published revision post in the window once, in
// batches of 50 revisions per API call.
func (sw *Sweeper) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	since := time.Now().Add(-sw.cfg.Window)
	after := ""
	for {
		posts, err := sw.s.store.PublishedSince(ctx, since, after, 50)
		if err != nil {
			return st, err
		}
		if len(posts) == 0 {
			break
		}
		after = posts[len(posts)-1].ObjectID
		var ids []int64
		byRev := map[int64]store.Published{}
		for _, p := range posts {
			if p.RevID != 0 && !p.Withdrawn {
				ids = append(ids, p.RevID)
				byRev[p.RevID] = p
			}
		}
		if len(ids) == 0 {
			continue
		}
		revs, err := sw.s.wiki.Revisions(ctx, ids)
		st.APICalls++
		if err != nil {
			return st, err
		}
		for _, id := range ids {
			st.Checked++
			rev, ok := revs[id]
			// A revision that is gone belongs to a deleted page, whose
			// deletion withdraws its posts; here only what is hidden since
			// the post was made counts.
			if !ok || revisionBits(&rev)&^wiki.Visibility(byRev[id].Hidden) == 0 {
				continue
			}
			if err := sw.s.pub.withdraw(ctx, byRev[id]); err != nil {
				return st, err
			}
			st.Withdrawn++
		}
	}
	if st.Withdrawn > 0 || st.Checked > 0 {
		sw.log.InfoContext(ctx, "re-checked published revisions", "checked", st.Checked, "withdrawn", st.Withdrawn, "api_calls", st.APICalls)
	}
	return st, nil
}
