<?php
// Makes N real edits in one PHP process, through MediaWiki's own edit path,
// so recent changes get N ordinary rows fast (the API takes ~30 ms an edit).
// Used by wikipub's catch-up benchmark:
//   MW_CONFIG_FILE=DIR/LocalSettings.php php scripts/backlog.php --count 5000
require_once '/usr/share/mediawiki/maintenance/Maintenance.php';

use MediaWiki\MediaWikiServices;

class WikipubBacklog extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addOption( 'count', 'number of edits', true, true );
		$this->addOption( 'pages', 'number of distinct pages', false, true );
	}

	public function execute() {
		$n = (int)$this->getOption( 'count' );
		$pages = (int)$this->getOption( 'pages', 500 );
		$user = User::newSystemUser( 'Backlog bot', [ 'steal' => true ] );
		$factory = MediaWikiServices::getInstance()->getWikiPageFactory();
		$t0 = microtime( true );
		for ( $i = 0; $i < $n; $i++ ) {
			$title = Title::newFromText( 'Backlog page ' . ( $i % $pages ) );
			$page = $factory->newFromTitle( $title );
			$content = ContentHandler::makeContent( "Revision $i of the backlog.", $title );
			$page->doUserEditContent( $content, $user, "backlog edit $i" );
			if ( $i % 100 === 99 ) {
				MediaWikiServices::getInstance()->getDBLoadBalancerFactory()->commitPrimaryChanges( __METHOD__ );
				DeferredUpdates::doUpdates();
			}
		}
		DeferredUpdates::doUpdates();
		$this->output( sprintf( "%d edits in %.1fs\n", $n, microtime( true ) - $t0 ) );
	}
}

$maintClass = WikipubBacklog::class;
require_once RUN_MAINTENANCE_IF_MAIN;
