/*
 * wikipub: a "Follow on the Fediverse" link in every page's tools.
 *
 * Paste this into the wiki page MediaWiki:Common.js (editing it needs the
 * interface-admin group). The link goes to wikipub's follow page for the
 * page, or, on a user page or an editor's contributions, for the editor:
 * their handle, a Copy button and a "Follow on your server" form.
 *
 * WIKIPUB_BASE is where wikipub answers. In the recommended deployment
 * (deploy/README.md) wikipub shares the wiki's host name, and '' (the same
 * host) is right. Otherwise put its public URL here, without a trailing
 * slash, e.g. 'https://fedi.wiki.example'.
 *
 * The link names the page by title, not by handle: handles are
 * transliterated (Zürich is @zurich) and kept unique by wikipub, so only
 * wikipub can tell them; /follow-page?title=... answers with a redirect to
 * the right /@handle.
 *
 * Plain ES5, no dependencies beyond MediaWiki's own mediawiki.util.
 */
( function () {
	var WIKIPUB_BASE = '';

	var LABEL = 'Follow on the Fediverse';
	var TOOLTIP_PAGE = 'Follow this page\'s changes from Mastodon and other Fediverse servers';
	var TOOLTIP_USER = 'Follow this editor\'s changes from Mastodon and other Fediverse servers';

	function followTarget() {
		var ns = mw.config.get( 'wgNamespaceNumber' );
		var userNs = ( mw.config.get( 'wgFormattedNamespaces' ) || {} )[ 2 ] || 'User';
		var user = mw.config.get( 'wgRelevantUserName' );
		// A user page (not a subpage) and an editor's contributions: the editor.
		if ( user && ( ( ns === 2 && mw.config.get( 'wgTitle' ).indexOf( '/' ) === -1 ) ||
			mw.config.get( 'wgCanonicalSpecialPageName' ) === 'Contributions' ) ) {
			return { title: userNs + ':' + user, tooltip: TOOLTIP_USER };
		}
		// Special pages and pages that do not exist have nothing to follow.
		if ( ns < 0 || !mw.config.get( 'wgArticleId' ) ) {
			return null;
		}
		return { title: mw.config.get( 'wgPageName' ), tooltip: TOOLTIP_PAGE };
	}

	mw.loader.using( 'mediawiki.util' ).then( function () {
		$( function () {
			var target = followTarget();
			if ( !target ) {
				return;
			}
			var href = WIKIPUB_BASE + '/follow-page?title=' + encodeURIComponent( target.title );
			mw.util.addPortletLink( 'p-tb', href, LABEL, 't-wikipub-follow', target.tooltip );
		} );
	} );
}() );
