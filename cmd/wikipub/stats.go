package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/redisstore"
)

// The store methods below are what `wikipub stats` needs beyond
// store.Store: read-only listings, in the paging style of Followers and
// PublishedSince. store.Store has neither yet; a backend that adds them
// with these signatures lights the missing figures up, and until then stats
// says what it cannot count instead of guessing.

// followedActorLister lists our actors that have at least one follower.
type followedActorLister interface {
	// FollowedActors pages through the ids of our actors with at least one
	// follower, in id order, starting after the actor id `after` ("" for
	// the first page); an empty page means there are no more.
	FollowedActors(ctx context.Context, after string, limit int) ([]string, error)
}

// queueLister reads the delivery queue without claiming anything (Claim
// hides what it hands out from the workers, so stats must not use it).
type queueLister interface {
	// QueuedDeliveries pages through the queue in delivery-id order, due or
	// not and claimed or not, starting after the delivery id `after` (""
	// for the first page); an empty page means there are no more.
	QueuedDeliveries(ctx context.Context, after string, limit int) ([]store.Delivery, error)
}

const statsPage = 500

// statsCommand runs `wikipub stats`.
func statsCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("wikipub stats", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data, redisURL := storeFlags(fset, getenv)
	fset.Usage = func() {
		fmt.Fprintf(stderr, "Usage: wikipub stats [--data FILE | --redis URL]\n\nFollowers, follows and the delivery queue, from the store.\n\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fset.NArg() > 0 {
		fset.Usage()
		return 2
	}
	st, err := openAdminStore(ctx, *data, *redisURL)
	if err != nil {
		fmt.Fprintf(stderr, "wikipub stats: %v\n", err)
		return 1
	}
	defer st.Close()
	if err := printStats(ctx, st, stdout, time.Now()); err != nil {
		fmt.Fprintf(stderr, "wikipub stats: %v\n", err)
		return 1
	}
	return 0
}

// hostStats is the queue of one inbox host.
type hostStats struct {
	host        string
	queued      int
	failing     int // tried at least once, or with an error recorded
	maxAttempts int
	oldest      time.Time // Created of its oldest failing delivery
	nextTry     time.Time // earliest NextAttempt of its failing deliveries
	lastError   string    // of its most-tried delivery that has one
	errAttempts int       // that delivery's attempts
}

// printStats writes what the store can tell; every figure is counted from
// the store, and a figure it cannot count is named as such.
func printStats(ctx context.Context, st store.Store, out io.Writer, now time.Time) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)

	n, err := st.QueueLen(ctx)
	if err != nil {
		return fmt.Errorf("queue depth: %w", err)
	}
	fmt.Fprintf(tw, "queue depth:\t%d deliveries\n", n)

	if l, ok := st.(followedActorLister); ok {
		actors, follows, err := countFollows(ctx, st, l)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "actors with followers:\t%d\n", actors)
		fmt.Fprintf(tw, "follows in total:\t%d\n", follows)
	} else {
		fmt.Fprintf(tw, "actors with followers:\tnot available: this store cannot list actors (it needs FollowedActors)\n")
		fmt.Fprintf(tw, "follows in total:\tnot available: this store cannot list actors (it needs FollowedActors)\n")
	}

	var hosts []*hostStats
	l, canList := st.(queueLister)
	if canList {
		if hosts, err = queueByHost(ctx, l); err != nil {
			return err
		}
		failing := 0
		for _, h := range hosts {
			if h.failing > 0 {
				failing++
			}
		}
		fmt.Fprintf(tw, "failing hosts:\t%d (inbox hosts with deliveries that failed at least once)\n", failing)
	} else {
		fmt.Fprintf(tw, "failing hosts:\tnot available: this store cannot list the queue without claiming it (it needs QueuedDeliveries); a running wikipub shows the hosts it holds back in wikipub_delivery_breaker_state on /metrics\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !canList {
		return nil
	}
	var failing []*hostStats
	for _, h := range hosts {
		if h.failing > 0 {
			failing = append(failing, h)
		}
	}
	if len(failing) == 0 {
		return nil
	}
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tQUEUED\tFAILING\tMOST TRIES\tFAILING SINCE\tNEXT TRY\tLAST ERROR")
	for _, h := range failing {
		next := "now"
		if h.nextTry.After(now) {
			next = "in " + h.nextTry.Sub(now).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\n", h.host, h.queued, h.failing, h.maxAttempts,
			h.oldest.UTC().Format(time.RFC3339), next, oneLine(h.lastError, 100))
	}
	return tw.Flush()
}

// countFollows pages through the followed actors and counts their followers.
func countFollows(ctx context.Context, st store.Store, l followedActorLister) (actors, follows int, err error) {
	after := ""
	for {
		ids, err := l.FollowedActors(ctx, after, statsPage)
		if err != nil {
			return 0, 0, fmt.Errorf("listing followed actors: %w", err)
		}
		if len(ids) == 0 {
			return actors, follows, nil
		}
		for _, id := range ids {
			c, err := st.CountFollowers(ctx, id)
			if err != nil {
				return 0, 0, fmt.Errorf("counting the followers of %s: %w", id, err)
			}
			if c > 0 {
				actors++
				follows += c
			}
		}
		after = ids[len(ids)-1]
	}
}

// queueByHost groups the queue by inbox host, most failing first.
func queueByHost(ctx context.Context, l queueLister) ([]*hostStats, error) {
	by := map[string]*hostStats{}
	after := ""
	for {
		ds, err := l.QueuedDeliveries(ctx, after, statsPage)
		if err != nil {
			return nil, fmt.Errorf("listing the queue: %w", err)
		}
		if len(ds) == 0 {
			break
		}
		for _, d := range ds {
			host := inboxHost(d.Inbox)
			h := by[host]
			if h == nil {
				h = &hostStats{host: host}
				by[host] = h
			}
			h.queued++
			if d.Attempts == 0 && d.LastError == "" {
				continue
			}
			h.failing++
			if h.oldest.IsZero() || d.Created.Before(h.oldest) {
				h.oldest = d.Created
			}
			if h.nextTry.IsZero() || d.NextAttempt.Before(h.nextTry) {
				h.nextTry = d.NextAttempt
			}
			h.maxAttempts = max(h.maxAttempts, d.Attempts)
			if d.LastError != "" && (h.lastError == "" || d.Attempts > h.errAttempts) {
				h.lastError, h.errAttempts = d.LastError, d.Attempts
			}
		}
		after = ds[len(ds)-1].ID
	}
	out := make([]*hostStats, 0, len(by))
	for _, h := range by {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].failing != out[j].failing {
			return out[i].failing > out[j].failing
		}
		return out[i].host < out[j].host
	})
	return out, nil
}

func inboxHost(inbox string) string {
	u, err := url.Parse(inbox)
	if err != nil || u.Host == "" {
		return inbox
	}
	return u.Host
}

// oneLine shortens an error for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// storeFlags declares --data and --redis as serve has them, defaulting to
// WIKIPUB_DATA and WIKIPUB_REDIS.
func storeFlags(fset *flag.FlagSet, getenv func(string) string) (data, redisURL *string) {
	data = fset.String("data", envOr(getenv, "WIKIPUB_DATA", "./wikipub.db"), "file of the embedded store (WIKIPUB_DATA)")
	redisURL = fset.String("redis", getenv("WIKIPUB_REDIS"), "Redis URL, when wikipub runs with --redis (WIKIPUB_REDIS)")
	return data, redisURL
}

// openAdminStore opens the store for an admin command. It never creates
// an embedded store file: a missing one means --data names the wrong file
// (or wikipub never ran), which is worth saying rather than answering
// "nothing" from a new, empty file.
func openAdminStore(ctx context.Context, data, redisURL string) (store.Store, error) {
	if redisURL != "" {
		return redisstore.Open(ctx, redisURL)
	}
	if _, err := os.Stat(data); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no store file at %s: give the --data (or --redis) that wikipub serve runs with; serve creates the file on its first start", data)
	}
	st, err := boltstore.Open(data)
	if errors.Is(err, store.ErrLocked) {
		err = fmt.Errorf("%w\n(the embedded store is open in a running wikipub, and one process at a time can open it: stop wikipub first, or run it with --redis so that both can use the store)", err)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}
