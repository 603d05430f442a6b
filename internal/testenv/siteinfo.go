package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// siteinfo reads meta=siteinfo with siprop from the API at api into out
// (the whole answer, formatversion 2).
func siteinfo(api, siprop string, out any) error {
	resp, err := http.Get(api + "?action=query&meta=siteinfo&siprop=" + siprop + "&format=json&formatversion=2")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("siteinfo: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("siteinfo: %w", err)
	}
	return nil
}

// waitForWiki asks check every 250 ms until it says done, for up to a
// minute: PHP's built-in server (with opcache) sees a changed settings
// file only a couple of seconds later, later on a busy machine. state says
// what the wiki showed last, for the failure.
func waitForWiki(t testing.TB, what string, check func() (done bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		done, state := check()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute on, the wiki still does not show %s (%s)", what, state)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
