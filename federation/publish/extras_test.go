package publish

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/internal/fedtest"
	"github.com/wikipub/wikipub/wiki"
)

func extrasSite() *wiki.SiteInfo {
	return &wiki.SiteInfo{
		Server: "https://wiki.example", ArticlePath: "/wiki/$1",
		Namespaces: map[int]*wiki.Namespace{14: {ID: 14, Name: "Category", Canonical: "Category", FirstLetterCase: true}},
	}
}

func TestHashtags(t *testing.T) {
	site := extrasSite()
	many := make([]string, 0, 15)
	for _, n := range strings.Fields("A B C D E F G H I J K L M N O") {
		many = append(many, "Category:Topic "+n)
	}
	for _, tc := range []struct {
		name string
		cats []string
		want []string
	}{
		{"none", nil, nil},
		{"words joined", []string{"Category:Nobel laureates", "Category:Physicists"}, []string{"#NobelLaureates", "#Physicists"}},
		{"not a hashtag left out", []string{"Category:C++ programmers", "Category:1905", "Category:Physicists"}, []string{"#Physicists"}},
		{"same tag once", []string{"Category:Nobel laureates", "Category:Nobel Laureates"}, []string{"#NobelLaureates"}},
		{"at most ten", many, []string{"#TopicA", "#TopicB", "#TopicC", "#TopicD", "#TopicE", "#TopicF", "#TopicG", "#TopicH", "#TopicI", "#TopicJ"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tags := hashtags(site, tc.cats)
			var got []string
			for _, tag := range tags {
				got = append(got, tag.Name)
				if !strings.HasPrefix(tag.Href, "https://wiki.example/wiki/Category:") {
					t.Errorf("%s links %q, not its category page", tag.Name, tag.Href)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("hashtags %q, want %q", got, tc.want)
			}
			html := hashtagsHTML(tags)
			for _, v := range fedtest.AllowlistViolations(html, nil) {
				t.Errorf("%s: %s", html, v)
			}
		})
	}
}

func TestExcerptHTML(t *testing.T) {
	for _, tc := range []struct{ added, want string }{
		{"", ""},
		{"  \n ", ""},
		{"* 12:34 admin: restarted <db1>", "<blockquote><p>* 12:34 admin: restarted &lt;db1&gt;</p></blockquote>"},
		{"one\ntwo & three", "<blockquote><p>one<br>two &amp; three</p></blockquote>"},
	} {
		got := excerptHTML(tc.added)
		if got != tc.want {
			t.Errorf("excerptHTML(%q) = %q, want %q", tc.added, got, tc.want)
		}
		for _, v := range fedtest.AllowlistViolations(got, nil) {
			t.Errorf("%s: %s", got, v)
		}
	}
}

func TestLeadAttachment(t *testing.T) {
	png := wiki.ImageFile{URL: "https://up.example/thumb/a.png/1500px-a.png", Mime: "image/png", Width: 1500, Height: 1000}
	orig := wiki.ImageFile{URL: "https://up.example/a.svg", Mime: "image/svg+xml"}
	for _, tc := range []struct {
		name string
		img  *wiki.Image
		want []activity.Attachment
	}{
		{"none", nil, nil},
		{"banner thumbnail", &wiki.Image{Name: "Curie portrait.png", Original: png, Header: png},
			[]activity.Attachment{{Type: "Image", MediaType: "image/png", URL: png.URL, Name: "Marie Curie: Curie portrait"}}},
		{"SVG drawn as PNG", &wiki.Image{Name: "Map.svg", Original: orig, Header: png},
			[]activity.Attachment{{Type: "Image", MediaType: "image/png", URL: png.URL, Name: "Marie Curie: Map"}}},
		{"SVG without a thumbnail", &wiki.Image{Name: "Map.svg", Original: orig}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := leadAttachment(tc.img, "Marie Curie"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestExcerpted(t *testing.T) {
	p := &Publisher{cfg: Config{ExcerptPages: []string{"server_admin_log", "Project:News"}, ExcerptNamespaces: []int{4}}}
	for _, tc := range []struct {
		title string
		ns    int
		want  bool
	}{
		{"Server admin log", 0, true},
		{"Server admin log/Archive", 0, false},
		{"Project:News", 4, true},
		{"Project:Anything", 4, true},
		{"Albert Einstein", 0, false},
	} {
		if got := p.excerpted(&wiki.Change{Title: tc.title, Namespace: tc.ns}); got != tc.want {
			t.Errorf("excerpted(%q, ns %d) = %v, want %v", tc.title, tc.ns, got, tc.want)
		}
	}
}
