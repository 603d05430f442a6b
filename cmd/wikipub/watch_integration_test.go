package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestWatcherSurvivesKills makes over 200 changes of every kind on a real
// MediaWiki while `wikipub serve` watches, SIGKILLs it twice in the middle
// (changes keep coming while it is down) and checks that what it reported,
// deduplicated, is exactly what the wiki's own recent changes hold — and
// that a repeat only ever comes from the batch in flight at a kill.
func TestWatcherSurvivesKills(t *testing.T) {
	for _, backend := range []string{"bolt", "redis"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var storeArgs []string
			if backend == "redis" {
				storeArgs = []string{"--redis", testenv.Redis(t).URL()}
			} else {
				storeArgs = []string{"--data", filepath.Join(t.TempDir(), "wikipub.db")}
			}
			runKillScenario(t, storeArgs)
		})
	}
}

const secretUser = "Hidden Person Qx"
const secretSummary = "secret summary zq81"

func runKillScenario(t *testing.T, storeArgs []string) {
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	anon := w.Anonymous(t)
	editor := w.NewEditor(t, "Editor Two")
	secret := w.NewEditor(t, secretUser)
	admin.Edit(t, "Category:Watched", "A category.", "category page")
	time.Sleep(1100 * time.Millisecond) // the watcher's floor is a later second

	logDir := t.TempDir()
	args := append([]string{
		"--wiki", w.API, "--bot-user", w.BotUser, "--bot-password", w.BotPass,
		"--listen", "127.0.0.1:0", "--poll", "200ms", "--include-bots",
		"--rc-late-sweep", "1s", "--log-format", "json", "--log-level", "debug",
	}, storeArgs...)
	var runs []*daemon
	start := func() {
		runs = append(runs, startDaemon(t, filepath.Join(logDir, fmt.Sprintf("run%d.log", len(runs)+1)), args...))
	}
	start()

	var secretRev int64
	deleted := map[string]bool{}
	created := []string{}
	for i := 0; i < 100; i++ {
		title := fmt.Sprintf("Article %d", i)
		text := fmt.Sprintf("Text of article %d.", i)
		if i%4 == 0 {
			text += " [[Category:Watched]]"
		}
		admin.Edit(t, title, text, fmt.Sprintf("create %d", i))
		created = append(created, title)
		if i > 0 {
			prev := created[len(created)-2]
			if !deleted[prev] {
				editor.Edit(t, prev, fmt.Sprintf("Edited by editor two at %d.", i), "copyedit", "minor")
				anon.Edit(t, prev, fmt.Sprintf("IP edit at %d.", i), "")
			}
		}
		if i%10 == 5 {
			admin.Edit(t, title, text+" Bot touch.", "bot touch", "bot")
		}
		switch i {
		case 5, 28, 55, 75, 90:
			admin.CreateAccount(t, fmt.Sprintf("Newcomer %d", i), "newcomer-pass-"+fmt.Sprint(i*7919))
		case 10, 50:
			admin.Move(t, title, fmt.Sprintf("Moved article %d", i), "better name", false)
			created[len(created)-1] = fmt.Sprintf("Moved article %d", i)
		case 25:
			admin.Move(t, title, fmt.Sprintf("Moved article %d", i), "no redirect", true)
			created[len(created)-1] = fmt.Sprintf("Moved article %d", i)
		case 12, 45:
			admin.Protect(t, fmt.Sprintf("Article %d", (i%2)*4), "vandalism") // pages no one edits again
		case 15, 40, 60:
			admin.Delete(t, title, "test deletion")
			deleted[title] = true
		case 22:
			admin.Block(t, "Editor Two", "cool down")
			admin.Unblock(t, "Editor Two", "ok")
		case 18, 78:
			admin.Upload(t, fmt.Sprintf("Picture %d.svg", i), "an upload")
		case 33:
			// Revision deletion of someone else's edit, visible in RC.
			rev := editor.Edit(t, "Article 1", "Hidden-summary edit.", "rude summary")
			admin.HideRevisions(t, []int64{rev}, "comment", false, "rude")
		case 30, 65:
			restored := map[int]string{30: "Article 15", 65: "Article 60"}[i]
			admin.Undelete(t, restored, "restored")
			delete(deleted, restored)
		}
		if i%20 == 19 {
			w.RunJobs(t)
		}
		switch i {
		case 30, 70:
			runs[len(runs)-1].kill()
			if i == 30 {
				// Made and hidden while wikipub is down: the name and the
				// summary must never reach it.
				secretRev = secret.Edit(t, "Article 2", "Edit by a user who will be hidden.", secretSummary)
				admin.HideRevisions(t, []int64{secretRev}, "user,comment", false, "privacy")
			}
		case 35, 76:
			start()
		}
	}
	w.RunJobs(t)

	oracle := admin.AllRecentChanges(t)
	floor := watchFloor(t, runs[0].logPath)
	want := map[int64]wiki.Change{}
	for _, c := range oracle {
		if !c.Timestamp.Before(floor) {
			want[c.RCID] = c
		}
	}
	if len(want) < 200 {
		t.Fatalf("the scenario made only %d recent changes; want at least 200", len(want))
	}

	// Wait until the last run has reported everything, then stop it cleanly.
	deadline := time.Now().Add(60 * time.Second)
	for {
		seen := changesByRCID(t, runs)
		missing := 0
		for id := range want {
			if _, ok := seen[id]; !ok {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s wikipub still has not reported %d of %d changes", missing, len(want))
		}
		time.Sleep(300 * time.Millisecond)
	}
	last := runs[len(runs)-1]
	if err := last.term(t); err != nil {
		t.Fatalf("wikipub did not exit cleanly on SIGTERM: %v", err)
	}
	if !slices.ContainsFunc(readLog(t, last.logPath), func(l logLine) bool { return l.str("msg") == "stopped cleanly" }) {
		t.Errorf("no 'stopped cleanly' line after SIGTERM")
	}

	// Exactly the wiki's rows: nothing missing, nothing invented.
	seen := changesByRCID(t, runs)
	for id, c := range want {
		if _, ok := seen[id]; !ok {
			t.Errorf("gap: rcid %d (%s %q at %s) was never reported", id, c.Kind, c.Title, c.Timestamp)
		}
	}
	for id, occ := range seen {
		if _, ok := want[id]; ok {
			continue
		}
		// Rows of a deleted page vanish from recent changes.
		if !deletedTitle(oracle, occ[0].line.str("title")) {
			t.Errorf("rcid %d (%s %q) was reported but is not in the wiki's recent changes", id, occ[0].line.str("kind"), occ[0].line.str("title"))
		}
	}

	// Repeats only from the batch a kill interrupted.
	repeats := 0
	for id, occ := range seen {
		if len(occ) == 1 {
			continue
		}
		repeats += len(occ) - 1
		for _, o := range occ[:len(occ)-1] {
			if !o.inFlight || o.run == len(runs)-1 {
				t.Errorf("rcid %d repeated: reported in run %d (not in a batch cut by a kill) and again later", id, o.run+1)
			}
		}
	}
	t.Logf("%d changes, %d runs, %d repeats from batches cut by SIGKILL", len(want), len(runs), repeats)

	// Every kind arrived.
	kinds := map[string]bool{}
	for _, occ := range seen {
		kinds[occ[0].line.str("kind")] = true
	}
	for _, k := range []wiki.Kind{wiki.KindNew, wiki.KindEdit, wiki.KindMove, wiki.KindDelete, wiki.KindRestore,
		wiki.KindRevisionDelete, wiki.KindUpload, wiki.KindNewAccount, wiki.KindProtect, wiki.KindBlock, wiki.KindCategorize} {
		if !kinds[string(k)] {
			t.Errorf("no change of kind %q was reported", k)
		}
	}

	// The hidden user and summary appear nowhere, and the row came with its flags.
	for _, d := range runs {
		for _, l := range readLog(t, d.logPath) {
			for k, v := range l {
				if s, ok := v.(string); ok && (strings.Contains(s, secretUser) || strings.Contains(s, secretSummary)) {
					t.Errorf("%s: hidden text leaked in field %q: %v", filepath.Base(d.logPath), k, l)
				}
			}
		}
	}
	var secretSeen, rdSeen, anonSeen bool
	for _, occ := range seen {
		l := occ[0].line
		if l["anon"] == true {
			anonSeen = true
			if l.str("user") != "" {
				t.Errorf("an IP edit was logged with its address: %v", l)
			}
		}
		if l.num("revid") == secretRev && secretRev != 0 {
			secretSeen = true
			if l["userhidden"] != true || l["commenthidden"] != true || l.str("user") != "" || l.num("userid") != 0 {
				t.Errorf("the hidden revision was reported without its flags or with its user: %v", l)
			}
		}
		if l.str("kind") == string(wiki.KindRevisionDelete) {
			ids, _ := l["rd_ids"].([]any)
			for _, id := range ids {
				if f, _ := id.(float64); int64(f) == secretRev {
					rdSeen = true
				}
			}
		}
	}
	if !anonSeen {
		t.Error("no IP edit was reported")
	}
	if !secretSeen || !rdSeen {
		t.Errorf("hidden revision reported: %v; its revision-deletion change reported: %v", secretSeen, rdSeen)
	}
}

// occurrence is one report of a change by one run.
type occurrence struct {
	run      int
	line     logLine
	inFlight bool // after the run's last "changes handled": its cursor was not saved
}

func changesByRCID(t *testing.T, runs []*daemon) map[int64][]occurrence {
	t.Helper()
	seen := map[int64][]occurrence{}
	for r, d := range runs {
		lines := readLog(t, d.logPath)
		lastHandled := -1
		for i, l := range lines {
			if l.str("msg") == "changes handled" {
				lastHandled = i
			}
		}
		for i, l := range lines {
			if l.str("msg") == "change" {
				id := l.num("rcid")
				seen[id] = append(seen[id], occurrence{run: r, line: l, inFlight: i > lastHandled})
			}
		}
	}
	return seen
}

func watchFloor(t *testing.T, logPath string) time.Time {
	t.Helper()
	for _, l := range readLog(t, logPath) {
		if l.str("msg") == "watching recent changes" {
			ts, err := time.Parse(time.RFC3339, l.str("from"))
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
	}
	t.Fatal("the first run never logged where it started watching")
	return time.Time{}
}

func deletedTitle(oracle []wiki.Change, title string) bool {
	for _, c := range oracle {
		if c.Kind == wiki.KindDelete && c.Title == title {
			return true
		}
	}
	return false
}
