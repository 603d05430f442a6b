package wiki

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// parseFixture decodes a recent-changes answer from testdata and converts
// every row, keyed by rcid.
func parseFixture(t *testing.T, name string) map[int64]Change {
	t.Helper()
	var resp rcResponse
	if err := json.Unmarshal(fixture(t, name), &resp); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[int64]Change{}
	for i := range resp.Query.RecentChanges {
		row := resp.Query.RecentChanges[i]
		ch, err := row.change()
		if err != nil {
			t.Fatalf("%s: row %d: %v", name, row.RCID, err)
		}
		out[ch.RCID] = ch
	}
	return out
}

// compactParams is the log parameters as compact JSON, "" for none.
func compactParams(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if raw == nil {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("log params %s: %v", raw, err)
	}
	return b.String()
}

func dump(c Change) string {
	b, _ := json.Marshal(c)
	return string(b)
}

func TestRowChange(t *testing.T) {
	pages := parseFixture(t, "rc_pages.json")
	logs := parseFixture(t, "rc_logs.json")
	hidden := parseFixture(t, "rc_hidden.json")
	none := []string{}

	tests := []struct {
		name   string
		got    map[int64]Change
		want   Change
		params string // compact JSON of the kept log parameters, "" for nil
	}{
		{"new page", pages, Change{
			RCID: 101, Kind: KindNew, Timestamp: ts(t, "2024-05-01T10:00:01Z"), Namespace: 0, Title: "Foo",
			PageID: 10, RevID: 100, User: "Alice", UserID: 2,
			Comment: `Created page with "hello"`, ParsedComment: "Created page with &quot;hello&quot;",
			OldSize: 0, NewSize: 120, Tags: none, SHA1: "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed",
		}, ""},
		{"minor edit", pages, Change{
			RCID: 102, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T10:00:02Z"), Namespace: 1, Title: "Talk:Foo",
			PageID: 11, RevID: 102, OldRevID: 99, User: "Alice", UserID: 2, Comment: "typo", ParsedComment: "typo",
			OldSize: 300, NewSize: 290, Minor: true, Tags: []string{"mw-undo"}, SHA1: "bbbb",
		}, ""},
		{"bot edit to a redirect", pages, Change{
			RCID: 103, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T10:00:03Z"), Namespace: 0, Title: "Bar",
			PageID: 12, RevID: 103, OldRevID: 98, User: "CleanupBot", UserID: 7,
			Comment: "bot: fixing links", ParsedComment: "bot: fixing links", OldSize: 50, NewSize: 80,
			Bot: true, Redirect: true, Tags: []string{"mw-changed-redirect-target", "bot-tag"}, SHA1: "cccc",
		}, ""},
		{"anonymous edit", pages, Change{
			RCID: 104, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T10:00:04Z"), Namespace: 0, Title: "Foo",
			PageID: 10, RevID: 104, OldRevID: 100, User: "192.0.2.7", UserID: 0, Anonymous: true,
			OldSize: 120, NewSize: 0, Tags: []string{"mw-blank"}, SHA1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		}, ""},
		{"categorize", pages, Change{
			RCID: 105, Kind: KindCategorize, Timestamp: ts(t, "2024-05-01T09:50:00Z"), Namespace: 14, Title: "Category:Things",
			PageID: 20, RevID: 104, OldRevID: 104, User: "Alice", UserID: 2,
			Comment: "[[:Foo]] added to category", ParsedComment: `<a href="/wiki/Foo" title="Foo">Foo</a> added to category`,
			Tags: none, SHA1: "dddd",
		}, ""},

		{"move", logs, Change{
			RCID: 201, Kind: KindMove, Timestamp: ts(t, "2024-05-01T11:00:01Z"), Namespace: 0, Title: "Old name",
			PageID: 10, User: "Alice", UserID: 2, Comment: "better name", ParsedComment: "better name", Tags: none,
			LogID: 501, LogType: "move", LogAction: "move",
			Move: &Move{TargetNamespace: 4, TargetTitle: "Project:New name", SuppressRedirect: true},
		}, `{"target_ns":4,"target_title":"Project:New name","suppressredirect":true}`},
		{"delete", logs, Change{
			RCID: 202, Kind: KindDelete, Timestamp: ts(t, "2024-05-01T11:00:02Z"), Title: "Doomed",
			User: "Admin", UserID: 1, Comment: "spam", ParsedComment: "spam", Tags: none,
			LogID: 502, LogType: "delete", LogAction: "delete",
		}, ""},
		{"delete_redir", logs, Change{
			RCID: 203, Kind: KindDelete, Timestamp: ts(t, "2024-05-01T11:00:03Z"), Title: "Redirect left",
			User: "Admin", UserID: 1, Comment: "Deleted to make way for move", ParsedComment: "Deleted to make way for move",
			Tags: none, LogID: 503, LogType: "delete", LogAction: "delete_redir",
		}, ""},
		{"restore", logs, Change{
			RCID: 204, Kind: KindRestore, Timestamp: ts(t, "2024-05-01T11:00:04Z"), Title: "Doomed", PageID: 13,
			User: "Admin", UserID: 1, Comment: "not spam", ParsedComment: "not spam", Tags: none,
			LogID: 504, LogType: "delete", LogAction: "restore",
		}, `{"count":{"revisions":3,"files":0}}`},
		{"revision deletion with string ids", logs, Change{
			RCID: 205, Kind: KindRevisionDelete, Timestamp: ts(t, "2024-05-01T11:00:05Z"), Title: "Foo", PageID: 10,
			User: "Admin", UserID: 1, Comment: "personal info", ParsedComment: "personal info", Tags: none,
			LogID: 505, LogType: "delete", LogAction: "revision",
			RevisionDelete: &RevisionDelete{Type: "revision", IDs: []int64{12, 13}, Old: 0, New: HiddenComment | HiddenUser},
		}, `{"type":"revision","ids":["12","13"],"old":{"bitmask":0,"content":false,"comment":false,"user":false,"restricted":false},"new":{"bitmask":6,"content":false,"comment":true,"user":true,"restricted":false}}`},
		{"revision undeletion with int ids", logs, Change{
			RCID: 206, Kind: KindRevisionDelete, Timestamp: ts(t, "2024-05-01T11:00:06Z"), Title: "Foo", PageID: 10,
			User: "Admin", UserID: 1, Tags: none, LogID: 506, LogType: "delete", LogAction: "revision",
			RevisionDelete: &RevisionDelete{Type: "revision", IDs: []int64{12}, Old: 6, New: 0},
		}, `{"type":"revision","ids":[12],"old":{"bitmask":6},"new":{"bitmask":0}}`},
		{"log entry deletion (event)", logs, Change{
			RCID: 207, Kind: KindRevisionDelete, Timestamp: ts(t, "2024-05-01T11:00:07Z"), Namespace: 2, Title: "User:Alice",
			User: "Admin", UserID: 1, Tags: none, LogID: 507, LogType: "delete", LogAction: "event",
			RevisionDelete: &RevisionDelete{Type: "logging", IDs: []int64{480}, Old: 0, New: HiddenContent},
		}, `{"type":"logging","ids":["480"],"old":{"bitmask":0},"new":{"bitmask":1}}`},
		{"upload", logs, Change{
			RCID: 208, Kind: KindUpload, Timestamp: ts(t, "2024-05-01T11:00:08Z"), Namespace: 6, Title: "File:Cat.jpg",
			PageID: 30, RevID: 300, User: "Alice", UserID: 2, Comment: "a cat", ParsedComment: "a cat", Tags: none,
			SHA1: "eeee", LogID: 508, LogType: "upload", LogAction: "upload",
		}, `{"img_sha1":"1b2c3d","img_timestamp":"2024-05-01T11:00:08Z"}`},
		{"newusers create", logs, Change{
			RCID: 209, Kind: KindNewAccount, Timestamp: ts(t, "2024-05-01T11:00:09Z"), Namespace: 2, Title: "User:Newbie",
			User: "Newbie", UserID: 9, Tags: none, LogID: 509, LogType: "newusers", LogAction: "create",
		}, `{"userid":9}`},
		{"newusers create2", logs, Change{
			RCID: 210, Kind: KindNewAccount, Timestamp: ts(t, "2024-05-01T11:00:10Z"), Namespace: 2, Title: "User:Sock",
			User: "Admin", UserID: 1, Comment: "for a friend", ParsedComment: "for a friend", Tags: none,
			LogID: 510, LogType: "newusers", LogAction: "create2",
		}, `{"userid":10}`},
		{"newusers autocreate", logs, Change{
			RCID: 211, Kind: KindNewAccount, Timestamp: ts(t, "2024-05-01T11:00:11Z"), Namespace: 2, Title: "User:SSO",
			User: "SSO", UserID: 11, Tags: none, LogID: 511, LogType: "newusers", LogAction: "autocreate",
		}, `{"userid":11}`},
		{"protect", logs, Change{
			RCID: 212, Kind: KindProtect, Timestamp: ts(t, "2024-05-01T11:00:12Z"), Title: "Foo", PageID: 10,
			User: "Admin", UserID: 1, Comment: "vandalism", ParsedComment: "vandalism", Tags: none,
			LogID: 512, LogType: "protect", LogAction: "protect",
		}, `{"description":"[edit=sysop] (indefinite)","cascade":false,"details":[{"type":"edit","level":"sysop","expiry":"infinite","cascade":false}]}`},
		{"unprotect", logs, Change{
			RCID: 213, Kind: KindProtect, Timestamp: ts(t, "2024-05-01T11:00:13Z"), Title: "Foo", PageID: 10,
			User: "Admin", UserID: 1, Comment: "calm now", ParsedComment: "calm now", Tags: none,
			LogID: 513, LogType: "protect", LogAction: "unprotect",
		}, ""},
		{"block", logs, Change{
			RCID: 214, Kind: KindBlock, Timestamp: ts(t, "2024-05-01T11:00:14Z"), Namespace: 2, Title: "User:192.0.2.7",
			User: "Admin", UserID: 1, Comment: "vandalism", ParsedComment: "vandalism", Tags: none,
			LogID: 514, LogType: "block", LogAction: "block",
		}, `{"duration":"1 week","flags":["anononly","nocreate"],"sitewide":true,"expiry":"2024-05-08T11:00:14Z"}`},
		{"unblock", logs, Change{
			RCID: 215, Kind: KindBlock, Timestamp: ts(t, "2024-05-01T11:00:15Z"), Namespace: 2, Title: "User:192.0.2.7",
			User: "Admin", UserID: 1, Tags: none, LogID: 515, LogType: "block", LogAction: "unblock",
		}, ""},
		{"unknown log type rights", logs, Change{
			RCID: 216, Kind: KindLog, Timestamp: ts(t, "2024-05-01T11:00:16Z"), Namespace: 2, Title: "User:CleanupBot",
			User: "Admin", UserID: 1, Comment: "approved", ParsedComment: "approved", Tags: none,
			LogID: 516, LogType: "rights", LogAction: "rights",
		}, `{"oldgroups":[],"newgroups":["bot"],"oldmetadata":[],"newmetadata":[{"group":"bot","expiry":"infinity"}]}`},
		{"unknown log type merge", logs, Change{
			RCID: 217, Kind: KindLog, Timestamp: ts(t, "2024-05-01T11:00:17Z"), Title: "Dup", PageID: 14,
			User: "Admin", UserID: 1, Tags: none, LogID: 517, LogType: "merge", LogAction: "merge",
		}, `{"dest_ns":0,"dest_title":"Original","mergepoint":"2024-04-30T08:00:00Z"}`},
		{"unknown log type with empty params", logs, Change{
			RCID: 218, Kind: KindLog, Timestamp: ts(t, "2024-05-01T11:00:18Z"), Title: "Foo", PageID: 10,
			User: "Admin", UserID: 1, Tags: none, LogID: 518, LogType: "patrol", LogAction: "patrol",
		}, ""},

		{"userhidden anon edit read with rights", hidden, Change{
			RCID: 301, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T12:00:01Z"), Title: "Foo", PageID: 10,
			RevID: 301, OldRevID: 300, Comment: "visible", ParsedComment: "visible", OldSize: 10, NewSize: 20,
			Tags: none, SHA1: "ffff", UserHidden: true,
		}, ""},
		{"userhidden edit read with rights", hidden, Change{
			RCID: 302, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T12:00:02Z"), Title: "Foo", PageID: 10,
			RevID: 302, OldRevID: 301, Comment: "visible", ParsedComment: "visible", OldSize: 20, NewSize: 30,
			Tags: none, SHA1: "ffff", UserHidden: true,
		}, ""},
		{"commenthidden read with rights", hidden, Change{
			RCID: 303, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T12:00:03Z"), Title: "Foo", PageID: 10,
			RevID: 303, OldRevID: 302, User: "Alice", UserID: 2, OldSize: 30, NewSize: 40,
			Tags: none, SHA1: "ffff", CommentHidden: true,
		}, ""},
		{"sha1hidden read with rights", hidden, Change{
			RCID: 304, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T12:00:04Z"), Title: "Foo", PageID: 10,
			RevID: 304, OldRevID: 303, User: "Alice", UserID: 2, Comment: "ok", ParsedComment: "ok",
			OldSize: 40, NewSize: 50, Tags: none, ContentHidden: true,
		}, ""},
		{"actionhidden move read with rights", hidden, Change{
			RCID: 305, Kind: KindMove, Timestamp: ts(t, "2024-05-01T12:00:05Z"),
			User: "Alice", UserID: 2, Comment: "why", ParsedComment: "why", Tags: none,
			LogID: 605, LogType: "move", LogAction: "move",
		}, ""},
		{"actionhidden read without rights", hidden, Change{
			RCID: 306, Kind: KindLog, Timestamp: ts(t, "2024-05-01T12:00:06Z"),
			User: "Admin", UserID: 1, Tags: none,
		}, ""},
		{"actionhidden revision deletion read with rights", hidden, Change{
			RCID: 307, Kind: KindRevisionDelete, Timestamp: ts(t, "2024-05-01T12:00:07Z"),
			User: "Admin", UserID: 1, Tags: none, LogID: 607, LogType: "delete", LogAction: "revision",
			RevisionDelete: &RevisionDelete{},
		}, ""},
		{"everything hidden and suppressed, read without rights", hidden, Change{
			RCID: 308, Kind: KindEdit, Timestamp: ts(t, "2024-05-01T12:00:08Z"), Title: "Foo", PageID: 10,
			RevID: 308, OldRevID: 304, OldSize: 50, NewSize: 60, Tags: none,
			UserHidden: true, CommentHidden: true, ContentHidden: true, Suppressed: true,
		}, ""},
	}
	seen := map[int64]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.got[tt.want.RCID]
			if !ok {
				t.Fatalf("no row with rcid %d in the fixture", tt.want.RCID)
			}
			seen[tt.want.RCID] = true
			if p := compactParams(t, got.LogParams); p != tt.params {
				t.Errorf("LogParams = %s, want %s", p, tt.params)
			}
			got.LogParams = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("change:\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
	// Every fixture row is covered by a case.
	for _, m := range []map[int64]Change{pages, logs, hidden} {
		for id := range m {
			if !seen[id] {
				t.Errorf("fixture row %d has no test case", id)
			}
		}
	}
}

// What the wiki hides must not leave the package in any form, whatever a
// privileged reader was given.
func TestRowChangeHiddenValuesDoNotLeak(t *testing.T) {
	hidden := parseFixture(t, "rc_hidden.json")
	var all bytes.Buffer
	for _, c := range hidden {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for _, secret := range []string{"192.0.2.99", "Doxxed Name", `"userid":42`, "555-1234", "0123456789abcdef", "Secret target", "Even more secret", "target_title"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("hidden value %q appears in the changes: %s", secret, all.String())
		}
	}
}

func TestRowChangeErrors(t *testing.T) {
	tests := []struct {
		name, row, want string
	}{
		{"unknown row type", `{"type":"external","rcid":1,"timestamp":"2024-05-01T10:00:00Z"}`, `unknown row type "external"`},
		{"missing row type", `{"rcid":1,"timestamp":"2024-05-01T10:00:00Z"}`, `unknown row type ""`},
		{"bad timestamp", `{"type":"edit","rcid":1,"timestamp":"20240501100000"}`, `timestamp "20240501100000"`},
		{"missing timestamp", `{"type":"edit","rcid":1}`, `timestamp ""`},
		{"move params not an object", `{"type":"log","rcid":1,"timestamp":"2024-05-01T10:00:00Z","logtype":"move","logaction":"move","logparams":"Bar"}`, "move log parameters"},
		{"revision ids not numbers", `{"type":"log","rcid":1,"timestamp":"2024-05-01T10:00:00Z","logtype":"delete","logaction":"revision","logparams":{"type":"revision","ids":["12a"]}}`, "revision deletion log parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var row rcRow
			if err := json.Unmarshal([]byte(tt.row), &row); err != nil {
				t.Fatal(err)
			}
			c, err := row.change()
			if err == nil {
				t.Fatalf("no error; change %s", dump(c))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestLogKind(t *testing.T) {
	tests := []struct {
		logType, action string
		want            Kind
	}{
		{"move", "move", KindMove},
		{"move", "move_redir", KindMove},
		{"delete", "delete", KindDelete},
		{"delete", "delete_redir", KindDelete},
		{"delete", "delete_redir2", KindDelete},
		{"delete", "restore", KindRestore},
		{"delete", "revision", KindRevisionDelete},
		{"delete", "event", KindRevisionDelete},
		{"delete", "something_new", KindLog},
		{"upload", "upload", KindUpload},
		{"upload", "overwrite", KindUpload},
		{"upload", "revert", KindUpload},
		{"newusers", "create", KindNewAccount},
		{"newusers", "create2", KindNewAccount},
		{"newusers", "autocreate", KindNewAccount},
		{"newusers", "byemail", KindNewAccount},
		{"protect", "protect", KindProtect},
		{"protect", "modify", KindProtect},
		{"protect", "unprotect", KindProtect},
		{"protect", "move_prot", KindProtect},
		{"block", "block", KindBlock},
		{"block", "reblock", KindBlock},
		{"block", "unblock", KindBlock},
		{"renameuser", "renameuser", KindUserRename},
		{"renameuser", "something_new", KindLog},
		{"rights", "rights", KindLog},
		{"merge", "merge", KindLog},
		{"suppress", "delete", KindLog},
		{"", "", KindLog},
	}
	for _, tt := range tests {
		if got := logKind(tt.logType, tt.action); got != tt.want {
			t.Errorf("logKind(%q, %q) = %q, want %q", tt.logType, tt.action, got, tt.want)
		}
	}
}

func TestIsEmptyParams(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{"", true}, {"[]", true}, {" [] ", true}, {"{}", true}, {"null", true},
		{`{"a":1}`, false}, {`[1]`, false}, {`"x"`, false},
	}
	for _, tt := range tests {
		var raw json.RawMessage
		if tt.raw != "" {
			raw = json.RawMessage(tt.raw)
		}
		if got := isEmptyParams(raw); got != tt.want {
			t.Errorf("isEmptyParams(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func TestRecentChangesQueryAndContinue(t *testing.T) {
	pageOne := fixture(t, "rc_pages.json")
	pageTwo := fixture(t, "rc_logs.json")
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Form.Get("list") != "recentchanges" {
			http.Error(w, "unexpected", http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.Form.Get("rccontinue") {
		case "":
			w.Write(pageOne)
		case "20240501100010|106":
			w.Write(pageTwo)
		default:
			http.Error(w, "bad rccontinue", http.StatusTeapot)
		}
	})
	c := newTestClient(t, api.URL)
	ctx := context.Background()
	// A local time with a fraction: the query must be in UTC, to the second.
	start := time.Date(2024, 5, 1, 12, 0, 0, 700_000_000, time.FixedZone("CEST", 2*3600))

	rows, next, err := c.RecentChanges(ctx, RCQuery{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if next != "20240501100010|106" {
		t.Errorf("next = %q, want the answer's rccontinue", next)
	}
	if got, want := rcids(rows), []int64{101, 102, 103, 104, 105}; !reflect.DeepEqual(got, want) {
		t.Errorf("first page rcids = %v, want %v", got, want)
	}

	rows, next, err = c.RecentChanges(ctx, RCQuery{Start: start, Continue: next})
	if err != nil {
		t.Fatal(err)
	}
	if next != "" {
		t.Errorf("next on the last page = %q, want empty", next)
	}
	if len(rows) != 18 || rows[0].RCID != 201 || rows[17].RCID != 218 {
		t.Errorf("second page rcids = %v, want 201..218", rcids(rows))
	}

	_, _, err = c.RecentChanges(ctx, RCQuery{Start: start, Types: []string{"categorize"}})
	if err != nil {
		t.Fatal(err)
	}

	var rc []apiRequest
	for _, r := range api.requests() {
		if r.Form.Get("list") == "recentchanges" {
			rc = append(rc, r)
		}
	}
	if len(rc) != 3 {
		t.Fatalf("%d recentchanges requests, want 3", len(rc))
	}
	base := map[string]string{
		"action":        "query",
		"list":          "recentchanges",
		"rcdir":         "newer",
		"rcstart":       "2024-05-01T10:00:00Z",
		"rclimit":       "max",
		"rcprop":        "title|ids|sizes|flags|user|userid|comment|parsedcomment|timestamp|loginfo|tags|sha1|redirect",
		"rctype":        "edit|new|log|categorize",
		"format":        "json",
		"formatversion": "2",
		"maxlag":        "5",
	}
	want := []map[string]string{base, clone(base, "rccontinue", "20240501100010|106", "continue", "-||"), clone(base, "rctype", "categorize")}
	for i, r := range rc {
		if r.Method != http.MethodGet {
			t.Errorf("request %d: method %s, want GET", i, r.Method)
		}
		got := map[string]string{}
		for k, v := range r.Form {
			got[k] = strings.Join(v, "\x00")
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("request %d parameters:\n got %v\nwant %v", i, got, want[i])
		}
	}
}

func TestRecentChangesBadRow(t *testing.T) {
	body := fixture(t, "rc_badtype.json")
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	c := newTestClient(t, api.URL)
	rows, next, err := c.RecentChanges(context.Background(), RCQuery{Start: ts(t, "2024-05-01T13:00:00Z")})
	if err == nil {
		t.Fatalf("no error; rows %v next %q", rcids(rows), next)
	}
	for _, want := range []string{"recent change 402", `unknown row type "external"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if rows != nil || next != "" {
		t.Errorf("rows %v, next %q on error, want nothing", rcids(rows), next)
	}
}

func TestRecentChangesAPIError(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"error":{"code":"badtimestamp_rcstart","info":"Invalid value for rcstart."}}`)
	})
	c := newTestClient(t, api.URL)
	_, _, err := c.RecentChanges(context.Background(), RCQuery{Start: ts(t, "2024-05-01T13:00:00Z")})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "badtimestamp_rcstart" {
		t.Fatalf("error %v, want an *APIError badtimestamp_rcstart", err)
	}
	if want := "reading recent changes from 2024-05-01T13:00:00Z"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if n := api.count("query") - 1; n != 1 {
		t.Errorf("%d recentchanges requests, want 1 (API errors are not retried)", n)
	}
}

func rcids(cs []Change) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.RCID)
	}
	return out
}

func clone(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
