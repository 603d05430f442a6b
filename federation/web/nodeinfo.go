package web

import "net/http"

const nodeinfo20 = "http://nodeinfo.diaspora.software/ns/schema/2.0"

func (e *Endpoints) nodeinfoLinks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, "application/json", map[string]any{
		"links": []map[string]string{{"rel": nodeinfo20, "href": e.iris.Base + "/nodeinfo/2.0"}},
	})
}

// nodeinfo is the NodeInfo 2.0 document: exactly the schema's properties,
// served as plain application/json (GoToSocial refuses the 2.1 profile type).
// See docs/interop.md, "NodeInfo".
func (e *Endpoints) nodeinfo(w http.ResponseWriter, r *http.Request) {
	site := e.wiki.Site()
	writeJSON(w, "application/json", map[string]any{
		"version":           "2.0",
		"software":          map[string]string{"name": "wikipub", "version": e.cfg.Version},
		"protocols":         []string{"activitypub"},
		"services":          map[string][]string{"inbound": {}, "outbound": {}},
		"openRegistrations": false,
		"usage":             map[string]any{"users": map[string]any{}},
		"metadata":          map[string]any{"nodeName": site.SiteName, "wiki": site.Server, "generator": site.Generator},
	})
}
