package main

import (
	"net/http"
	"time"
)

// Limits of the HTTP server that are not configurable: a request's
// headers must arrive within readHeaderTimeout and fit in maxHeaderBytes
// (Mastodon's and GoToSocial's are a few KB; Go's default is 1 MB).
const (
	readHeaderTimeout = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// newHTTPServer is the server for everything the Fediverse and people ask:
// every phase of a connection has a deadline, so no remote can hold
// connections (and file descriptors) open by sending slowly or not at all.
func newHTTPServer(h http.Handler, cfg *serveConfig) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       cfg.HTTPReadTimeout,
		WriteTimeout:      cfg.HTTPWriteTimeout,
		IdleTimeout:       cfg.HTTPIdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}
