package hostile

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// seq makes ids unique across the suite's activities.
var seq atomic.Int64

// uniq is a fresh suffix for ids and texts.
func uniq() string {
	return strings.ReplaceAll(time.Now().UTC().Format("150405.000000"), ".", "") + "-" + strconv.FormatInt(seq.Add(1), 10)
}

const asContext = "https://www.w3.org/ns/activitystreams"

// follow is a Follow of object by actor, with id.
func follow(id, actor, object string) map[string]any {
	return map[string]any{"@context": asContext, "id": id, "type": "Follow", "actor": actor, "object": object}
}

// reply is a Create of a Note by actor answering inReplyTo, with text.
func reply(actIDBase, actor, noteID, inReplyTo, text string) map[string]any {
	return map[string]any{
		"@context": asContext, "id": actIDBase + "/activity", "type": "Create", "actor": actor,
		"to": []any{"https://www.w3.org/ns/activitystreams#Public"},
		"object": map[string]any{
			"id": noteID, "type": "Note", "attributedTo": actor, "inReplyTo": inReplyTo,
			"content": "<p>" + text + "</p>", "published": time.Now().UTC().Format(time.RFC3339),
			"to": []any{"https://www.w3.org/ns/activitystreams#Public"},
		},
	}
}

// activity is any activity of actor on object.
func activity(typ, id, actor string, object any) map[string]any {
	return map[string]any{"@context": asContext, "id": id, "type": typ, "actor": actor, "object": object}
}

// noPostsWithin fails when the peer got a POST under prefix within quiet.
func noPostsWithin(t *testing.T, p *peer, prefix string, quiet time.Duration) {
	t.Helper()
	time.Sleep(quiet)
	if got := p.received(prefix); len(got) > 0 {
		t.Fatalf("%s%s received %d POSTs, want none; first: %s", p.base, prefix, len(got), got[0].raw)
	}
}
