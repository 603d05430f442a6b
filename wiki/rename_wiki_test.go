package wiki_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestUserRenameOnRealWiki: the watcher reports Renameuser's renames as
// KindUserRename with the account's id and both names: a plain rename;
// an account renamed twice before the watcher read the first rename, whose
// freed middle name a new account took; an account hidden since (no id).
func TestUserRenameOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	anon := w.Anonymous(t)
	ctx := context.Background()

	start := time.Now().Add(-time.Second)
	for _, name := range []string{"Renamee", "Twice", "Ghost"} {
		w.NewEditor(t, name).Edit(t, "Page by "+name, "Text.", "create")
	}
	before, err := admin.C.UsersByName(ctx, []string{"Renamee", "Twice", "Ghost"})
	if err != nil || len(before) != 3 {
		t.Fatalf("UsersByName: %v, %v", before, err)
	}
	w.RenameUser(t, "Renamee", "Renamed One", "asked")
	w.RenameUser(t, "Twice", "Twice B", "first")
	w.RenameUser(t, "Twice B", "Twice C", "second")
	time.Sleep(1100 * time.Millisecond) // the new account registers a second later
	w.NewEditor(t, "Twice B")
	w.RenameUser(t, "Ghost", "Ghost Two", "before hiding")
	w.HideUser(t, "Ghost Two", "oversight")
	newB, err := admin.C.UserByName(ctx, "Twice B")
	if err != nil || newB.ID == before["Twice"].ID {
		t.Fatalf("the new Twice B: %+v, %v", newB, err)
	}

	var got []wiki.Change
	watcher := wiki.NewWatcher(anon.C, &memCursors{}, func(_ context.Context, cs []wiki.Change) error {
		got = append(got, cs...)
		return nil
	}, wiki.WatcherConfig{Start: start, Logger: slog.New(slog.DiscardHandler)})
	if _, err := watcher.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	var renames []wiki.UserRename
	for _, ch := range got {
		if ch.LogType == "renameuser" {
			if ch.Kind != wiki.KindUserRename || ch.Rename == nil {
				t.Fatalf("a rename as %s: %+v", ch.Kind, ch)
			}
			if ch.User != w.AdminUser {
				t.Errorf("the rename's performer = %q, want %q", ch.User, w.AdminUser)
			}
			renames = append(renames, *ch.Rename)
		}
	}
	want := []wiki.UserRename{
		{UserID: before["Renamee"].ID, OldName: "Renamee", NewName: "Renamed One"},
		{UserID: before["Twice"].ID, OldName: "Twice", NewName: "Twice B"},
		{UserID: before["Twice"].ID, OldName: "Twice B", NewName: "Twice C"},
		{UserID: 0, OldName: "Ghost", NewName: "Ghost Two"},
	}
	if len(renames) != len(want) {
		t.Fatalf("renames = %+v, want %+v", renames, want)
	}
	for i := range want {
		if renames[i] != want[i] {
			t.Errorf("rename %d = %+v, want %+v", i, renames[i], want[i])
		}
	}
}
