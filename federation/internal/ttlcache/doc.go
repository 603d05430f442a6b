// Package ttlcache is a small bounded cache whose entries expire, shared by
// the federation packages that keep recent answers (actors, remote
// documents, look-ups that found nothing). It knows nothing of what it
// keeps.
package ttlcache
