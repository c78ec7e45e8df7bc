#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Private apt view of one Debian suite (amd64 + arm64) under the cache dir:
# resolve the suite's kernel ABI and download the kernel, headers and busybox.
# A backports or experimental suite's view also reads its base suite
# (suite_apt_suites in lib.sh).
#
#   archive.sh update SUITE        refresh the package lists (if older than
#                                  IOPGT_APT_MAX_AGE seconds, default 3600)
#   archive.sh kabi SUITE          print the kernel ABI (e.g. 6.1.0-50) of
#                                  the suite itself; IOPGT_KABI_<suite> (with
#                                  - as _, e.g. IOPGT_KABI_trixie_backports)
#                                  pins it
#   archive.sh fetch SUITE KFLAV... download headers (common + each kernel
#                                  flavour, e.g. amd64, rt-arm64, arm64-16k,
#                                  with the extra common headers they need),
#                                  the kernel image and busybox-static of
#                                  each; prints nothing, see debs_dir
#   archive.sh apt SUITE ARGS...   run apt-get with the private config
#   archive.sh cache SUITE ARGS... run apt-cache with the private config
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

apt_dir() { echo "$IOPGT_CACHE/apt/$1"; }

apt_opts() {
	local d
	d=$(apt_dir "$1")
	printf '%s\n' \
		-o "Dir::Etc::sourcelist=$d/sources.list" \
		-o Dir::Etc::sourceparts=/nonexistent \
		-o "Dir::State::Lists=$d/lists" \
		-o "Dir::State::status=$d/status" \
		-o "Dir::Cache=$d/cache" \
		-o Dir::Cache::pkgcache=pkgcache.bin \
		-o Dir::Cache::srcpkgcache=srcpkgcache.bin \
		-o APT::Architecture=amd64 \
		-o APT::Architectures::=amd64 -o APT::Architectures::=arm64 \
		-o Acquire::Check-Valid-Until=false \
		-o Acquire::Languages=none \
		-o Acquire::Retries=3 \
		-o Debug::NoLocking=1 \
		-o APT::Get::List-Cleanup=0
}

run_apt() {
	local suite=$1 tool=$2
	shift 2
	local opts
	mapfile -t opts < <(apt_opts "$suite")
	"$tool" "${opts[@]}" "$@"
}

do_update() {
	local suite=$1 d stamp age max=${IOPGT_APT_MAX_AGE:-3600}
	d=$(apt_dir "$suite")
	stamp=$d/updated
	if [ -f "$stamp" ]; then
		age=$(($(date +%s) - $(stat -c %Y "$stamp")))
		[ "$age" -lt "$max" ] && return 0
	fi
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/debs"
	: >"$d/status"
	local s uri
	uri=$(archive_uri)
	for s in $(suite_apt_suites "$suite"); do
		echo "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main"
	done >"$d/sources.list"
	log "$suite: apt update"
	run_apt "$suite" apt-get -q update >"$d/update.log" 2>&1 ||
		{ tail -n 20 "$d/update.log" >&2; die "$suite: apt-get update failed"; }
	touch "$stamp"
}

# The suite's kernel ABI from the Depends of the linux-headers-amd64 meta
# package that the suite itself (not its base) carries.
do_kabi() {
	local suite=$1 var abi ver
	var=IOPGT_KABI_$(suite_var "$suite")
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return 0
	fi
	ver=$(run_apt "$suite" apt-cache madison linux-headers-amd64 |
		awk -F'|' -v s=" $suite/" 'index($3, s) { gsub(/ /, "", $2); print $2 }' | sort -V | tail -n1)
	[ -n "$ver" ] || die "$suite: the archive has no linux-headers-amd64 in $suite (apt lists in $(apt_dir "$suite"))"
	abi=$(run_apt "$suite" apt-cache show "linux-headers-amd64:amd64=$ver" |
		sed -n 's/^Depends:.*linux-headers-\([0-9][^ ,]*\)-amd64\b.*/\1/p' | sort -V | tail -n1)
	[ -n "$abi" ] || die "$suite: cannot resolve the kernel ABI from linux-headers-amd64 $ver"
	echo "$abi"
}

# Name of the package that ships /boot/vmlinuz-ABI-KFLAV.
image_pkg() {
	local suite=$1 abi=$2 kflav=$3 arch p
	arch=$(kflavour_arch "$kflav")
	for p in "linux-binary-$abi-$kflav" "linux-image-$abi-$kflav-unsigned" "linux-image-$abi-$kflav"; do
		if run_apt "$suite" apt-cache show "$p:$arch" >/dev/null 2>&1; then
			echo "$p"
			return 0
		fi
	done
	die "$suite: no kernel image package for $abi-$kflav (tried linux-binary-$abi-$kflav, linux-image-${abi}-${kflav}[-unsigned])"
}

# download_missing SUITE DIR PKG:ARCH...: apt-get download what DIR lacks.
download_missing() {
	local suite=$1 d=$2 p need=()
	shift 2
	for p in "$@"; do
		local name=${p%%:*} a=${p#*:}
		compgen -G "$d/${name}_*_$a.deb" >/dev/null || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	log "$suite: downloading ${need[*]}"
	(cd "$d" && run_apt "$suite" apt-get -q download "${need[@]}") >"$d/download.log" 2>&1 ||
		{ tail -n 20 "$d/download.log" >&2; die "$suite: download of ${need[*]} failed"; }
}

do_fetch() {
	local suite=$1 abi d kflav arch pkgs=() p
	shift
	abi=$(do_kabi "$suite")
	d=$(apt_dir "$suite")/debs/$abi
	mkdir -p "$d"
	pkgs+=("linux-headers-$abi-common:all")
	for kflav in "$@"; do
		arch=$(kflavour_arch "$kflav")
		pkgs+=("linux-headers-$abi-$kflav:$arch" "$(image_pkg "$suite" "$abi" "$kflav"):$arch"
			"busybox-static:$arch")
	done
	# linux-kbuild-* comes from the root's own apt; download only what is missing.
	download_missing "$suite" "$d" "${pkgs[@]}"
	# Extra common headers a flavour needs (6.x rt: linux-headers-<abi>-common-rt).
	pkgs=()
	for kflav in "$@"; do
		for p in $(dpkg-deb -f "$d/linux-headers-$abi-${kflav}_"*"_$(kflavour_arch "$kflav").deb" Depends |
			tr ',' '\n' | sed -n "s/^ *\(linux-headers-$abi-common[^ ]*\).*/\1/p"); do
			pkgs+=("$p:all")
		done
	done
	[ ${#pkgs[@]} -eq 0 ] || download_missing "$suite" "$d" "${pkgs[@]}"
}

# debs_dir SUITE: where fetch put the .debs of the current ABI.
do_debs_dir() { echo "$(apt_dir "$1")/debs/$(do_kabi "$1")"; }

main() {
	local cmd=${1:-} suite=${2:-}
	{ [ -n "$cmd" ] && [ -n "$suite" ]; } || die "usage: $0 update|kabi|fetch|debs-dir|apt|cache SUITE [ARGS]"
	case " ${IOPGT_DISTS[*]} " in *" $suite "*) ;; *) die "unknown suite '$suite' (valid: ${IOPGT_DISTS[*]})" ;; esac
	shift 2
	case $cmd in
	update) with_lock "apt-$suite" "$0" _update "$suite" ;;
	_update) do_update "$suite" ;;
	kabi) do_kabi "$suite" ;;
	fetch) with_lock "apt-$suite" "$0" _fetch "$suite" "$@" ;;
	_fetch) do_fetch "$suite" "$@" ;;
	debs-dir) do_debs_dir "$suite" ;;
	apt) run_apt "$suite" apt-get "$@" ;;
	cache) run_apt "$suite" apt-cache "$@" ;;
	*) die "unknown command '$cmd'" ;;
	esac
}

main "$@"
