#!/usr/bin/env bash
# A throw-away MediaWiki on 127.0.0.1 for wikipub's tests and local trials:
# Debian's mediawiki package, sqlite, PHP's built-in server, one data directory.
#
#   scripts/testwiki.sh install            install Debian's packages when missing
#   scripts/testwiki.sh start DIR PORT     create (once) and start a wiki in DIR
#   scripts/testwiki.sh stop DIR           stop the wiki started in DIR, by its PID
#   scripts/testwiki.sh create DIR PORT    only create it (prints the same variables)
#   scripts/testwiki.sh run DIR            serve it in the foreground (tests use this,
#                                          so the server dies with the test)
#
# start prints shell assignments (WIKI_API=..., WIKI_BOT_USER=...) on stdout.
set -euo pipefail

MW=/usr/share/mediawiki
ADMIN_USER=${WIKI_ADMIN_USER:-Admin}
ADMIN_PASS=${WIKI_ADMIN_PASS:-wikipub-admin-pass-0}
BOT_APPID=wikipub
# Bot passwords must match ^[0-9a-w]{32,}$ or login fails with a misleading error.
BOT_PASS=${WIKI_BOT_PASS:-0123456789abcdefghijklmnopqrstuv}

log() { printf 'testwiki: %s\n' "$*" >&2; }

install_packages() {
	local missing=()
	[ -f "$MW/maintenance/install.php" ] || missing+=(mediawiki)
	command -v php >/dev/null 2>&1 || missing+=(php-cli)
	local mods
	mods=$(php -m 2>/dev/null || true)
	grep -qix 'pdo_sqlite' <<<"$mods" || missing+=(php-sqlite3)
	grep -qix 'intl' <<<"$mods" || missing+=(php-intl)
	grep -qix 'mbstring' <<<"$mods" || missing+=(php-mbstring)
	grep -qix 'xml' <<<"$mods" || missing+=(php-xml)
	grep -qix 'curl' <<<"$mods" || missing+=(php-curl)
	# GD draws the thumbnails of PNG, JPEG and GIF files in PHP itself.
	grep -qix 'gd' <<<"$mods" || missing+=(php-gd)
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]} from Debian"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -q >&2
	# php8.2-cgi and micro-httpd satisfy the php and httpd dependencies
	# without pulling in (and starting) Apache.
	# No service of the packages may start (micro-httpd is only there to
	# satisfy mediawiki's web-server dependency).
	local policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
		$sudo chmod +x "$policy"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
		mediawiki php8.2-cgi micro-httpd php-cli php-sqlite3 php-intl php-mbstring \
		php-xml php-curl php-gd >&2
	[ -z "$policy" ] || $sudo rm -f "$policy"
}

maint() { # maint DIR script args...
	local dir=$1 script=$2
	shift 2
	MW_CONFIG_FILE="$dir/LocalSettings.php" php "$MW/maintenance/$script" "$@"
}

create() { # create DIR PORT
	local dir=$1 port=$2
	mkdir -p "$dir/data" "$dir/cache" "$dir/images" "$dir/logs"
	local name
	name="wiki$(basename "$dir" | tr -cd 'a-zA-Z0-9' | tail -c 20)$port"
	# Vector only: every request reads each loaded skin's and extension's
	# registration, and the wiki has one worker shared by every test client.
	php "$MW/maintenance/install.php" --dbtype sqlite --dbpath "$dir/data" --dbname "$name" \
		--server "http://127.0.0.1:$port" --scriptpath '' --confpath "$dir" \
		--pass "$ADMIN_PASS" --lang en --skins Vector "Testwiki" "$ADMIN_USER" >"$dir/logs/install.log" 2>&1 ||
		{ cat "$dir/logs/install.log" >&2; return 1; }
	cat >>"$dir/LocalSettings.php" <<PHP

# --- wikipub test settings ---
\$wgServer = "http://127.0.0.1:$port";
\$wgArticlePath = "/wiki/\$1";
\$wgSQLiteDataDir = "$dir/data";
\$wgCacheDirectory = "$dir/cache";
\$wgUploadDirectory = "$dir/images";
\$wgUploadPath = "/images";
\$wgDBerrorLog = "$dir/logs/dberror.log";
\$wgDebugLogGroups = [];
\$wgCookiePrefix = "$name";
\$wgEnableUploads = true;
# Thumbnails are drawn by PHP's GD (php-gd), not by ImageMagick.
\$wgUseImageMagick = false;
\$wgFileExtensions[] = 'svg';
\$wgRCMaxAge = 10 * 365 * 86400;
\$wgRCWatchCategoryMembership = true;
\$wgRateLimits = [];
\$wgPasswordAttemptThrottle = [];
\$wgAccountCreationThrottle = [];
\$wgGroupPermissions['sysop']['deleterevision'] = true;
\$wgGroupPermissions['sysop']['suppressrevision'] = true;
\$wgGroupPermissions['sysop']['viewsuppressed'] = true;
\$wgGroupPermissions['sysop']['suppressionlog'] = true;
\$wgGroupPermissions['*']['createaccount'] = true;
\$wgEnableBotPasswords = true;
\$wgJobRunRate = 0;
\$wgMainCacheType = CACHE_NONE;
\$wgShowExceptionDetails = true;
# Throw-away data: sqlite need not fsync each write (several times faster).
\$wgDBservers = [ [ 'type' => 'sqlite', 'host' => '', 'dbname' => \$wgDBname, 'user' => '',
	'password' => '', 'dbDirectory' => "$dir/data", 'flags' => DBO_DEFAULT, 'load' => 1,
	'variables' => [ 'synchronous' => 'OFF' ] ] ];
# Debian's bundled extensions wikipub reads (lead images, extracts, renames);
# a test may rewrite this file to run without them.
require __DIR__ . '/extensions.php';
PHP
	cat >"$dir/extensions.php" <<'PHP'
<?php
wfLoadExtension( 'PageImages' );
wfLoadExtension( 'TextExtracts' );
# The admin is a bureaucrat, which Renameuser gives the renameuser right.
wfLoadExtension( 'Renameuser' );
PHP
	maint "$dir" createAndPromote.php --force --bot --sysop "$ADMIN_USER" "$ADMIN_PASS" >>"$dir/logs/install.log" 2>&1 || true
	maint "$dir" createBotPassword.php --appid "$BOT_APPID" \
		--grants basic,highvolume,editpage,createeditmovepage,delete,patrol,protect,blockusers,uploadfile,oversight,createaccount,editmycssjs \
		"$ADMIN_USER" "$BOT_PASS" >>"$dir/logs/install.log" 2>&1 ||
		{ cat "$dir/logs/install.log" >&2; return 1; }
	cat >"$dir/router.php" <<PHP
<?php
// Routes PHP's built-in server the way a web server would for MediaWiki:
// short /wiki/Title URLs to index.php, and this directory's settings.
define('MW_CONFIG_FILE', __DIR__ . '/LocalSettings.php');
\$path = parse_url(\$_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (strpos(\$path, '/wiki/') === 0) {
	\$_GET['title'] = rawurldecode(substr(\$path, 6));
	\$_SERVER['SCRIPT_NAME'] = '/index.php';
	\$_SERVER['SCRIPT_FILENAME'] = '$MW/index.php';
	chdir('$MW');
	require '$MW/index.php';
	return true;
}
if (strpos(\$path, '/images/') === 0) {
	\$file = __DIR__ . '/images/' . substr(\$path, 8);
	if (is_file(\$file) && strpos(realpath(\$file), __DIR__ . '/images/') === 0) {
		header('Content-Type: ' . (mime_content_type(\$file) ?: 'application/octet-stream'));
		readfile(\$file);
		return true;
	}
	http_response_code(404);
	return true;
}
return false;
PHP
	echo "$port" >"$dir/port"
	echo "$name" >"$dir/wikiid"
}

vars() { # vars DIR
	local dir=$1 port
	port=$(cat "$dir/port")
	cat <<ENV
WIKI_DIR=$dir
WIKI_ID=$(cat "$dir/wikiid" 2>/dev/null)
WIKI_API=http://127.0.0.1:$port/api.php
WIKI_ADMIN_USER=$ADMIN_USER
WIKI_ADMIN_PASS=$ADMIN_PASS
WIKI_BOT_USER=$ADMIN_USER@$BOT_APPID
WIKI_BOT_PASS=$BOT_PASS
ENV
}

run() { # run DIR
	local dir=$1
	# One worker: sqlite with several gives "database is locked".
	PHP_CLI_SERVER_WORKERS=1 exec php -S "127.0.0.1:$(cat "$dir/port")" -t "$MW" "$dir/router.php"
}

start() { # start DIR PORT
	local dir=$1 port=$2
	install_packages
	dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
	if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		log "already running in $dir (pid $(cat "$dir/pid"))"
	else
		[ -f "$dir/LocalSettings.php" ] || create "$dir" "$port"
		port=$(cat "$dir/port")
		nohup "$0" run "$dir" >>"$dir/logs/server.log" 2>&1 </dev/null &
		echo $! >"$dir/pid"
		local i
		for i in $(seq 1 100); do
			if php -r 'exit(@file_get_contents($argv[1]) === false ? 1 : 0);' \
				"http://127.0.0.1:$port/api.php?action=query&meta=siteinfo&format=json" 2>/dev/null; then
				break
			fi
			if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
				tail -20 "$dir/logs/server.log" >&2
				log "php server exited; see $dir/logs/server.log"
				return 1
			fi
			sleep 0.1
		done
	fi
	echo "WIKI_PID=$(cat "$dir/pid")"
	vars "$dir"
}

stop() { # stop DIR
	local dir=$1
	[ -f "$dir/pid" ] || return 0
	local pid
	pid=$(cat "$dir/pid")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/pid"
}

case "${1:-}" in
install) install_packages ;;
start) start "${2:?usage: start DIR PORT}" "${3:?usage: start DIR PORT}" ;;
create)
	install_packages
	d=$(mkdir -p "${2:?usage: create DIR PORT}" && cd "$2" && pwd)
	[ -f "$d/LocalSettings.php" ] || create "$d" "${3:?usage: create DIR PORT}"
	vars "$d"
	;;
run) run "${2:?usage: run DIR}" ;;
stop) stop "${2:?usage: stop DIR}" ;;
maint) shift; maint "$@" ;;
*) echo "usage: $0 install | start DIR PORT | stop DIR | create DIR PORT | run DIR | maint DIR SCRIPT ARGS..." >&2; exit 2 ;;
esac
