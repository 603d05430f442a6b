package fedpeer

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"
)

// The peer imitates GoToSocial where it can: its key document and the
// activities it sends are GoToSocial's own output, captured from the build
// the interop tests run (testdata/gotosocial) and filled in per use. A
// document of ours would only show that wikipub agrees with its own idea
// of GoToSocial. The captures keep GoToSocial's JSON-LD shapes: a single
// "to", a single-object "tag" for one mention, a cut-down actor at the key
// id.
//
//go:embed testdata/gotosocial/*.json
var gtsCaptures embed.FS

// fromCapture fills one captured document: {{BASE}} and {{USER}} name this
// peer, {{ID}} is fresh, {{PUBLISHED}} is now, and vars give the rest.
// String values are JSON-escaped; {{TAG}} is raw JSON.
func (p *Peer) fromCapture(name string, vars map[string]string) (map[string]any, error) {
	raw, err := gtsCaptures.ReadFile("testdata/gotosocial/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("fedpeer: capture %s: %w", name, err)
	}
	all := map[string]string{
		"BASE": p.base, "USER": p.cfg.username, "ID": captureID(),
		"PUBLISHED": p.cfg.now().UTC().Format(time.RFC3339),
	}
	for k, v := range vars {
		all[k] = v
	}
	s := string(raw)
	for k, v := range all {
		if k != "TAG" {
			b, _ := json.Marshal(v)
			v = string(b[1 : len(b)-1])
		}
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	if strings.Contains(s, "{{") {
		return nil, fmt.Errorf("fedpeer: capture %s: a placeholder was not filled in", name)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return nil, fmt.Errorf("fedpeer: capture %s: %w", name, err)
	}
	return doc, nil
}

// captureID is an id part in GoToSocial's form (a ULID: 26 characters of
// Crockford's base 32).
func captureID() string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	id := []byte("01")
	for _, c := range b {
		id = append(id, alphabet[int(c)%len(alphabet)])
	}
	return string(id)
}

// keyDocument is what GoToSocial serves at its key id: a cut-down actor
// with the key and no inbox. WithActorMutator applies to it too, as to
// any form of the actor.
func (p *Peer) keyDocument(r *http.Request) (map[string]any, error) {
	doc, err := p.fromCapture("main-key", map[string]string{"PEM": publicKeyPEM(&p.key.PublicKey)})
	if err == nil && p.cfg.mutateActor != nil {
		p.cfg.mutateActor(doc, r)
	}
	return doc, err
}

// Reply sends a reply to inReplyTo, mentioning mentions, shaped as
// GoToSocial sends one (one mention is a single tag object), and returns
// the note's id.
func (p *Peer) Reply(ctx context.Context, inbox, inReplyTo string, mentions []*RemoteActor, text string) (string, error) {
	var tags []map[string]string
	body := ""
	for _, m := range mentions {
		tags = append(tags, map[string]string{"type": "Mention", "href": m.ID, "name": "@" + m.Handle})
		body += `<span class="h-card"><a href="` + html.EscapeString(m.ID) + `" class="u-url mention" rel="nofollow noreferrer noopener" target="_blank">@<span>` +
			html.EscapeString(m.PreferredUsername) + `</span></a></span> `
	}
	var tag any = tags
	if len(tags) == 1 {
		tag = tags[0]
	}
	tagJSON, _ := json.Marshal(tag)
	target := ""
	if len(mentions) > 0 {
		target = mentions[0].ID
	}
	act, err := p.fromCapture("create-reply", map[string]string{
		"TARGET": target, "OBJECT": inReplyTo, "TAG": string(tagJSON), "TEXT": body + html.EscapeString(text),
	})
	if err != nil {
		return "", err
	}
	if len(mentions) == 0 {
		obj := act["object"].(map[string]any)
		delete(obj, "tag")
	}
	if err := p.deliver(ctx, inbox, act); err != nil {
		return "", fmt.Errorf("fedpeer: reply to %s: %w", inReplyTo, err)
	}
	return act["object"].(map[string]any)["id"].(string), nil
}

// Interact sends a Like or an Announce ("like", "announce") of object,
// shaped as GoToSocial sends them, and returns the activity for Withdraw.
func (p *Peer) Interact(ctx context.Context, inbox, kind, object, objectOwner string) (map[string]any, error) {
	act, err := p.fromCapture(kind, map[string]string{"OBJECT": object, "TARGET": objectOwner})
	if err != nil {
		return nil, err
	}
	if err := p.deliver(ctx, inbox, act); err != nil {
		return nil, fmt.Errorf("fedpeer: %s of %s: %w", kind, object, err)
	}
	return act, nil
}

// Withdraw sends an Undo of a Like or Announce that Interact sent.
func (p *Peer) Withdraw(ctx context.Context, inbox string, act map[string]any, objectOwner string) error {
	kind := strings.ToLower(fmt.Sprint(act["type"]))
	undo, err := p.fromCapture("undo-"+kind, map[string]string{"OBJECT": fmt.Sprint(act["object"]), "TARGET": objectOwner})
	if err != nil {
		return err
	}
	inner := map[string]any{}
	for k, v := range act {
		if k != "@context" {
			inner[k] = v
		}
	}
	undo["object"] = inner
	return p.deliver(ctx, inbox, undo)
}
