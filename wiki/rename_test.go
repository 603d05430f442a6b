package wiki

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseUserRename(t *testing.T) {
	for _, tt := range []struct {
		raw     string
		want    *UserRename
		wantErr bool
	}{
		{`{"olduser":"Jimbo","newuser":"Jimbo Wales","edits":3}`, &UserRename{OldName: "Jimbo", NewName: "Jimbo Wales"}, false},
		{`{"olduser":"A","newuser":"B"}`, &UserRename{OldName: "A", NewName: "B"}, false},
		// The oldest log format kept everything in the comment.
		{`{"edits":3}`, nil, true},
		{`[]`, nil, true},
	} {
		got, err := parseUserRename(json.RawMessage(tt.raw))
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseUserRename(%s) = %+v, %v; want %+v, error %v", tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRegisteredBy(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		reg  time.Time
		want bool
	}{
		{time.Time{}, true}, // accounts from before MediaWiki 1.3
		{at.Add(-time.Hour), true},
		{at, true},
		{at.Add(time.Second), false},
	} {
		if got := registeredBy(User{Registration: tt.reg}, at); got != tt.want {
			t.Errorf("registeredBy(%v, %v) = %v", tt.reg, at, got)
		}
	}
}

// TestRenameRowsWithHiddenParams: a rename whose log entry hides its
// target (and so its parameters) is a KindUserRename without names, and
// costs no look-up.
func TestRenameRowsWithHiddenParams(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Form.Get("list") != "recentchanges" {
			http.Error(w, "unexpected "+r.Form.Encode(), http.StatusTeapot)
			return
		}
		writeJSON(w, `{"batchcomplete":true,"query":{"recentchanges":[
			{"type":"log","ns":2,"title":"","rcid":5,"user":"Admin","userid":1,"timestamp":"2024-05-01T12:00:00Z",
			 "logid":9,"logtype":"renameuser","logaction":"renameuser","actionhidden":true,"logparams":{"olduser":"A","newuser":"B"}}]}}`)
	})
	c := newTestClient(t, f.URL)
	changes, _, err := c.RecentChanges(context.Background(), RCQuery{Start: time.Unix(0, 0)})
	if err != nil || len(changes) != 1 {
		t.Fatalf("RecentChanges = %+v, %v", changes, err)
	}
	if ch := changes[0]; ch.Kind != KindUserRename || ch.Rename != nil || ch.LogParams != nil {
		t.Errorf("a hidden rename = %+v", ch)
	}
	for _, r := range f.requests() {
		if strings.Contains(r.Form.Encode(), "list=users") || r.Form.Get("list") == "logevents" {
			t.Errorf("a look-up for a hidden rename: %s", r.Form.Encode())
		}
	}
}
