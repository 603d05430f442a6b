package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `wikipub puts a MediaWiki on the Fediverse.

Usage:
  wikipub serve [options]          run the service (see wikipub serve --help)
  wikipub block DOMAIN|ACTOR-ID    block a server or an actor: its follows are
                                   rejected, deliveries to it stop, its replies
                                   never reach the wiki
  wikipub unblock DOMAIN|ACTOR-ID  lift a block
  wikipub blocks                   list the blocks kept in the store
  wikipub doctor [options]         check a deployment: the wiki, the bot
                                   password, the clock, the store, and the
                                   public URL through the proxy (serve's options)
  wikipub stats                    followers, follows and the delivery queue
  wikipub followers HANDLE         list the followers of one actor
                                   (needs --public-url; --wiki looks up
                                   handles the store does not know)
  wikipub version                  print the version
  wikipub help                     show this text

block, unblock, blocks, stats and followers take --data FILE or --redis URL
(or WIKIPUB_DATA, WIKIPUB_REDIS) like serve.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// For the process's life (its stop is for tests).
	_ = tuneGC(os.Getenv)
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process around it, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		cfg, err := parseServe(args[1:], getenv, stderr)
		if err == errHelp {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "wikipub serve: %v\n", err)
			return 2
		}
		if err := serve(ctx, cfg, stdout); err != nil {
			fmt.Fprintf(stderr, "wikipub serve: %v\n", err)
			return 1
		}
		return 0
	case "block", "unblock", "blocks":
		return blockCommand(ctx, args[0], args[1:], getenv, stdout, stderr)
	case "doctor":
		return doctorCommand(ctx, args[1:], getenv, stdout, stderr)
	case "stats":
		return statsCommand(ctx, args[1:], getenv, stdout, stderr)
	case "followers":
		return followersCommand(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "wikipub %s\n", version)
		return 0
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "wikipub: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
