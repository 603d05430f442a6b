// Command wikipub puts a MediaWiki on the Fediverse: every page and every
// registered editor becomes an ActivityPub actor.
//
// It is the only place that knows every package: it reads the configuration
// once and wires the wiki client, the store and the federation packages;
// none of them knows it.
package main
