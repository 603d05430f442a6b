package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
)

// TestDeliveryCrash fans one post out to 1,000 inboxes (strict test peers
// on loopback, each verifying our signatures), SIGKILLs wikipub twice in
// the middle of the fan-out, and checks after the restarts that every inbox
// got it, counting the duplicates the kills caused.
func TestDeliveryCrash(t *testing.T) {
	n := 1000
	if v := os.Getenv("WIKIPUB_CRASH_INBOXES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, backend := range []string{"bolt", "redis"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			w := testenv.MediaWiki(t)
			admin := w.Login(t)
			admin.Edit(t, "Crash page", "Followed by many.", "setup")
			pages, err := admin.C.PagesByTitle(context.Background(), []string{"Crash page"})
			if err != nil {
				t.Fatal(err)
			}
			var storeArgs []string
			var open func() (store.Store, error)
			if backend == "redis" {
				url := testenv.Redis(t).URL()
				storeArgs = []string{"--redis", url}
				open = func() (store.Store, error) { return redisstore.Open(context.Background(), url) }
			} else {
				path := filepath.Join(t.TempDir(), "wikipub.db")
				storeArgs = []string{"--data", path}
				open = func() (store.Store, error) { return boltstore.Open(path) }
			}

			// n followers, each on its own server, seeded into the store.
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			peers := make([]*fedpeer.Peer, n)
			for i := range peers {
				peers[i] = fedpeer.New(t, fedpeer.WithKey(key), fedpeer.WithUsername(fmt.Sprintf("reader%d", i)))
			}
			// wikipub's port is picked after the peers' listeners exist, so
			// none of them can take it in between.
			port, err := testenv.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			actorID := fmt.Sprintf("%s/ap/page/%d", base, pages["Crash page"].ID)
			st, err := open()
			if err != nil {
				t.Fatal(err)
			}
			for i := range peers {
				if _, err := st.AddFollower(context.Background(), actorID, store.Follower{
					ID: peers[i].ActorID(), Inbox: peers[i].InboxURL(), SharedInbox: peers[i].SharedInboxURL(), Since: time.Now(),
				}); err != nil {
					t.Fatal(err)
				}
			}
			st.Close()
			time.Sleep(1100 * time.Millisecond)

			logDir := t.TempDir()
			args := append([]string{
				"--wiki", w.API, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--public-url", base,
				"--allow-private-addresses", "127.0.0.0/8", "--poll", "200ms", "--delivery-lease", "5s",
				"--retry-unit", "100ms", "--retry-base", "200ms", "--log-format", "json",
			}, storeArgs...)
			var runs []*daemon
			start := func() {
				runs = append(runs, startDaemon(t, filepath.Join(logDir, fmt.Sprintf("run%d.log", len(runs)+1)), args...))
			}
			start()
			waitLogged(t, runs[0], "watching recent changes", 20*time.Second)

			rev := admin.Edit(t, "Crash page", "Edited once, sent to all.", "the one post")
			activity := fmt.Sprintf("%s/ap/rev/%d/activity", base, rev)
			received := func() (got, total int) {
				for _, p := range peers {
					c := 0
					for _, d := range p.Received() {
						if d.ID == activity {
							c++
						}
					}
					if c > 0 {
						got++
					}
					total += c
				}
				return got, total
			}
			waitFor := func(min int, within time.Duration) {
				deadline := time.Now().Add(within)
				for {
					got, _ := received()
					if got >= min {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("only %d of %d inboxes got the post within %s; last log:\n%s", got, n, within, tail(runs[len(runs)-1].logPath))
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			waitFor(n/4, 60*time.Second)
			runs[len(runs)-1].kill()
			got1, _ := received()
			start()
			waitFor(got1+n/4, 60*time.Second)
			runs[len(runs)-1].kill()
			got2, _ := received()
			start()
			waitFor(n, 3*time.Minute)
			if err := runs[len(runs)-1].term(t); err != nil {
				t.Errorf("wikipub did not exit cleanly: %v", err)
			}
			got, total := received()
			t.Logf("%d inboxes, killed at %d and %d received; %d deliveries in all, %d duplicates from batches in flight at the kills", n, got1, got2, total, total-got)
			if got != n {
				t.Fatalf("%d of %d inboxes got the post", got, n)
			}
			// Only what was claimed and not yet acknowledged at a kill can
			// go out twice: at most a claim batch per kill.
			if dups := total - got; dups > 2*maxClaimBatch {
				t.Errorf("%d duplicates; at most %d were in flight at the two kills", dups, 2*maxClaimBatch)
			}
		})
	}
}

// maxClaimBatch bounds what one process holds claimed at a time.
const maxClaimBatch = 256
