package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/redisstore"
)

// blockCommand runs `wikipub block|unblock|blocks`: the moderation list
// kept in the store, which running replicas reload within seconds.
func blockCommand(ctx context.Context, verb string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wikipub "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", envOr(getenv, "WIKIPUB_DATA", "./wikipub.db"), "file of the embedded store")
	redisURL := fs.String("redis", getenv("WIKIPUB_REDIS"), "Redis URL (when wikipub runs with --redis)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: wikipub %s [--data FILE | --redis URL] %s\n", verb, map[string]string{
			"block": "DOMAIN|ACTOR-ID", "unblock": "DOMAIN|ACTOR-ID", "blocks": ""}[verb])
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if (verb == "blocks") != (fs.NArg() == 0) || fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	var st store.Store
	var err error
	if *redisURL != "" {
		st, err = redisstore.Open(ctx, *redisURL)
	} else {
		st, err = boltstore.Open(*data)
		if errors.Is(err, store.ErrLocked) {
			err = fmt.Errorf("%w\n(the embedded store is open in a running wikipub; stop it first, or run wikipub with --redis so that both can use the store)", err)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "wikipub %s: %v\n", verb, err)
		return 1
	}
	defer st.Close()
	list := remote.NewBlockList(st, nil)
	switch verb {
	case "block":
		err = list.Add(ctx, fs.Arg(0))
	case "unblock":
		err = list.Remove(ctx, fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(stderr, "wikipub %s: %v\n", verb, err)
		return 1
	}
	entries, err := list.Stored(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "wikipub %s: %v\n", verb, err)
		return 1
	}
	if len(entries) == 0 {
		fmt.Fprintln(stdout, "no blocks in the store (blocks given with --block are not listed here)")
		return 0
	}
	fmt.Fprintln(stdout, strings.Join(entries, "\n"))
	return 0
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
