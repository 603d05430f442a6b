package testenv

import (
	"testing"
)

// TestGoToSocialStarts: the harness starts the real server, makes two
// people with tokens, and they can find each other.
func TestGoToSocialStarts(t *testing.T) {
	dir := SkipWithoutGoToSocial(t)
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	g, err := StartGoToSocial(dir, t.TempDir(), port)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	a, err := g.User("ann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.User("ben"); err != nil {
		t.Fatal(err)
	}
	acc, err := a.FindAccount("@ben@" + g.Host)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Username != "ben" {
		t.Fatalf("found %+v", acc)
	}
	if p := g.LogProblems(g.Host, 0); len(p) > 0 {
		t.Logf("GoToSocial complained: %q", p)
	}
}
