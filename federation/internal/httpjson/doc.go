// Package httpjson writes the JSON answers every federation endpoint and
// the inbox share, so an error looks the same wherever it comes from.
//
// It must not know what the answers are about: callers give the status and
// the reason.
package httpjson
