package httpsig

import (
	"net/http"
	"net/url"
	"strings"
)

// target is one candidate for the path and query of (request-target).
type target struct {
	path, query string
}

// goFedRequest builds the request go-fed signs or verifies for t. go-fed
// writes "(request-target): <lower method> <URL.Path>[?<URL.RawQuery>]", so
// putting the exact bytes we want into URL.Path makes it sign those bytes
// rather than the decoded path.
func goFedRequest(method, host string, t target, h http.Header) *http.Request {
	if method == "" {
		method = http.MethodGet
	}
	return &http.Request{
		Method: method,
		URL:    &url.URL{Path: t.path, RawQuery: t.query},
		Host:   host,
		Header: h,
	}
}

// wireTarget is the path and query a Go client puts on the request line
// (URL.RequestURI, i.e. the escaped path). Mastodon signs and verifies that
// raw form; go-fed on its own would sign the decoded URL.Path, which differs
// as soon as the path contains a %XX escape.
func wireTarget(u *url.URL) target {
	ru := u.RequestURI()
	path, _, _ := strings.Cut(ru, "?")
	return target{path: path, query: u.RawQuery}
}

// verifyTargets lists the request-target forms accepted for an incoming
// request, most exact first: the raw target as received with and without
// its query (some senders drop the query: docs/interop.md, "HTTP
// signatures"), then the decoded path with and without the query, which is
// what go-fed based senders such as GoToSocial sign when the path contains
// %XX escapes.
func verifyTargets(r *http.Request) []target {
	var raw string
	if strings.HasPrefix(r.RequestURI, "/") {
		raw = r.RequestURI // server side: exactly the bytes the client sent
	} else if r.URL != nil {
		raw = r.URL.RequestURI() // absolute-form target, or a client-side request
	}
	if raw == "" {
		return nil
	}
	path, query, hasQuery := strings.Cut(raw, "?")
	out := make([]target, 0, 4)
	add := func(t target) {
		for _, o := range out {
			if o == t {
				return
			}
		}
		out = append(out, t)
	}
	add(target{path: path, query: query})
	if hasQuery {
		add(target{path: path})
	}
	if r.URL != nil && r.URL.Path != "" && r.URL.Path != path {
		add(target{path: r.URL.Path, query: r.URL.RawQuery})
		if r.URL.RawQuery != "" {
			add(target{path: r.URL.Path})
		}
	}
	return out
}
