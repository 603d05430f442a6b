// Package avatar is the picture every actor of one wiki shows: the wiki's
// logo as a raster image (an SVG logo, MediaWiki's default, drawn as a
// PNG; a stand-in from the wiki's name when there is none), read once and
// refreshed in the background, so that no actor document waits for it.
//
// It must not know actors, ActivityPub or HTTP: it is handed a fetcher
// for the wiki's assets and hands back an image and its version.
package avatar
