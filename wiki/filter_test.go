package wiki

import "testing"

func TestFilterAllows(t *testing.T) {
	edit := Change{Kind: KindEdit, Namespace: 0}
	talk := Change{Kind: KindEdit, Namespace: 1}
	minor := Change{Kind: KindEdit, Namespace: 0, Minor: true}
	bot := Change{Kind: KindEdit, Namespace: 0, Bot: true}
	minorBot := Change{Kind: KindEdit, Namespace: 0, Minor: true, Bot: true}
	cat := Change{Kind: KindCategorize, Namespace: 14}
	moveIn := Change{Kind: KindMove, Namespace: 2, Move: &Move{TargetNamespace: 0, TargetTitle: "Draft done"}}
	moveOut := Change{Kind: KindMove, Namespace: 0, Move: &Move{TargetNamespace: 2, TargetTitle: "User:A/Draft"}}
	moveElsewhere := Change{Kind: KindMove, Namespace: 2, Move: &Move{TargetNamespace: 3, TargetTitle: "User talk:A"}}
	hiddenMove := Change{Kind: KindMove, Namespace: 2} // actionhidden: no target known
	botMoveIn := Change{Kind: KindMove, Namespace: 2, Bot: true, Move: &Move{TargetNamespace: 0}}
	account := Change{Kind: KindNewAccount, Namespace: 2}
	botDelete := Change{Kind: KindDelete, Namespace: 0, Bot: true}
	botRestore := Change{Kind: KindRestore, Namespace: 0, Bot: true}
	botProtect := Change{Kind: KindProtect, Namespace: 0, Bot: true}
	botRevDel := Change{Kind: KindRevisionDelete, Namespace: 0, Bot: true}
	logDel := Change{Kind: KindRevisionDelete, Namespace: -1} // hiding a log entry targets Special:Log
	botCat := Change{Kind: KindCategorize, Namespace: 14, Bot: true}
	botUpload := Change{Kind: KindUpload, Namespace: 6, Bot: true}
	botNew := Change{Kind: KindNew, Namespace: 0, Bot: true}
	rename := Change{Kind: KindUserRename, Namespace: 2, Bot: true, Rename: &UserRename{UserID: 3, OldName: "A", NewName: "B"}}

	tests := []struct {
		name   string
		filter Filter
		change Change
		want   bool
	}{
		{"zero filter passes an edit", Filter{}, edit, true},
		{"zero filter passes a minor edit", Filter{}, minor, true},
		{"zero filter passes any namespace", Filter{}, talk, true},
		{"zero filter drops bots", Filter{}, bot, false},
		{"zero filter drops bot new pages", Filter{}, botNew, false},
		{"zero filter drops bot category rows", Filter{}, botCat, false},
		{"zero filter drops bot uploads", Filter{}, botUpload, false},
		{"zero filter passes a bot-group admin's move", Filter{}, botMoveIn, true},
		{"zero filter passes a bot-group admin's deletion", Filter{}, botDelete, true},
		{"zero filter passes a bot-group admin's restoration", Filter{}, botRestore, true},
		{"zero filter passes a bot-group admin's protection", Filter{}, botProtect, true},
		{"zero filter passes a bot-group admin's revision deletion", Filter{}, botRevDel, true},
		{"a log entry's deletion passes any namespace list", Filter{Namespaces: []int{0}}, logDel, true},
		{"a bot-group bureaucrat's rename passes any namespace list", Filter{Namespaces: []int{0}}, rename, true},
		{"include bots", Filter{IncludeBots: true}, bot, true},
		{"skip minor drops minor", Filter{SkipMinor: true}, minor, false},
		{"skip minor keeps major", Filter{SkipMinor: true}, edit, true},
		{"skip minor keeps non-edits", Filter{SkipMinor: true}, account, true},
		{"include bots but skip minor drops a minor bot edit", Filter{IncludeBots: true, SkipMinor: true}, minorBot, false},
		{"include bots passes a minor bot edit", Filter{IncludeBots: true}, minorBot, true},
		{"namespace listed", Filter{Namespaces: []int{0, 14}}, edit, true},
		{"namespace listed (second)", Filter{Namespaces: []int{0, 14}}, cat, true},
		{"namespace not listed", Filter{Namespaces: []int{0, 14}}, talk, false},
		{"account in user namespace not listed", Filter{Namespaces: []int{0}}, account, false},
		{"move into a listed namespace", Filter{Namespaces: []int{0}}, moveIn, true},
		{"move out of a listed namespace", Filter{Namespaces: []int{0}}, moveOut, true},
		{"move between unlisted namespaces", Filter{Namespaces: []int{0}}, moveElsewhere, false},
		{"move with hidden target from an unlisted namespace", Filter{Namespaces: []int{0}}, hiddenMove, false},
		{"bot move into a listed namespace passes", Filter{Namespaces: []int{0}}, botMoveIn, true},
		{"bot move between unlisted namespaces", Filter{Namespaces: []int{0}}, Change{Kind: KindMove, Namespace: 2, Bot: true, Move: &Move{TargetNamespace: 3}}, false},
		{"bot move into a listed namespace with bots", Filter{Namespaces: []int{0}, IncludeBots: true}, botMoveIn, true},
		{"bot edit in a listed namespace", Filter{Namespaces: []int{0}}, bot, false},
		{"empty namespace list is all", Filter{Namespaces: []int{}}, talk, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.change
			if got := tt.filter.Allows(&c); got != tt.want {
				t.Errorf("%+v.Allows(%+v) = %v, want %v", tt.filter, c, got, tt.want)
			}
		})
	}
}
