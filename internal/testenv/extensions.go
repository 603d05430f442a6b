package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wikiExtensions are the bundled extensions every test wiki loads
// (scripts/testwiki.sh writes them into extensions.php).
var wikiExtensions = []string{"PageImages", "TextExtracts", "Renameuser"}

// WithoutExtensions rewrites the wiki's extensions.php to load every
// bundled extension but the named ones, to see how wikipub does on a wiki
// without them, and waits until the wiki's API no longer lists them.
func (w *Wiki) WithoutExtensions(t testing.TB, names ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("<?php\n")
	for _, e := range wikiExtensions {
		drop := false
		for _, n := range names {
			drop = drop || n == e
		}
		if !drop {
			b.WriteString("wfLoadExtension( '" + e + "' );\n")
		}
	}
	if err := os.WriteFile(filepath.Join(w.Dir, "extensions.php"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	waitForWiki(t, fmt.Sprintf("extensions %v dropped", names), func() (bool, string) {
		var si struct {
			Query struct {
				Extensions []struct {
					Name string `json:"name"`
				} `json:"extensions"`
			} `json:"query"`
		}
		err := siteinfo(w.API, "extensions", &si)
		gone := err == nil
		for _, e := range si.Query.Extensions {
			for _, n := range names {
				gone = gone && e.Name != n
			}
		}
		return gone, fmt.Sprintf("loaded: %v, %v", si.Query.Extensions, err)
	})
}

// RenameUser renames an account with the Renameuser extension's
// maintenance script, performed by the wiki's admin: the same account (id)
// gets the new name, and a renameuser/renameuser log entry is published to
// recent changes. (Special:Renameuser does the same and can also move the
// user pages; 1.39's Renameuser has no API module.)
func (w *Wiki) RenameUser(t testing.TB, oldName, newName, reason string) {
	t.Helper()
	script := "/usr/share/mediawiki/extensions/Renameuser/maintenance/renameUser.php"
	cmd := exec.Command("php", script, "--oldname", oldName, "--newname", newName, "--performer", w.AdminUser, "--reason", reason)
	cmd.Env = append(os.Environ(), "MW_CONFIG_FILE="+filepath.Join(w.Dir, "LocalSettings.php"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("renaming user %q to %q: %v\n%s", oldName, newName, err, out)
	}
}
