#!/usr/bin/env bash
# Runs the whole wikipub test suite: unit tests, integration tests against a
# real MediaWiki and a real Redis (installed from Debian when missing, and
# started on 127.0.0.1 by the tests themselves), race detector, short fuzzing.
#
#   scripts/test.sh            everything
#   FUZZTIME=1m scripts/test.sh  fuzz longer
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

# Go: the toolchain go.mod asks for is fetched by go itself (Go >= 1.21).
if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		export PATH="$PATH:/usr/local/go/bin"
	else
		echo "test.sh: Go 1.21 or newer is needed (https://go.dev/doc/install); Debian 12's golang-go is too old." >&2
		exit 1
	fi
fi

say "installing what the tests need (Debian packages, only when missing)"
scripts/testwiki.sh install
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -q
	# The tests start their own redis-server, nginx and headless chromium on
	# 127.0.0.1; the packages' own services must not start (nginx's would
	# listen on every interface), so service starts are refused while
	# installing, unless the machine already has a policy of its own.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
		$sudo chmod +x "$policy"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
	[ -z "$policy" ] || $sudo rm -f "$policy"
fi

say "go vet"
go vet ./...

say "unit tests with the race detector"
go test -race -short -count=1 ./...

say "all tests, with the real MediaWiki and Redis"
go test -count=1 -timeout 40m ./...

say "fuzzing (${FUZZTIME:=15s} per target)"
for target in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
	for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$target"/*_test.go | cut -d' ' -f2); do
		echo "fuzz $fn in $target"
		go test -run='^$' -fuzz="^$fn\$" -fuzztime="$FUZZTIME" "$target"
	done
done
say "all tests passed"
