package actors

import "testing"

func TestIRIs(t *testing.T) {
	i := IRIs{Base: "https://wiki.example"}
	for _, tc := range []struct {
		got, want string
	}{
		{i.Actor(Ref{Kind: KindPage, ID: 12}), "https://wiki.example/ap/page/12"},
		{i.Actor(Ref{Kind: KindUser, ID: 3}), "https://wiki.example/ap/user/3"},
		{i.Actor(Ref{Kind: KindInstance}), "https://wiki.example/ap/instance"},
		{i.Key(Ref{Kind: KindUser, ID: 3}), "https://wiki.example/ap/user/3#main-key"},
		{i.Followers(Ref{Kind: KindPage, ID: 12}), "https://wiki.example/ap/page/12/followers"},
		{i.SharedInbox(), "https://wiki.example/ap/inbox"},
		{i.Avatar("abc"), "https://wiki.example/ap/avatar?v=abc"},
		{i.RevisionPost(1002), "https://wiki.example/ap/rev/1002"},
		{i.LogPost(501), "https://wiki.example/ap/log/501"},
		{i.ChangePost(77), "https://wiki.example/ap/rc/77"},
		{i.Host(), "wiki.example"},
		{IRIs{Base: "http://127.0.0.1:8080"}.Host(), "127.0.0.1:8080"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	for _, tc := range []struct {
		id   string
		ref  Ref
		isOK bool
	}{
		{"https://wiki.example/ap/page/12", Ref{Kind: KindPage, ID: 12}, true},
		{"https://wiki.example/ap/user/3#main-key", Ref{Kind: KindUser, ID: 3}, true},
		{"https://wiki.example/ap/instance", Ref{Kind: KindInstance}, true},
		{"https://wiki.example/ap/page/012", Ref{}, false},
		{"https://wiki.example/ap/page/0", Ref{}, false},
		{"https://wiki.example/ap/rev/12", Ref{}, false},
		{"https://other.example/ap/page/12", Ref{}, false},
	} {
		if ref, ok := i.ParseActor(tc.id); ok != tc.isOK || ref != tc.ref {
			t.Errorf("ParseActor(%s) = %v %v", tc.id, ref, ok)
		}
	}
	for _, tc := range []struct {
		id         string
		post       bool
		rev, logID int64
	}{
		{"https://wiki.example/ap/rev/1002", true, 1002, 0},
		{"https://wiki.example/ap/log/501", true, 0, 501},
		{"https://wiki.example/ap/rc/77", true, 0, 0},
		{"https://wiki.example/ap/rev/01002", true, 0, 0},
		{"https://wiki.example/ap/page/12", false, 0, 0},
		{"https://other.example/ap/rev/1", false, 0, 0},
	} {
		rev, _ := i.RevisionOf(tc.id)
		logID, _ := i.LogEntryOf(tc.id)
		if i.IsPost(tc.id) != tc.post || rev != tc.rev || logID != tc.logID {
			t.Errorf("%s: post %v rev %d log %d", tc.id, i.IsPost(tc.id), rev, logID)
		}
	}
}
