package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cgt.name/pkg/go-mwclient/params"
)

// ProtectAt protects a page against edits below level ("sysop",
// "autoconfirmed").
func (s *Session) ProtectAt(t testing.TB, title, level, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "protect", "title": title, "protections": "edit=" + level, "expiry": "infinite", "reason": reason})
}

// ProtectCascade protects a page and, by cascading, every page it
// transcludes.
func (s *Session) ProtectCascade(t testing.TB, title, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "protect", "title": title, "protections": "edit=sysop", "cascade": "1", "expiry": "infinite", "reason": reason})
}

// oversightPHP does what a bot password cannot: delete a page with
// suppression, as Special:Delete does with "Suppress data from
// administrators as well" ticked (the API of MediaWiki 1.39 suppresses only
// files), and hide a user (no grant carries hideuser).
const oversightPHP = `<?php
require_once '/usr/share/mediawiki/maintenance/Maintenance.php';
use MediaWiki\MediaWikiServices;
class WikipubOversight extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addOption( 'delete', 'page to delete with suppression', false, true );
		$this->addOption( 'hideuser', 'user to block with the name hidden', false, true );
		$this->addOption( 'user', 'performer', true, true );
		$this->addOption( 'reason', 'reason', true, true );
	}
	public function execute() {
		$services = MediaWikiServices::getInstance();
		$performer = User::newFromName( $this->getOption( 'user' ) );
		$reason = $this->getOption( 'reason' );
		if ( $this->hasOption( 'delete' ) ) {
			$page = $services->getWikiPageFactory()->newFromTitle( Title::newFromText( $this->getOption( 'delete' ) ) );
			$status = $services->getDeletePageFactory()->newDeletePage( $page, $performer )
				->setSuppress( true )->deleteUnsafe( $reason );
		} else {
			$status = $services->getBlockUserFactory()->newBlockUser( $this->getOption( 'hideuser' ), $performer,
				'infinity', $reason, [ 'isHideUser' => true ] )->placeBlockUnsafe();
		}
		if ( !$status->isGood() ) {
			$this->fatalError( $status->getWikiText( false, false, 'en' ) );
		}
		DeferredUpdates::doUpdates();
		$this->output( "done\n" );
	}
}
$maintClass = WikipubOversight::class;
require_once RUN_MAINTENANCE_IF_MAIN;
`

func (w *Wiki) oversight(t testing.TB, args ...string) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "oversight.php")
	if err := os.WriteFile(script, []byte(oversightPHP), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("php", append([]string{script, "--user", w.AdminUser}, args...)...)
	cmd.Env = append(os.Environ(), "MW_CONFIG_FILE="+filepath.Join(w.Dir, "LocalSettings.php"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oversight %v: %v\n%s", args, err, out)
	}
}

// DeleteSuppressed deletes a page with suppression (oversight): logged in
// the suppression log only, never in recent changes.
func (w *Wiki) DeleteSuppressed(t testing.TB, title, reason string) {
	t.Helper()
	w.oversight(t, "--delete", title, "--reason", reason)
}

// HideUser blocks a user with their name hidden (MediaWiki's hideuser),
// which also hides the name in every revision and log entry of theirs;
// logged in the suppression log only.
func (w *Wiki) HideUser(t testing.TB, name, reason string) {
	t.Helper()
	w.oversight(t, "--hideuser", name, "--reason", reason)
}

// EnableLogDeletion gives the wiki's sysops the right to hide parts of log
// entries, which MediaWiki keeps for its suppress group.
func (w *Wiki) EnableLogDeletion(t testing.TB) {
	t.Helper()
	w.AddSettings(t, "$wgGroupPermissions['sysop']['deletelogentry'] = true;")
}

// HideLogEntries hides parts of log entries (what: a comma list of
// content, comment, user; content is the action and target); suppress
// hides them from admins too and leaves no trace in recent changes.
func (s *Session) HideLogEntries(t testing.TB, logids []int64, what string, suppress bool, reason string) {
	t.Helper()
	ids := make([]string, len(logids))
	for i, id := range logids {
		ids[i] = strconv.FormatInt(id, 10)
	}
	p := params.Values{"action": "revisiondelete", "type": "logging", "ids": strings.Join(ids, "|"),
		"hide": strings.ReplaceAll(what, ",", "|"), "reason": reason}
	if suppress {
		p.Set("suppress", "yes")
	}
	s.must(t, p)
}

// LogID is the id of the latest log entry of a type (move, delete, …) on
// a title.
func (s *Session) LogID(t testing.TB, logType, title string) int64 {
	t.Helper()
	var resp struct {
		Query struct {
			LogEvents []struct {
				LogID int64 `json:"logid"`
			} `json:"logevents"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "list": "logevents", "letype": logType, "letitle": title, "lelimit": "1", "leprop": "ids"}
	if err := s.C.Get(context.Background(), p, &resp); err != nil || len(resp.Query.LogEvents) == 0 {
		t.Fatalf("the %s log of %q: %v %+v", logType, title, err, resp)
	}
	return resp.Query.LogEvents[0].LogID
}
