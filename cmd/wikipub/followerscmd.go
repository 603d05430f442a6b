package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

const followersUsage = `Usage: wikipub followers HANDLE|ACTOR-ID [--public-url URL] [--data FILE | --redis URL] [--wiki URL]

Lists the followers (id, inbox, since when) of the actor a handle names:
albert_einstein, @albert_einstein@wiki.example, user.jimbo_wales, page.12,
or an actor id such as https://wiki.example/ap/page/12.

A handle is looked up in the store's handle index, which holds every handle
an actor was given when it was fetched or followed; --wiki looks up a handle
that is not there (and follows a redirect to its target). --public-url, the
one wikipub serve runs with, turns what the handle names into the actor id.

`

// followersCommand runs `wikipub followers`.
func followersCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("wikipub followers", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data, redisURL := storeFlags(fset, getenv)
	publicURL := fset.String("public-url", getenv("WIKIPUB_PUBLIC_URL"), "the base URL wikipub serve runs with, e.g. https://wiki.example (WIKIPUB_PUBLIC_URL)")
	wikiAPI := fset.String("wiki", getenv("WIKIPUB_WIKI"), "the wiki's api.php, to look up a handle the store does not know (WIKIPUB_WIKI)")
	fset.Usage = func() {
		fmt.Fprint(stderr, followersUsage)
		fset.PrintDefaults()
	}
	// Flags may come before or after the handle.
	var rest []string
	for {
		if err := fset.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fset.NArg() == 0 {
			break
		}
		rest = append(rest, fset.Arg(0))
		args = fset.Args()[1:]
	}
	if len(rest) != 1 {
		fset.Usage()
		return 2
	}
	base := strings.TrimSuffix(*publicURL, "/")
	if base != "" {
		if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			fmt.Fprintf(stderr, "wikipub followers: --public-url %q must be a base URL like https://wiki.example, without a path\n", *publicURL)
			return 2
		}
	}

	st, err := openAdminStore(ctx, *data, *redisURL)
	if err != nil {
		fmt.Fprintf(stderr, "wikipub followers: %v\n", err)
		return 1
	}
	defer st.Close()

	var wc *wiki.Client
	connect := func() (*wiki.Client, error) {
		if wc != nil || *wikiAPI == "" {
			return wc, nil
		}
		c, err := wiki.New(ctx, wiki.Config{
			API: *wikiAPI, UserAgent: fmt.Sprintf("wikipub/%s (followers)", version),
			Retries: 1, Timeout: 20 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			return nil, err
		}
		wc = c
		return wc, nil
	}

	actorID, label, err := resolveFollowersTarget(ctx, st, base, rest[0], connect)
	if err != nil {
		fmt.Fprintf(stderr, "wikipub followers: %v\n", err)
		return 1
	}
	if err := printFollowers(ctx, st, stdout, actorID, label); err != nil {
		fmt.Fprintf(stderr, "wikipub followers: %v\n", err)
		return 1
	}
	return 0
}

// resolveFollowersTarget turns what the admin typed into one of our actor
// ids, and says how it was found. connect returns nil when no wiki is
// configured.
func resolveFollowersTarget(ctx context.Context, st store.Store, base, arg string, connect func() (*wiki.Client, error)) (actorID, label string, err error) {
	arg = strings.TrimSpace(arg)
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		if !strings.Contains(arg, "/ap/") {
			return "", "", fmt.Errorf("%q is not an actor id of ours (those look like https://wiki.example/ap/page/12); give a handle instead", arg)
		}
		return strings.TrimSuffix(arg, "/"), "", nil
	}
	if base == "" {
		return "", "", errors.New("--public-url is needed to name the actor: give the --public-url (or WIKIPUB_PUBLIC_URL) that wikipub serve runs with, or the actor id itself")
	}
	iris := actors.IRIs{Base: base}

	// "page/12" or "user/3": an actor path as the handle index stores it.
	if ref, ok := iris.ParseActor(base + "/ap/" + arg); ok {
		return iris.Actor(ref), "", nil
	}

	h := arg
	h = strings.TrimPrefix(h, "acct:")
	h = strings.TrimPrefix(h, "@")
	var host string
	if i := strings.LastIndex(h, "@"); i >= 0 {
		h, host = h[:i], h[i+1:]
	}
	h = handle.Canonical(h)
	if u, _ := url.Parse(base); host != "" && u != nil && !strings.EqualFold(host, u.Host) {
		return "", "", fmt.Errorf("@%s@%s is not on this wiki: --public-url %s gives handles @…@%s", h, host, base, u.Host)
	}
	label = "@" + h
	if u, _ := url.Parse(base); u != nil {
		label += "@" + u.Host
	}

	var ref actors.Ref
	owner, err := st.HandleOwner(ctx, h)
	switch {
	case err == nil:
		r, ok := iris.ParseActor(base + "/ap/" + owner)
		if !ok {
			return "", "", fmt.Errorf("the handle index gives %s a malformed owner %q", h, owner)
		}
		ref = r
	case !errors.Is(err, store.ErrNotFound):
		return "", "", fmt.Errorf("looking up handle %s: %w", h, err)
	default:
		r, how, err := handleNotIndexed(ctx, h, connect)
		if err != nil {
			return "", "", err
		}
		ref, label = r, label+" ("+how+")"
	}

	// Follows of a redirect are kept by its target, which is what a
	// Follow of the redirect's handle resolves to.
	if ref.Kind == actors.KindPage {
		c, err := connect()
		if err != nil {
			return "", "", err
		}
		if c != nil {
			p, err := c.PageByID(ctx, ref.ID)
			if err == nil && p.Redirect {
				pages, err := c.PagesByTitle(ctx, []string{p.Title})
				if err != nil {
					return "", "", err
				}
				if t, ok := pages[p.Title]; ok && t.ID != ref.ID {
					label += fmt.Sprintf(" (%s redirects to %s)", p.Title, t.Title)
					ref = actors.Ref{Kind: actors.KindPage, ID: t.ID}
				}
			} else if err != nil && !errors.Is(err, wiki.ErrNotFound) {
				return "", "", err
			}
		}
	}
	return iris.Actor(ref), label, nil
}

// handleNotIndexed resolves a handle no actor has claimed yet: a fallback
// (page.12, user.3) names its id; a natural handle needs the wiki.
func handleNotIndexed(ctx context.Context, h string, connect func() (*wiki.Client, error)) (actors.Ref, string, error) {
	if kind, id, ok := strings.Cut(h, "."); ok && (kind == "page" || kind == "user") {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == id {
			return actors.Ref{Kind: actors.Kind(kind), ID: n}, "fallback handle", nil
		}
	}
	c, err := connect()
	if err != nil {
		return actors.Ref{}, "", err
	}
	if c == nil {
		return actors.Ref{}, "", fmt.Errorf("handle %s is not in the store's handle index: no actor has had it yet, so nobody follows it under that name (give --wiki to look the handle up on the wiki)", h)
	}
	site := c.Site()
	hr := handle.Parse(site, h)
	switch hr.Kind {
	case handle.PageID:
		return actors.Ref{Kind: actors.KindPage, ID: hr.ID}, "fallback handle", nil
	case handle.UserID:
		return actors.Ref{Kind: actors.KindUser, ID: hr.ID}, "fallback handle", nil
	case handle.Page:
		cands := handle.Candidates(site, h)
		pages, err := c.PagesByTitle(ctx, cands)
		if err != nil {
			return actors.Ref{}, "", err
		}
		for _, t := range cands {
			if p, ok := pages[t]; ok && handle.ForPage(site, t) == h {
				return actors.Ref{Kind: actors.KindPage, ID: p.ID}, "looked up on the wiki: " + p.Title, nil
			}
		}
	case handle.User:
		var names []string
		for _, t := range handle.Candidates(site, h) {
			_, name := site.SplitTitle(t)
			names = append(names, name)
		}
		users, err := c.UsersByName(ctx, names)
		if err != nil {
			return actors.Ref{}, "", err
		}
		for _, n := range names {
			if u, ok := users[n]; ok && handle.ForUser(u.Name) == h {
				return actors.Ref{Kind: actors.KindUser, ID: u.ID}, "looked up on the wiki: User:" + u.Name, nil
			}
		}
	default:
		return actors.Ref{}, "", fmt.Errorf("%q is not a handle this wiki gives out", h)
	}
	return actors.Ref{}, "", fmt.Errorf("no page or editor of the wiki has the handle %s", h)
}

// printFollowers lists every follower of actorID, in follower-id order.
func printFollowers(ctx context.Context, st store.Store, out io.Writer, actorID, label string) error {
	n, err := st.CountFollowers(ctx, actorID)
	if err != nil {
		return fmt.Errorf("counting followers of %s: %w", actorID, err)
	}
	head := actorID
	if label != "" {
		head += " " + label
	}
	if n == 0 {
		fmt.Fprintf(out, "%s has no followers\n", head)
		return nil
	}
	fmt.Fprintf(out, "%s has %d follower%s\n\n", head, n, map[bool]string{true: "", false: "s"}[n == 1])
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FOLLOWER\tINBOX\tSINCE")
	after := ""
	for {
		fs, err := st.Followers(ctx, actorID, after, statsPage)
		if err != nil {
			return fmt.Errorf("listing followers of %s: %w", actorID, err)
		}
		if len(fs) == 0 {
			break
		}
		for _, f := range fs {
			since := "-"
			if !f.Since.IsZero() {
				since = f.Since.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.ID, f.Inbox, since)
		}
		after = fs[len(fs)-1].ID
	}
	return tw.Flush()
}
