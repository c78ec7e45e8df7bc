#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Private apt view of one Debian suite (amd64 + arm64) under the cache dir:
# resolve the suite's kernel ABI and download the kernel, headers and busybox.
#
#   archive.sh update SUITE        refresh the package lists (if older than
#                                  IOPGT_APT_MAX_AGE seconds, default 3600)
#   archive.sh kabi SUITE          print the kernel ABI (e.g. 6.1.0-50);
#                                  IOPGT_KABI_<suite> pins it
#   archive.sh fetch SUITE ARCH... download headers (common + each arch),
#                                  the kernel image and busybox-static of
#                                  each ARCH; prints nothing, see debs_dir
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
	echo "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(archive_uri) $suite main" \
		>"$d/sources.list"
	log "$suite: apt update"
	run_apt "$suite" apt-get -q update >"$d/update.log" 2>&1 ||
		{ tail -n 20 "$d/update.log" >&2; die "$suite: apt-get update failed"; }
	touch "$stamp"
}

# The suite's kernel ABI from the linux-headers-amd64 meta package's Depends.
do_kabi() {
	local suite=$1 var abi
	var=IOPGT_KABI_$suite
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return 0
	fi
	abi=$(run_apt "$suite" apt-cache show linux-headers-amd64:amd64 |
		sed -n 's/^Depends:.*linux-headers-\([0-9][^ ,]*\)-amd64\b.*/\1/p' | sort -V | tail -n1)
	[ -n "$abi" ] || die "$suite: cannot resolve the kernel ABI from linux-headers-amd64"
	echo "$abi"
}

# Name of the package that ships /boot/vmlinuz-ABI-ARCH.
image_pkg() {
	local suite=$1 abi=$2 arch=$3 p
	for p in "linux-binary-$abi-$arch" "linux-image-$abi-$arch-unsigned" "linux-image-$abi-$arch"; do
		if run_apt "$suite" apt-cache show "$p:$arch" >/dev/null 2>&1; then
			echo "$p"
			return 0
		fi
	done
	die "$suite: no kernel image package for $abi-$arch"
}

do_fetch() {
	local suite=$1 abi d arch pkgs=() p
	shift
	abi=$(do_kabi "$suite")
	d=$(apt_dir "$suite")/debs/$abi
	mkdir -p "$d"
	pkgs+=("linux-headers-$abi-common:all")
	for arch in "$@"; do
		pkgs+=("linux-headers-$abi-$arch:$arch" "$(image_pkg "$suite" "$abi" "$arch"):$arch"
			"busybox-static:$arch")
	done
	# linux-kbuild-* comes from the root's own apt; download only what is missing.
	local need=()
	for p in "${pkgs[@]}"; do
		local name=${p%%:*} a=${p#*:}
		compgen -G "$d/${name}_*_$a.deb" >/dev/null || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	log "$suite: downloading ${need[*]}"
	(cd "$d" && run_apt "$suite" apt-get -q download "${need[@]}") >"$d/download.log" 2>&1 ||
		{ tail -n 20 "$d/download.log" >&2; die "$suite: download failed"; }
}

# debs_dir SUITE: where fetch put the .debs of the current ABI.
do_debs_dir() { echo "$(apt_dir "$1")/debs/$(do_kabi "$1")"; }

main() {
	local cmd=${1:-} suite=${2:-}
	{ [ -n "$cmd" ] && [ -n "$suite" ]; } || die "usage: $0 update|kabi|fetch|debs-dir|apt|cache SUITE [ARGS]"
	case " ${IOPGT_SUITES[*]} " in *" $suite "*) ;; *) die "unknown suite '$suite' (valid: ${IOPGT_SUITES[*]})" ;; esac
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
