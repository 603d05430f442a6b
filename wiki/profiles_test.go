package wiki

import (
	"context"
	"net/http"
	"reflect"
	"testing"
)

func TestProfileOptionsDefaults(t *testing.T) {
	for _, tt := range []struct{ in, want ProfileOptions }{
		{ProfileOptions{}, ProfileOptions{AvatarSize: 400, HeaderWidth: 1500, Sentences: 2}},
		{ProfileOptions{AvatarSize: 48, HeaderWidth: 600, Sentences: 1}, ProfileOptions{AvatarSize: 48, HeaderWidth: 600, Sentences: 1}},
		{ProfileOptions{Sentences: 30}, ProfileOptions{AvatarSize: 400, HeaderWidth: 1500, Sentences: 10}},
		{ProfileOptions{AvatarSize: -1, Sentences: -3}, ProfileOptions{AvatarSize: 400, HeaderWidth: 1500, Sentences: 2}},
	} {
		if got := tt.in.withDefaults(); got != tt.want {
			t.Errorf("%+v.withDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestTidyExtract(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Albert is a  test page.", "Albert is a test page."},
		{"  One.\n\n\nTwo.  \n", "One.\nTwo."},
		{"\u00a0x\ty", "x y"},
	} {
		if got := tidyExtract(tt.in); got != tt.want {
			t.Errorf("tidyExtract(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPageProfilesMerge: what continuations bring for a page is put
// together (extracts of later pages, more categories); a lead image whose
// file the wiki no longer has is none; a missing thumbnail leaves only
// the original; protocol-relative URLs become absolute.
func TestPageProfilesMerge(t *testing.T) {
	answers := []string{
		`{"continue":{"excontinue":1,"clcontinue":"1|B","continue":"||info|revisions|pageimages"},"query":{"pages":[
			{"pageid":1,"ns":0,"title":"One","lastrevid":11,"pagelanguage":"en","pagelanguagehtmlcode":"en","pagelanguagedir":"ltr",
			 "pageimage":"Lead_one.png","thumbnail":{"source":"//x.org/thumb/120px-Lead_one.png","width":120,"height":90},
			 "extract":"First  page.","categories":[{"ns":14,"title":"Category:A"}],"revisions":[{"revid":11,"timestamp":"2024-05-01T10:00:00Z"}]},
			{"pageid":2,"ns":1,"title":"Talk:Two","lastrevid":22,"pageimage":"Gone.png","revisions":[{"revid":22,"timestamp":"2024-05-02T10:00:00Z"}]},
			{"pageid":3,"ns":0,"title":"Three","missing":true}]}}`,
		`{"batchcomplete":true,"query":{"pages":[
			{"pageid":1,"ns":0,"title":"One","categories":[{"ns":14,"title":"Category:B"}]},
			{"pageid":2,"ns":1,"title":"Talk:Two","extract":"Second."}]}}`,
		`{"batchcomplete":true,"query":{"pages":[
			{"ns":6,"title":"File:Gone.png","missing":true,"imagerepository":""},
			{"pageid":9,"ns":6,"title":"File:Lead one.png","imageinfo":[{"url":"/images/Lead_one.png","mime":"image/png","width":640,"height":480}]}]}}`,
	}
	n := 0
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		if n > len(answers) {
			http.Error(w, "too many requests", http.StatusTeapot)
			return
		}
		if n == 3 && (r.Form.Get("prop") != "imageinfo" || r.Form.Get("titles") != "File:Lead one.png|File:Gone.png") {
			t.Errorf("image info request: %s", r.Form.Encode())
		}
		writeJSON(w, answers[n-1])
	})
	c := newTestClient(t, f.URL)
	got, err := c.PageProfiles(context.Background(), []int64{1, 2, 3}, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	one := got[1]
	if one.Extract != "First page." || !reflect.DeepEqual(one.Categories, []string{"Category:A", "Category:B"}) ||
		one.TalkPage != "Talk:One" || one.TalkPageExists || one.LastRevID != 11 {
		t.Errorf("One = %+v", one)
	}
	wantImg := &Image{
		Name: "Lead one.png", Title: "File:Lead one.png",
		Original: ImageFile{URL: "https://x.org/images/Lead_one.png", Mime: "image/png", Width: 640, Height: 480},
		Avatar:   ImageFile{URL: "https://x.org/thumb/120px-Lead_one.png", Mime: "image/png", Width: 120, Height: 90},
	}
	if !reflect.DeepEqual(one.LeadImage, wantImg) {
		t.Errorf("One's lead image = %+v, want %+v", one.LeadImage, wantImg)
	}
	two := got[2]
	if two.Extract != "Second." || two.LeadImage != nil || !two.TalkPageExists || two.TalkPage != "Talk:Two" || !two.ImagesKnown {
		t.Errorf("Two = %+v", two)
	}
	if _, ok := got[3]; ok || len(got) != 2 {
		t.Errorf("a missing page has a profile: %+v", got)
	}
}
