package integration

// Golden files of every kind of post wikipub publishes, as it delivers them.
//
// The posts are made by the real code path, offline: the federation side
// wired as cmd/wikipub wires it (wire) over a fake wiki (hand-built SiteInfo, pages and users) and a bbolt store in
// a temporary directory, with one follower on each page and on one editor.
// Each wiki.Change goes through Publisher.Handle, and the deliveries it
// queues are read back from the store. So a golden file shows exactly the
// activities (Create with its Note, Announce, Update, Delete) and the inboxes
// they go to, not a re-creation of them.
//
// Regenerate with: go test -run Golden ./federation/ -update
// and review the diff: every post must read naturally.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/wiki"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	goldenBase = "https://wiki.example"
	// The followers' servers: one follows every page, one follows Jimbo.
	pageFollowersInbox   = "https://mastodon.example/inbox"
	editorFollowersInbox = "https://social.example/inbox"
	// The unregistered editor's address and the hidden editor's name: they
	// must appear nowhere.
	goldenIP         = "192.0.2.7"
	goldenHiddenName = "Vandal McVandalface"
	goldenSecret     = "secret insult"
)

// goldenSite is a wiki's site info built by hand, as siteinfo would give it.
func goldenSite() *wiki.SiteInfo {
	return &wiki.SiteInfo{
		SiteName:    "Example Wiki",
		Server:      goldenBase,
		ArticlePath: "/wiki/$1",
		Script:      "/w/index.php",
		Lang:        "en",
		Namespaces: map[int]*wiki.Namespace{
			0:  {ID: 0, Name: "", FirstLetterCase: true, Content: true},
			1:  {ID: 1, Name: "Talk", Canonical: "Talk", FirstLetterCase: true},
			2:  {ID: 2, Name: "User", Canonical: "User", FirstLetterCase: true},
			4:  {ID: 4, Name: "Project", Canonical: "Project", FirstLetterCase: true},
			6:  {ID: 6, Name: "File", Canonical: "File", Aliases: []string{"Image"}, FirstLetterCase: true},
			14: {ID: 14, Name: "Category", Canonical: "Category", FirstLetterCase: true},
		},
	}
}

// goldenWiki is a WikiReader over maps; what the publisher does not need
// answers with an error.
type goldenWiki struct {
	site  *wiki.SiteInfo
	pages map[int64]wiki.Page
	users map[int64]wiki.User
	files map[string][2]string // title → url, mime
	mu    sync.Mutex
	revs  map[int64]wiki.Change
}

var errGoldenWiki = errors.New("goldenWiki: not implemented")

func (w *goldenWiki) Site() *wiki.SiteInfo { return w.site }

func (w *goldenWiki) PageByID(_ context.Context, id int64) (wiki.Page, error) {
	if p, ok := w.pages[id]; ok {
		return p, nil
	}
	return wiki.Page{}, wiki.ErrNotFound
}

func (w *goldenWiki) PagesByTitle(_ context.Context, titles []string) (map[string]wiki.Page, error) {
	out := map[string]wiki.Page{}
	for _, t := range titles {
		for _, p := range w.pages {
			if p.Title == t {
				out[t] = p
			}
		}
	}
	return out, nil
}

// PageDeletionShown: the golden wiki deletes nothing in secret.
func (w *goldenWiki) PageDeletionShown(context.Context, int64, string) (bool, error) {
	return true, nil
}

// LogVisibility: the golden wiki hides no log entry.
func (w *goldenWiki) LogVisibility(_ context.Context, entries map[int64]time.Time) (map[int64]wiki.Visibility, error) {
	out := map[int64]wiki.Visibility{}
	for id := range entries {
		out[id] = 0
	}
	return out, nil
}

func (w *goldenWiki) PagesByID(_ context.Context, ids []int64) (map[int64]wiki.Page, error) {
	out := map[int64]wiki.Page{}
	for _, id := range ids {
		if p, ok := w.pages[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

func (w *goldenWiki) UsersByID(_ context.Context, ids []int64) (map[int64]wiki.User, error) {
	out := map[int64]wiki.User{}
	for _, id := range ids {
		if u, ok := w.users[id]; ok {
			out[id] = u
		}
	}
	return out, nil
}

func (w *goldenWiki) UserByID(_ context.Context, id int64) (wiki.User, error) {
	if u, ok := w.users[id]; ok {
		return u, nil
	}
	return wiki.User{}, wiki.ErrNotFound
}

func (w *goldenWiki) UsersByName(_ context.Context, names []string) (map[string]wiki.User, error) {
	out := map[string]wiki.User{}
	for _, n := range names {
		for _, u := range w.users {
			if u.Name == n {
				out[n] = u
			}
		}
	}
	return out, nil
}

func (w *goldenWiki) RevisionChange(_ context.Context, id int64) (wiki.Change, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.revs[id]; ok {
		return c, nil
	}
	return wiki.Change{}, wiki.ErrNotFound
}

// Revisions answers from the changes published so far, for the sweeper.
func (w *goldenWiki) Revisions(_ context.Context, ids []int64) (map[int64]wiki.Revision, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[int64]wiki.Revision{}
	for _, id := range ids {
		c, ok := w.revs[id]
		if !ok {
			continue
		}
		out[id] = wiki.Revision{ID: c.RevID, ParentID: c.OldRevID, PageID: c.PageID, Namespace: c.Namespace, Title: c.Title,
			User: c.User, UserID: c.UserID, Anonymous: c.Anonymous, Timestamp: c.Timestamp, Size: c.NewSize, Minor: c.Minor,
			Comment: c.Comment, ParsedComment: c.ParsedComment, UserHidden: c.UserHidden, CommentHidden: c.CommentHidden,
			ContentHidden: c.ContentHidden, Suppressed: c.Suppressed}
	}
	return out, nil
}

func (w *goldenWiki) FileURL(_ context.Context, title string) (string, string, error) {
	if f, ok := w.files[title]; ok {
		return f[0], f[1], nil
	}
	return "", "", wiki.ErrNotFound
}

func (w *goldenWiki) PageHistory(context.Context, int64, string, int) ([]wiki.Change, string, error) {
	return nil, "", errGoldenWiki
}

func (w *goldenWiki) Contributions(context.Context, int64, string, int) ([]wiki.Change, string, error) {
	return nil, "", errGoldenWiki
}

// PageProfiles: every page is in English; the pages' categories and lead
// images are goldenCategories and goldenLeadImages.
func (w *goldenWiki) PageProfiles(_ context.Context, ids []int64, _ wiki.ProfileOptions) (map[int64]wiki.PageProfile, error) {
	out := map[int64]wiki.PageProfile{}
	for _, id := range ids {
		pg, ok := w.pages[id]
		if !ok {
			continue
		}
		out[id] = wiki.PageProfile{ID: id, Namespace: pg.Namespace, Title: pg.Title, Language: "en", LanguageTag: "en", Dir: "ltr",
			Categories: goldenCategories[id], LeadImage: goldenLeadImages[id], ImagesKnown: true}
	}
	return out, nil
}

// AddedText answers for the revisions of goldenAdded.
func (w *goldenWiki) AddedText(_ context.Context, _, toRev int64, _ int) (wiki.AddedText, error) {
	if a, ok := goldenAdded[toRev]; ok {
		return a, nil
	}
	return wiki.AddedText{}, wiki.ErrNotFound
}

var (
	goldenCategories = map[int64][]string{
		// C++ makes no hashtag; a hidden category never reaches the profile.
		pgEinstein: {"Category:C++ programmers", "Category:Nobel laureates", "Category:Physicists"},
		pgLog:      {"Category:Logs"},
	}
	goldenLeadImages = map[int64]*wiki.Image{
		pgMinster: {Name: "Ulm Minster 2009.jpg", Title: "File:Ulm Minster 2009.jpg",
			Original: wiki.ImageFile{URL: "https://upload.wiki.example/images/a/a1/Ulm_Minster_2009.jpg", Mime: "image/jpeg", Width: 3000, Height: 4000},
			Header:   wiki.ImageFile{URL: "https://upload.wiki.example/images/thumb/a/a1/Ulm_Minster_2009.jpg/1500px-Ulm_Minster_2009.jpg", Mime: "image/jpeg", Width: 1500, Height: 2000}},
	}
	goldenAdded = map[int64]wiki.AddedText{
		1101: {Text: "12:34 admin: restarted the database servers <db1, db2>\n12:40 admin: all well"},
		1102: {Hidden: true},
	}
)

func (w *goldenWiki) EditCount(context.Context, string) (int, error) { return 0, errGoldenWiki }
func (w *goldenWiki) Asset(context.Context, string) ([]byte, string, error) {
	return nil, "", errGoldenWiki
}

// goldenNoNetwork fails every outbound request: publishing must not need any.
type goldenNoNetwork struct{}

func (goldenNoNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("no network in golden tests (%s %s)", r.Method, r.URL)
}

func goldenTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The wiki's pages and users.
const (
	pgEinstein  = 10
	pgMinster   = 11
	pgHermann   = 12
	pgViolin    = 13 // deleted: the wiki no longer knows it
	pgMileva    = 14
	pgRelativ   = 15
	pgFile      = 16
	pgPhysicist = 17
	pgLog       = 18 // listed for excerpts (goldenExcerptPage)

	usJimbo  = 1
	usAda    = 2
	usVandal = 3
)

func newGoldenWiki() *goldenWiki {
	site := goldenSite()
	page := func(id int64, ns int, title string) wiki.Page {
		return wiki.Page{ID: id, Namespace: ns, Title: title, Created: goldenTime("2003-02-01T10:00:00Z")}
	}
	return &goldenWiki{
		site: site,
		pages: map[int64]wiki.Page{
			pgEinstein:  page(pgEinstein, 0, "Albert Einstein"),
			pgMinster:   page(pgMinster, 0, "Ulm Minster"),
			pgHermann:   page(pgHermann, 0, "Hermann Einstein"), // after the move
			pgMileva:    page(pgMileva, 0, "Mileva Marić"),
			pgRelativ:   page(pgRelativ, 0, "Theory of relativity"),
			pgFile:      page(pgFile, 6, "File:Einstein 1921.jpg"),
			pgPhysicist: page(pgPhysicist, 14, "Category:Physicists"),
			pgLog:       page(pgLog, 4, "Project:Server admin log"),
		},
		users: map[int64]wiki.User{
			usJimbo:  {ID: usJimbo, Name: "Jimbo Wales", Registration: goldenTime("2001-03-27T20:47:31Z")},
			usAda:    {ID: usAda, Name: "Ada Lovelace", Registration: goldenTime("2005-12-10T00:00:00Z")},
			usVandal: {ID: usVandal, Name: goldenHiddenName, Registration: goldenTime("2024-01-01T00:00:00Z")},
		},
		files: map[string][2]string{
			"File:Einstein 1921.jpg": {"https://upload.wiki.example/images/3/3e/Einstein_1921.jpg", "image/jpeg"},
		},
		revs: map[int64]wiki.Change{},
	}
}

// goldenCase is one change and what its post must say.
type goldenCase struct {
	name string
	c    wiki.Change
	// text is the post's text, one line per paragraph.
	text string
	// url is the post's url: the diff for edits, the page for log events.
	url string
	// page is the actor the post is attributed to.
	page actors.Ref
	// announcedBy is the editor whose followers get an Announce (0: none).
	announcedBy int64
	// absent must appear in no delivery.
	absent []string
	// extra activity types besides Create/Announce, in order.
	extra []string
	// attachment is the expected image url (uploads).
	attachment string
	// mustContain are fragments the content HTML must have.
	mustContain []string
	// alt is the attachment's alt text when it is not the edit summary
	// (a new page's lead image).
	alt string
	// tags are the post's hashtags.
	tags []string
}

func goldenCases() []goldenCase {
	base := goldenTime("2024-05-14T09:30:00Z")
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	jimbo := func(c wiki.Change) wiki.Change { c.User, c.UserID = "Jimbo Wales", usJimbo; return c }
	pageURL := func(t string) string { return goldenSite().PageURL(t) }
	return []goldenCase{
		{
			name: "new-page",
			c: jimbo(wiki.Change{RCID: 9001, Kind: wiki.KindNew, Timestamp: at(0), Title: "Ulm Minster", PageID: pgMinster,
				RevID: 1001, NewSize: 2345, Comment: `Created page with "The Minster is the tallest church"`,
				ParsedComment: `Created page with &quot;The Minster is the tallest church&quot;`}),
			text:        "Jimbo Wales created Ulm Minster: Created page with \"The Minster is the tallest church\" (+2345 bytes)\nrevision",
			url:         "https://wiki.example/w/index.php?oldid=1001",
			page:        actors.Ref{Kind: actors.KindPage, ID: pgMinster},
			announcedBy: usJimbo,
			attachment:  "https://upload.wiki.example/images/thumb/a/a1/Ulm_Minster_2009.jpg/1500px-Ulm_Minster_2009.jpg",
			alt:         "Ulm Minster: Ulm Minster 2009",
		},
		{
			name: "excerpt-log-page",
			c: jimbo(wiki.Change{RCID: 9101, Kind: wiki.KindEdit, Timestamp: at(0), Title: "Project:Server admin log", Namespace: 4, PageID: pgLog,
				RevID: 1101, OldRevID: 1100, OldSize: 900, NewSize: 1000, Comment: "db", ParsedComment: "db"}),
			text:        "Jimbo Wales edited Project:Server admin log: db (+100 bytes)\ndiff\n12:34 admin: restarted the database servers <db1, db2>12:40 admin: all well\n#Logs",
			url:         "https://wiki.example/w/index.php?diff=1101&oldid=1100",
			page:        actors.Ref{Kind: actors.KindPage, ID: pgLog},
			announcedBy: usJimbo,
			mustContain: []string{"<blockquote><p>12:34 admin: restarted the database servers &lt;db1, db2&gt;<br>12:40 admin: all well</p></blockquote>"},
			tags:        []string{"#Logs"},
		},
		{
			name: "excerpt-hidden-text",
			c: jimbo(wiki.Change{RCID: 9102, Kind: wiki.KindEdit, Timestamp: at(1), Title: "Project:Server admin log", Namespace: 4, PageID: pgLog,
				RevID: 1102, OldRevID: 1101, OldSize: 1000, NewSize: 1010, Comment: "more", ParsedComment: "more"}),
			text:        "Jimbo Wales edited Project:Server admin log: more (+10 bytes)\ndiff\n#Logs",
			url:         "https://wiki.example/w/index.php?diff=1102&oldid=1101",
			page:        actors.Ref{Kind: actors.KindPage, ID: pgLog},
			announcedBy: usJimbo,
			tags:        []string{"#Logs"},
		},
		{
			name: "edit",
			c: jimbo(wiki.Change{RCID: 9002, Kind: wiki.KindEdit, Timestamp: at(1), Title: "Albert Einstein", PageID: pgEinstein,
				RevID: 1002, OldRevID: 1000, OldSize: 5000, NewSize: 5042, Comment: "fix [[Ulm]] birth place",
				ParsedComment: `fix <a href="/wiki/Ulm" title="Ulm">Ulm</a> birth place`}),
			text:        "Jimbo Wales edited Albert Einstein: fix Ulm birth place (+42 bytes)\ndiff\n#NobelLaureates #Physicists",
			url:         "https://wiki.example/w/index.php?diff=1002&oldid=1000",
			page:        actors.Ref{Kind: actors.KindPage, ID: pgEinstein},
			announcedBy: usJimbo,
			mustContain: []string{`<a href="https://wiki.example/wiki/Ulm">Ulm</a>`},
			tags:        []string{"#NobelLaureates", "#Physicists"},
		},
		{
			name: "minor-edit",
			c: wiki.Change{RCID: 9003, Kind: wiki.KindEdit, Timestamp: at(2), Title: "Albert Einstein", PageID: pgEinstein,
				RevID: 1003, OldRevID: 1002, OldSize: 5042, NewSize: 5039, Minor: true, User: "Ada Lovelace", UserID: usAda,
				Comment: "typo", ParsedComment: "typo"},
			text: "Ada Lovelace made a minor edit to Albert Einstein: typo (−3 bytes)\ndiff\n#NobelLaureates #Physicists",
			url:  "https://wiki.example/w/index.php?diff=1003&oldid=1002",
			page: actors.Ref{Kind: actors.KindPage, ID: pgEinstein},
			tags: []string{"#NobelLaureates", "#Physicists"},
		},
		{
			name: "anonymous-edit",
			c: wiki.Change{RCID: 9004, Kind: wiki.KindEdit, Timestamp: at(3), Title: "Albert Einstein", PageID: pgEinstein,
				RevID: 1004, OldRevID: 1003, OldSize: 5039, NewSize: 5159, User: goldenIP, Anonymous: true,
				Comment: "added a source", ParsedComment: "added a source"},
			text:   "An unregistered editor edited Albert Einstein: added a source (+120 bytes)\ndiff\n#NobelLaureates #Physicists",
			url:    "https://wiki.example/w/index.php?diff=1004&oldid=1003",
			page:   actors.Ref{Kind: actors.KindPage, ID: pgEinstein},
			absent: []string{goldenIP, "192.0.2", "192-0-2"},
			tags:   []string{"#NobelLaureates", "#Physicists"},
		},
		{
			// The wiki sends User "" when hidden; a name left in by mistake
			// must not leak either, and its followers get no Announce.
			name: "hidden-user",
			c: wiki.Change{RCID: 9005, Kind: wiki.KindEdit, Timestamp: at(4), Title: "Albert Einstein", PageID: pgEinstein,
				RevID: 1005, OldRevID: 1004, OldSize: 5159, NewSize: 5159, User: goldenHiddenName, UserID: usVandal,
				UserHidden: true, Comment: "revert", ParsedComment: "revert"},
			text:   "Albert Einstein was edited: revert (±0 bytes)\ndiff\n#NobelLaureates #Physicists",
			url:    "https://wiki.example/w/index.php?diff=1005&oldid=1004",
			page:   actors.Ref{Kind: actors.KindPage, ID: pgEinstein},
			absent: []string{goldenHiddenName, "Vandal", "vandal", "/ap/user/3"},
			tags:   []string{"#NobelLaureates", "#Physicists"},
		},
		{
			name: "hidden-summary",
			c: jimbo(wiki.Change{RCID: 9006, Kind: wiki.KindEdit, Timestamp: at(5), Title: "Albert Einstein", PageID: pgEinstein,
				RevID: 1006, OldRevID: 1005, OldSize: 5159, NewSize: 5166, CommentHidden: true,
				Comment: goldenSecret, ParsedComment: goldenSecret}),
			text:        "Jimbo Wales edited Albert Einstein (+7 bytes)\ndiff\n#NobelLaureates #Physicists",
			url:         "https://wiki.example/w/index.php?diff=1006&oldid=1005",
			page:        actors.Ref{Kind: actors.KindPage, ID: pgEinstein},
			announcedBy: usJimbo,
			absent:      []string{goldenSecret, "secret", "insult"},
			tags:        []string{"#NobelLaureates", "#Physicists"},
		},
		{
			name: "move",
			c: jimbo(wiki.Change{RCID: 9007, Kind: wiki.KindMove, Timestamp: at(6), Title: "Hermann Einstein (merchant)",
				PageID: pgHermann, LogID: 501, LogType: "move", LogAction: "move", Comment: "common name", ParsedComment: "common name",
				Move: &wiki.Move{TargetTitle: "Hermann Einstein"}}),
			text:        "Jimbo Wales moved Hermann Einstein (merchant) to Hermann Einstein: common name",
			url:         pageURL("Hermann Einstein"),
			page:        actors.Ref{Kind: actors.KindPage, ID: pgHermann},
			announcedBy: 0, // log posts are not boosted: they cannot be fetched by id
			extra:       []string{"Update"},
		},
		{
			name: "deletion",
			c: wiki.Change{RCID: 9008, Kind: wiki.KindDelete, Timestamp: at(7), Title: "Einstein's violin", PageID: pgViolin,
				LogID: 502, LogType: "delete", LogAction: "delete", User: "Ada Lovelace", UserID: usAda,
				Comment:       "[[Project:Speedy#G11|G11]]: Unambiguous advertising",
				ParsedComment: `<a href="/wiki/Project:Speedy#G11" title="Project:Speedy">G11</a>: Unambiguous advertising`},
			text:        "Ada Lovelace deleted Einstein's violin: G11: Unambiguous advertising",
			url:         pageURL("Einstein's violin"),
			page:        actors.Ref{Kind: actors.KindPage, ID: pgViolin},
			extra:       []string{"Update", "Delete"},
			mustContain: []string{`<a href="https://wiki.example/wiki/Project:Speedy#G11">G11</a>`},
		},
		{
			name: "restore",
			c: jimbo(wiki.Change{RCID: 9009, Kind: wiki.KindRestore, Timestamp: at(8), Title: "Mileva Marić", PageID: pgMileva,
				LogID: 503, LogType: "delete", LogAction: "restore", Comment: "request at [[Talk:Mileva Marić|talk]]",
				ParsedComment: `request at <a href="/wiki/Talk:Mileva_Mari%C4%87" title="Talk:Mileva Marić">talk</a>`}),
			text:        "Jimbo Wales restored Mileva Marić: request at talk",
			url:         pageURL("Mileva Marić"),
			page:        actors.Ref{Kind: actors.KindPage, ID: pgMileva},
			announcedBy: 0, // log posts are not boosted: they cannot be fetched by id
			extra:       []string{"Update"},
			mustContain: []string{`<a href="https://wiki.example/wiki/Talk:Mileva_Mari%C4%87">talk</a>`},
		},
		{
			name: "protection",
			c: jimbo(wiki.Change{RCID: 9010, Kind: wiki.KindProtect, Timestamp: at(9), Title: "Theory of relativity", PageID: pgRelativ,
				LogID: 504, LogType: "protect", LogAction: "protect", Comment: "Persistent vandalism", ParsedComment: "Persistent vandalism"}),
			text:        "Jimbo Wales protected Theory of relativity: Persistent vandalism",
			url:         pageURL("Theory of relativity"),
			page:        actors.Ref{Kind: actors.KindPage, ID: pgRelativ},
			announcedBy: 0, // log posts are not boosted: they cannot be fetched by id
		},
		{
			name: "upload",
			c: jimbo(wiki.Change{RCID: 9011, Kind: wiki.KindUpload, Timestamp: at(10), Namespace: 6, Title: "File:Einstein 1921.jpg",
				PageID: pgFile, LogID: 505, LogType: "upload", LogAction: "upload",
				Comment: "Einstein in 1921, by Ferdinand Schmutzer", ParsedComment: "Einstein in 1921, by Ferdinand Schmutzer"}),
			text:        "Jimbo Wales uploaded File:Einstein 1921.jpg: Einstein in 1921, by Ferdinand Schmutzer",
			url:         pageURL("File:Einstein 1921.jpg"),
			page:        actors.Ref{Kind: actors.KindPage, ID: pgFile},
			announcedBy: 0, // log posts are not boosted: they cannot be fetched by id
			attachment:  "https://upload.wiki.example/images/3/3e/Einstein_1921.jpg",
		},
		{
			// The summary is also the image's alt text: hidden, it must go
			// from both.
			name: "upload-hidden-summary",
			c: jimbo(wiki.Change{RCID: 9012, Kind: wiki.KindUpload, Timestamp: at(11), Namespace: 6, Title: "File:Einstein 1921.jpg",
				PageID: pgFile, LogID: 506, LogType: "upload", LogAction: "overwrite", CommentHidden: true,
				Comment: goldenSecret, ParsedComment: goldenSecret}),
			text:        "Jimbo Wales uploaded a new version of File:Einstein 1921.jpg",
			url:         pageURL("File:Einstein 1921.jpg"),
			page:        actors.Ref{Kind: actors.KindPage, ID: pgFile},
			announcedBy: 0, // log posts are not boosted: they cannot be fetched by id
			attachment:  "https://upload.wiki.example/images/3/3e/Einstein_1921.jpg",
			absent:      []string{goldenSecret, "secret", "insult"},
		},
		{
			name: "categorize",
			c: jimbo(wiki.Change{RCID: 9013, Kind: wiki.KindCategorize, Timestamp: at(12), Namespace: 14, Title: "Category:Physicists",
				PageID: pgPhysicist, RevID: 1007, Comment: "[[:Albert Einstein]] added to category",
				ParsedComment: `<a href="/wiki/Albert_Einstein" title="Albert Einstein">Albert Einstein</a> added to category`}),
			text:        "Category:Physicists: Albert Einstein added to category",
			url:         pageURL("Category:Physicists"),
			page:        actors.Ref{Kind: actors.KindPage, ID: pgPhysicist},
			mustContain: []string{`<a href="https://wiki.example/wiki/Albert_Einstein">Albert Einstein</a>`},
		},
	}
}

// goldenDelivery is one activity as queued: who signs it, where it goes.
type goldenDelivery struct {
	Inboxes  []string        `json:"inboxes"`
	Signer   string          `json:"signer"`
	Activity json.RawMessage `json:"activity"`
}

// goldenPost is what one change produced.
type goldenPost struct {
	goldenCase
	deliveries []goldenDelivery
	// create and note are the Create and its Note, decoded.
	create map[string]any
	note   goldenNote
}

// goldenNote is a delivered Note read back: every field a post has.
type goldenNote struct {
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	AttributedTo string            `json:"attributedTo"`
	Content      string            `json:"content"`
	URL          string            `json:"url,omitempty"`
	Published    time.Time         `json:"published"`
	To           []string          `json:"to"`
	CC           []string          `json:"cc"`
	Sensitive    bool              `json:"sensitive"`
	ContentMap   map[string]string `json:"contentMap,omitempty"`
	Tag          []struct {
		Type, Name, Href string
	} `json:"tag,omitempty"`
	Attachment []struct {
		Type      string `json:"type"`
		MediaType string `json:"mediaType,omitempty"`
		URL       string `json:"url"`
		Name      string `json:"name,omitempty"`
	} `json:"attachment,omitempty"`
	Replies *struct {
		ID    string `json:"id"`
		Type  string `json:"type"`
		First struct {
			ID     string `json:"id"`
			Type   string `json:"type"`
			PartOf string `json:"partOf"`
			Next   string `json:"next"`
			Items  []any  `json:"orderedItems"`
		} `json:"first"`
	} `json:"replies,omitempty"`
	Likes  string `json:"likes,omitempty"`
	Shares string `json:"shares,omitempty"`
}

type goldenEnv struct {
	s  *fedSide
	w  *goldenWiki
	st store.Store
}

func newGoldenEnv(t testing.TB) *goldenEnv {
	t.Helper()
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "golden.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := newGoldenWiki()
	s := wire(fedConfig{PublicURL: goldenBase, Version: "golden", UserAgent: "wikipub-golden", ExcerptPages: []string{"Project:Server_admin_log"},
		Logger: slog.New(slog.DiscardHandler)}, w, st, &http.Client{Transport: goldenNoNetwork{}})
	follow := func(ref actors.Ref, inbox, who string) {
		t.Helper()
		if _, err := st.AddFollower(ctx, s.iris.Actor(ref), store.Follower{
			ID: who, Inbox: who + "/inbox", SharedInbox: inbox, FollowID: who + "#follows/" + ref.String(), Since: goldenTime("2024-01-01T00:00:00Z"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{pgEinstein, pgMinster, pgHermann, pgViolin, pgMileva, pgRelativ, pgFile, pgPhysicist, pgLog} {
		follow(actors.Ref{Kind: actors.KindPage, ID: id}, pageFollowersInbox, "https://mastodon.example/users/alice")
	}
	follow(actors.Ref{Kind: actors.KindUser, ID: usJimbo}, editorFollowersInbox, "https://social.example/users/bob")
	// The hidden editor has followers too: they must get nothing.
	follow(actors.Ref{Kind: actors.KindUser, ID: usVandal}, editorFollowersInbox, "https://social.example/users/carol")
	// The deleted page was followed (so it has a key) and had a post.
	if _, err := s.keys.Get(ctx, s.iris.Actor(actors.Ref{Kind: actors.KindPage, ID: pgViolin})); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordPublished(ctx, store.Published{
		ObjectID: goldenBase + "/ap/rev/900", ActivityID: goldenBase + "/ap/rev/900/activity",
		Actor: s.iris.Actor(actors.Ref{Kind: actors.KindPage, ID: pgViolin}), PageID: pgViolin, RevID: 900,
		At: goldenTime("2024-05-01T00:00:00Z"), Recipients: []string{pageFollowersInbox},
	}); err != nil {
		t.Fatal(err)
	}
	return &goldenEnv{s: s, w: w, st: st}
}

var goldenTypeRank = map[string]int{"Update": 0, "Delete": 1, "Create": 2, "Announce": 3}

// publish runs one change through the publisher and returns the queued
// deliveries, grouped by activity, in a stable order.
func (e *goldenEnv) publish(t testing.TB, c wiki.Change) []goldenDelivery {
	t.Helper()
	ctx := context.Background()
	if c.RevID != 0 {
		e.w.mu.Lock()
		e.w.revs[c.RevID] = c
		e.w.mu.Unlock()
	}
	if err := e.s.Publisher().Handle(ctx, []wiki.Change{c}); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	ds, err := e.st.Claim(ctx, time.Now().Add(time.Hour), 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*goldenDelivery{}
	var ids []string
	for _, d := range ds {
		if err := e.st.Ack(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		var head struct{ ID string }
		if err := json.Unmarshal(d.Body, &head); err != nil {
			t.Fatalf("delivery body is not JSON: %v\n%s", err, d.Body)
		}
		g, ok := byID[head.ID]
		if !ok {
			g = &goldenDelivery{Signer: d.Signer, Activity: json.RawMessage(d.Body)}
			byID[head.ID] = g
			ids = append(ids, head.ID)
		} else if !bytes.Equal(g.Activity, d.Body) || g.Signer != d.Signer {
			t.Errorf("activity %s queued with different bodies or signers", head.ID)
		}
		g.Inboxes = append(g.Inboxes, d.Inbox)
	}
	out := make([]goldenDelivery, 0, len(ids))
	for _, id := range ids {
		g := byID[id]
		sort.Strings(g.Inboxes)
		out = append(out, *g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := goldenActivityType(out[i].Activity), goldenActivityType(out[j].Activity)
		if goldenTypeRank[ti] != goldenTypeRank[tj] {
			return goldenTypeRank[ti] < goldenTypeRank[tj]
		}
		return string(out[i].Activity) < string(out[j].Activity)
	})
	return out
}

func goldenActivityType(raw []byte) string {
	var head struct{ Type string }
	json.Unmarshal(raw, &head)
	return head.Type
}

// goldenPosts publishes every case in one environment, in order.
func goldenPosts(t testing.TB) (*goldenEnv, []goldenPost) {
	t.Helper()
	e := newGoldenEnv(t)
	var posts []goldenPost
	for _, gc := range goldenCases() {
		p := goldenPost{goldenCase: gc, deliveries: e.publish(t, gc.c)}
		for _, d := range p.deliveries {
			if goldenActivityType(d.Activity) != "Create" {
				continue
			}
			if err := json.Unmarshal(d.Activity, &p.create); err != nil {
				t.Fatal(err)
			}
			obj, _ := json.Marshal(p.create["object"])
			if err := json.Unmarshal(obj, &p.note); err != nil {
				t.Fatalf("%s: the Create's object is not a Note: %v", gc.name, err)
			}
		}
		posts = append(posts, p)
	}
	return e, posts
}

var goldenPemRE = regexp.MustCompile(`"publicKeyPem":"[^"]*"`)

// goldenJSON renders deliveries for a golden file: indented, the random key
// of a freshly made actor redacted, and <, >, & written as themselves (the
// wire form has \u003c etc.; both decode to the same JSON).
func goldenJSON(t testing.TB, ds []goldenDelivery) []byte {
	t.Helper()
	red := make([]goldenDelivery, len(ds))
	for i, d := range ds {
		d.Activity = goldenPemRE.ReplaceAll(d.Activity, []byte(`"publicKeyPem":"<redacted: generated per run>"`))
		red[i] = d
	}
	b, err := json.MarshalIndent(red, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = goldenUnescapeHTML(b)
	var check any
	if err := json.Unmarshal(b, &check); err != nil {
		t.Fatalf("golden rendering is not JSON: %v", err)
	}
	return append(b, '\n')
}

// goldenUnescapeHTML turns the \u003c, \u003e and \u0026 escapes of
// encoding/json back into the characters, leaving every other escape
// (including an escaped backslash before a literal "u003c") alone.
func goldenUnescapeHTML(b []byte) []byte {
	var out bytes.Buffer
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out.WriteByte(b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch string(b[i+2 : i+6]) {
			case "003c":
				out.WriteByte('<')
				i += 5
				continue
			case "003e":
				out.WriteByte('>')
				i += 5
				continue
			case "0026":
				out.WriteByte('&')
				i += 5
				continue
			}
		}
		out.Write(b[i : i+2])
		i++
	}
	return out.Bytes()
}

// goldenContentText is the text of a post's HTML as a reader sees it: one line
// per paragraph, entities decoded.
func goldenContentText(t testing.TB, content string) string {
	t.Helper()
	nodes, err := xhtml.ParseFragment(strings.NewReader(content), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("content does not parse: %v", err)
	}
	var lines []string
	for _, n := range nodes {
		lines = append(lines, goldenNodeText(n))
	}
	return strings.Join(lines, "\n")
}

func goldenNodeText(n *xhtml.Node) string {
	if n.Type == xhtml.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(goldenNodeText(c))
	}
	return b.String()
}

func TestNoteGolden(t *testing.T) {
	_, posts := goldenPosts(t)
	seen := map[string]bool{}
	for _, p := range posts {
		t.Run(p.name, func(t *testing.T) {
			got := goldenJSON(t, p.deliveries)
			path := filepath.Join("testdata", "golden", p.name+".json")
			if seen[path] {
				t.Fatalf("two cases write %s", path)
			}
			seen[path] = true
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run with -update and review the diff)\n--- got ---\n%s", path, got)
			}
		})
	}
}

// TestNoteGoldenAssertions checks what the golden files must show, so that
// an -update cannot silently bless a wrong post.
func TestNoteGoldenAssertions(t *testing.T) {
	e, posts := goldenPosts(t)
	iris := e.s.iris
	for _, p := range posts {
		t.Run(p.name, func(t *testing.T) {
			all := string(goldenJSON(t, p.deliveries))
			for _, d := range p.deliveries {
				all += string(d.Activity)
			}
			for _, s := range p.absent {
				if strings.Contains(all, s) {
					t.Errorf("%q appears in what is delivered:\n%s", s, all)
				}
			}
			// Which activities go where.
			var types []string
			for _, d := range p.deliveries {
				types = append(types, goldenActivityType(d.Activity))
			}
			want := append(append([]string{}, p.extra...), "Create")
			if p.announcedBy != 0 {
				want = append(want, "Announce")
			}
			if !slices.Equal(types, want) {
				t.Fatalf("activities = %v, want %v", types, want)
			}
			if p.create == nil {
				t.Fatal("no Create")
			}
			pageID := iris.Actor(p.page)
			n := p.note
			// The Create and its Note.
			if p.create["@context"] != "https://www.w3.org/ns/activitystreams" || p.create["actor"] != pageID ||
				p.create["id"] != n.ID+"/activity" {
				t.Errorf("Create head = %v %v %v", p.create["@context"], p.create["actor"], p.create["id"])
			}
			for _, d := range p.deliveries {
				switch goldenActivityType(d.Activity) {
				case "Create":
					if d.Signer != pageID || !slices.Equal(d.Inboxes, []string{pageFollowersInbox}) {
						t.Errorf("Create signed by %s to %v", d.Signer, d.Inboxes)
					}
				case "Announce":
					var a map[string]any
					json.Unmarshal(d.Activity, &a)
					booster := iris.Actor(actors.Ref{Kind: actors.KindUser, ID: p.announcedBy})
					if d.Signer != booster || a["actor"] != booster || a["object"] != n.ID ||
						!slices.Equal(d.Inboxes, []string{editorFollowersInbox}) {
						t.Errorf("Announce = %v signed by %s to %v", a, d.Signer, d.Inboxes)
					}
				case "Delete":
					var a struct {
						Actor  string
						Object struct{ ID, Type string }
					}
					json.Unmarshal(d.Activity, &a)
					if a.Object.ID != goldenBase+"/ap/rev/900" || a.Object.Type != "Tombstone" || d.Signer != a.Actor {
						t.Errorf("Delete = %s", d.Activity)
					}
				case "Update":
					// The actor as it is after the change: renamed by a move,
					// its bio saying so after a deletion, and not after a
					// restoration.
					var a struct {
						Actor  string
						Object struct{ ID, Name, Type, Summary string }
					}
					json.Unmarshal(d.Activity, &a)
					wantName := p.c.Title
					if p.c.Move != nil {
						wantName = p.c.Move.TargetTitle
					}
					if a.Actor != pageID || a.Object.ID != pageID || a.Object.Name != wantName {
						t.Errorf("Update = %s", d.Activity)
					}
					if deleted := strings.Contains(a.Object.Summary, "was deleted"); deleted != (p.c.Kind == wiki.KindDelete) {
						t.Errorf("after %s the actor's bio reads %q", p.c.Kind, a.Object.Summary)
					}
				}
			}
			if n.Type != "Note" || !strings.HasPrefix(n.ID, goldenBase+"/ap/") {
				t.Errorf("note id/type = %s %s", n.ID, n.Type)
			}
			if n.AttributedTo != pageID {
				t.Errorf("attributedTo = %s, want %s", n.AttributedTo, pageID)
			}
			if !n.Published.Equal(p.c.Timestamp) || n.Published.Location() != time.UTC {
				t.Errorf("published = %v, want %v", n.Published, p.c.Timestamp)
			}
			if n.URL != p.url {
				t.Errorf("url = %s, want %s", n.URL, p.url)
			}
			// Unlisted by default: followers in to, Public in cc.
			followers := iris.Followers(p.page)
			if !slices.Equal(n.To, []string{followers}) || !slices.Equal(n.CC, []string{activity.Public}) {
				t.Errorf("to = %v, cc = %v; want to [%s], cc [Public]", n.To, n.CC, followers)
			}
			if got := goldenContentText(t, n.Content); got != p.text {
				t.Errorf("post reads\n  %q\nwant\n  %q\nHTML: %s", got, p.text, n.Content)
			}
			for _, frag := range p.mustContain {
				if !strings.Contains(n.Content, frag) {
					t.Errorf("content lacks %s:\n%s", frag, n.Content)
				}
			}
			var tags []string
			for _, tag := range n.Tag {
				if tag.Type != "Hashtag" || !strings.HasPrefix(tag.Href, goldenBase+"/wiki/Category:") {
					t.Errorf("tag %+v: want a Hashtag linking its category", tag)
				}
				tags = append(tags, tag.Name)
			}
			if !slices.Equal(tags, p.tags) {
				t.Errorf("hashtags %q, want %q", tags, p.tags)
			}
			// A revision's post is in its page's language.
			if rev := p.c.Kind == wiki.KindNew || p.c.Kind == wiki.KindEdit; rev != (n.ContentMap["en"] == n.Content) || len(n.ContentMap) > 1 {
				t.Errorf("contentMap %v for a %s", n.ContentMap, p.c.Kind)
			}
			if p.attachment != "" {
				if len(n.Attachment) != 1 || n.Attachment[0].URL != p.attachment || n.Attachment[0].Type != "Image" ||
					n.Attachment[0].MediaType != "image/jpeg" {
					t.Errorf("attachment = %+v", n.Attachment)
				} else {
					wantAlt := p.c.Comment
					if p.c.CommentHidden {
						wantAlt = ""
					}
					if p.alt != "" {
						wantAlt = p.alt
					}
					if n.Attachment[0].Name != wantAlt {
						t.Errorf("attachment alt = %q, want %q", n.Attachment[0].Name, wantAlt)
					}
				}
			} else if len(n.Attachment) != 0 {
				t.Errorf("unexpected attachment %+v", n.Attachment)
			}
		})
	}
}

// goldenFetch GETs one of our object ids as a Fediverse server would.
func goldenFetch(t testing.TB, e *goldenEnv, id string) (int, map[string]any) {
	t.Helper()
	mux := http.NewServeMux()
	e.s.Routes(mux)
	req := httptest.NewRequest("GET", id, nil)
	req.Header.Set("Accept", activity.ContentType)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var doc map[string]any
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("GET %s: %v", id, err)
		}
	}
	return rec.Code, doc
}

// goldenSameNote compares a served object with the delivered Note.
func goldenSameNote(t testing.TB, served map[string]any, delivered any) {
	t.Helper()
	if served["@context"] != "https://www.w3.org/ns/activitystreams" {
		t.Errorf("served @context = %v", served["@context"])
	}
	delete(served, "@context")
	d, _ := json.Marshal(delivered)
	sv, _ := json.Marshal(served)
	if string(sv) != string(d) {
		t.Errorf("served note differs from delivered:\nserved    %s\ndelivered %s", sv, d)
	}
}

// TestNoteGoldenServedMatchesDelivered: a revision's post fetched from
// /ap/rev/{id} is the Note that was delivered (Mastodon fetches it to
// resolve an Announce, a reply or a pasted URL).
func TestNoteGoldenServedMatchesDelivered(t *testing.T) {
	e, posts := goldenPosts(t)
	for _, p := range posts {
		if p.c.RevID == 0 || p.c.Kind == wiki.KindCategorize {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			code, served := goldenFetch(t, e, p.note.ID)
			if code != http.StatusOK {
				t.Fatalf("GET %s: status %d", p.note.ID, code)
			}
			goldenSameNote(t, served, p.create["object"])
		})
	}
}

// TestNoteGoldenAnnouncedObjectsFetchable: an Announce carries only the
// post's id, and goes to the editor's followers, whose servers did not get
// the Create; Mastodon then fetches the id (ActivityPub::Activity::Announce,
// status_from_object → FetchRemoteStatusService) and drops the Announce if
// that fails. So every announced id must be served.
func TestNoteGoldenAnnouncedObjectsFetchable(t *testing.T) {
	e, posts := goldenPosts(t)
	for _, p := range posts {
		if p.announcedBy == 0 {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			code, served := goldenFetch(t, e, p.note.ID)
			switch {
			case code != http.StatusOK:
				t.Fatalf("GET %s: status %d", p.note.ID, code)
			}
			goldenSameNote(t, served, p.create["object"])
		})
	}
}

// TestNoteGoldenSweepKeepsDeliveredPosts: the sweep withdraws posts whose
// revision the wiki hid after they were sent; a post sent as it is must
// stay.
func TestNoteGoldenSweepKeepsDeliveredPosts(t *testing.T) {
	e, _ := goldenPosts(t)
	ctx := context.Background()
	stats, err := e.s.NewSweeper(publish.SweepConfig{Window: 100 * 365 * 24 * time.Hour, Logger: slog.New(slog.DiscardHandler)}).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Checked == 0 {
		t.Fatal("the sweep checked nothing")
	}
	ds, err := e.st.Claim(ctx, time.Now().Add(time.Hour), 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var withdrawn []string
	for _, d := range ds {
		var a struct {
			Type   string
			Object struct{ ID string }
		}
		json.Unmarshal(d.Body, &a)
		withdrawn = append(withdrawn, a.Type+" "+a.Object.ID)
	}
	if stats.Withdrawn > 0 {
		t.Errorf("the sweep withdrew %d posts that were made with their hidden parts left out: %v", stats.Withdrawn, withdrawn)
	}
	if len(ds) > 0 {
		t.Errorf("the sweep queued %v", withdrawn)
	}
}

// TestNoteGoldenMinimalServer builds a post the other way, from a bare
// publisher and hand-made actors (EditNote needs only IRIs and the wiki), with
// PublicTimelines on: Public moves from cc to to, and the text is the same
// as through the whole publisher.
func TestNoteGoldenMinimalServer(t *testing.T) {
	_, posts := goldenPosts(t)
	var edit goldenPost
	for _, p := range posts {
		if p.name == "edit" {
			edit = p
		}
	}
	p := publish.New(publish.Config{PublicTimelines: true}, publish.Deps{Wiki: newGoldenWiki(), IRIs: actors.IRIs{Base: goldenBase}})
	page := &actors.Actor{Ref: actors.Ref{Kind: actors.KindPage, ID: pgEinstein}, Handle: "albert_einstein", Name: "Albert Einstein",
		URL: "https://wiki.example/wiki/Albert_Einstein"}
	jimbo := &actors.Actor{Ref: actors.Ref{Kind: actors.KindUser, ID: usJimbo}, Handle: "jimbo_wales", Name: "Jimbo Wales",
		URL: "https://wiki.example/wiki/User:Jimbo_Wales"}
	n := p.EditNote(&edit.c, page, publish.Editor{Actor: jimbo}, publish.Extras{Language: "en", Categories: goldenCategories[pgEinstein]})
	if !slices.Equal(n.To, []string{activity.Public}) || !slices.Equal(n.CC, []string{goldenBase + "/ap/page/10/followers"}) {
		t.Errorf("public timelines: to = %v, cc = %v", n.To, n.CC)
	}
	n.To, n.CC = edit.note.To, edit.note.CC
	encoded, err := activity.Marshal(n.Item())
	if err != nil {
		t.Fatal(err)
	}
	var read goldenNote
	if err := json.Unmarshal(encoded, &read); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(read)
	want, _ := json.Marshal(edit.note)
	if string(got) != string(want) {
		t.Errorf("EditNote with hand-made actors:\n%s\nthrough the publisher:\n%s", got, want)
	}
}

// TestNoteGoldenUnsentRevisionPlain: a revision no one was sent a post
// about is served without the page's extras (language, hashtags, excerpt,
// lead image), so fetching arbitrary revision ids costs a fetcher's target
// no extra wiki requests; one that went out is served as it was sent
// (TestNoteGoldenServedMatchesDelivered).
func TestNoteGoldenUnsentRevisionPlain(t *testing.T) {
	e, _ := goldenPosts(t)
	c := wiki.Change{RCID: 9999, Kind: wiki.KindEdit, Timestamp: goldenTime("2024-05-15T10:00:00Z"), Title: "Albert Einstein",
		PageID: pgEinstein, RevID: 1999, OldRevID: 1003, OldSize: 5039, NewSize: 5040, User: "Ada Lovelace", UserID: usAda,
		Comment: "unsent", ParsedComment: "unsent"}
	e.w.mu.Lock()
	e.w.revs[c.RevID] = c
	e.w.mu.Unlock()
	code, served := goldenFetch(t, e, goldenBase+"/ap/rev/1999")
	if code != http.StatusOK {
		t.Fatalf("GET /ap/rev/1999: status %d", code)
	}
	for _, k := range []string{"contentMap", "tag", "attachment"} {
		if v, ok := served[k]; ok {
			t.Errorf("an unsent revision's post carries %s: %v", k, v)
		}
	}
}
