#!/bin/bash
# Entry point of the mediawiki service in docker-compose.yml: installs the
# wiki on first start (database tables, LocalSettings.php, a bot account with
# a bot password for wikipub), then runs the image's own Apache.
#
# LocalSettings.php is kept in the mediawiki-config volume, so this runs once.
# To use a wiki of your own instead, put its LocalSettings.php in that volume
# (docker compose cp LocalSettings.php mediawiki:/var/www/config/) and make
# sure it sets $wgServer to WIKIPUB_PUBLIC_URL and $wgArticlePath to "/wiki/$1".
set -euo pipefail

CONF_DIR=/var/www/config
CONF=$CONF_DIR/LocalSettings.php
MW=/var/www/html

log() { printf 'wikipub-init: %s\n' "$*" >&2; }

need() { # need VAR: stop with a message when a required variable is empty
	if [ -z "${!1:-}" ]; then
		log "$1 is not set (see deploy/compose.env.example)"
		exit 1
	fi
}

install_wiki() {
	need MW_SERVER
	need MW_ADMIN_PASSWORD
	need MW_DB_PASSWORD
	need WIKIPUB_BOT_PASSWORD
	local tmp
	tmp=$(mktemp -d)
	log "installing MediaWiki for $MW_SERVER (first start)"
	php "$MW/maintenance/install.php" \
		--dbtype mysql --dbserver "${MW_DB_HOST:-db}" --dbname "${MW_DB_NAME:-wiki}" \
		--dbuser "${MW_DB_USER:-wiki}" --dbpass "$MW_DB_PASSWORD" \
		--server "$MW_SERVER" --scriptpath "" --lang "${MW_LANG:-en}" \
		--pass "$MW_ADMIN_PASSWORD" --confpath "$tmp" \
		"${MW_SITENAME:-Wiki}" "${MW_ADMIN_USER:-Admin}"
	cat >>"$tmp/LocalSettings.php" <<'PHP'

# --- wikipub deployment (deploy/mediawiki/init.sh) ---
# Short page URLs, served by deploy/mediawiki/short-urls.conf; wikipub
# answers ActivityPub requests for the same URLs behind nginx.
$wgArticlePath = "/wiki/$1";
$wgUsePathInfo = true;
# The wiki sits behind nginx on the compose network: trust its
# X-Forwarded-For so edits are attributed to the readers' addresses.
$wgCdnServersNoPurge = [ '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16' ];
$wgEnableBotPasswords = true;
# Uploads go to the mediawiki-images volume.
$wgEnableUploads = true;
PHP
	# Settings of your own, appended on first start.
	if [ -f /wikipub/LocalSettings.extra.php ]; then
		printf '\n' >>"$tmp/LocalSettings.php"
		sed '1{/^<?php/d}' /wikipub/LocalSettings.extra.php >>"$tmp/LocalSettings.php"
	fi
	export MW_CONFIG_FILE="$tmp/LocalSettings.php"
	# wikipub's account: in the bot group (high API limits, its edits
	# hidden from recent changes by default), with a bot password limited
	# to what wikipub needs: basic (implied), highvolume (read 5,000 changes
	# a request) and editpage (replies on editors' talk pages).
	local bot=${MW_BOT_ACCOUNT:-Wikipub}
	php "$MW/maintenance/createAndPromote.php" --bot "$bot" "$(head -c 32 /dev/urandom | base64)"
	php "$MW/maintenance/createBotPassword.php" --appid wikipub \
		--grants basic,highvolume,editpage "$bot" "$WIKIPUB_BOT_PASSWORD"
	unset MW_CONFIG_FILE
	mkdir -p "$CONF_DIR"
	mv "$tmp/LocalSettings.php" "$CONF.new"
	mv "$CONF.new" "$CONF"
	rm -rf "$tmp"
	log "installed; wikipub logs in as $bot@wikipub"
}

[ -f "$CONF" ] || install_wiki
ln -sf "$CONF" "$MW/LocalSettings.php"
chown www-data:www-data "$MW/images"
exec docker-php-entrypoint "$@"
