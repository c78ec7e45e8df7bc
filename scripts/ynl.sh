#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A C client of uapi/iopgt.yaml made by the kernel's own YNL tooling
# (tools/net/ynl/pyynl/ynl_gen_c.py --mode user, tools/net/ynl/lib/ynl.c),
# taken from Debian's linux-source-<major.minor> package of the
# $IOPGT_YNL_SUITE (default sid) kernel; tests/ynl_agree.c links it.
#
#   ynl.sh source                print the cache directory holding the part
#        of that kernel source the generator needs (tools/net/ynl,
#        Documentation/netlink, MAINTAINERS); downloaded and unpacked once
#        per package version; on failure the reason goes to stderr
#   ynl.sh client ROOT DIR CC    in build root ROOT, put into DIR (a path
#        inside ROOT) iopgt-user.h, ynl.h, ynl-priv.h and the objects
#        ynl.o, iopgt-user.o compiled with CC; the generated client is
#        cached per source version and spec. If the kernel source cannot
#        be had, DIR gets only ynl-skip.h saying why (the test then skips
#        with that reason); a spec the generator rejects is an error.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
SRC=${IOPGT_SRC:-$IOPGT_REPO}
ysuite=${IOPGT_YNL_SUITE:-sid}

in_root() {
	local root=$1
	shift
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		chroot "$root" "$@"
}

# "linux-source-7.2 7.2.13-1": the source package of the suite's kernel ABI
# (the version of its linux-headers-<abi>-common).
source_pkg() {
	local abi ver mm
	"$here/archive.sh" update "$ysuite" >&2
	abi=$("$here/archive.sh" kabi "$ysuite")
	ver=$("$here/archive.sh" cache "$ysuite" show "linux-headers-$abi-common" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1)
	[ -n "$ver" ] || die "$ysuite: no linux-headers-$abi-common in the package lists"
	mm=$(echo "$ver" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	echo "linux-source-$mm $ver"
}

do_source() {
	local pkg ver d tmp deb
	read -r pkg ver < <(source_pkg) || die "cannot resolve the $ysuite kernel source package"
	{ [ -n "${pkg:-}" ] && [ -n "${ver:-}" ]; } || die "cannot resolve the $ysuite kernel source package"
	d=$IOPGT_CACHE/ynl/$pkg-$ver
	if [ ! -f "$d/src/MAINTAINERS" ]; then
		mkdir -p "$d"
		tmp=$(mktemp -d "$d/x.XXXXXX")
		log "ynl: downloading $pkg=$ver ($ysuite)"
		if ! (cd "$tmp" && "$here/archive.sh" apt "$ysuite" -q download "$pkg=$ver") >"$tmp/download.log" 2>&1; then
			local why
			why=$(grep -E -A1 '^(E|Err):' "$tmp/download.log" | head -n2 | tr -s ' \n' ' ') || true
			rm -rf "$tmp"
			die "cannot download $pkg=$ver from the $ysuite archive: ${why:-see apt output}"
		fi
		deb=$(echo "$tmp"/"${pkg}"_*_all.deb)
		mkdir -p "$tmp/src"
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" | xz -dc |
			tar -x -C "$tmp/src" --strip-components=1 --wildcards \
				"$pkg/tools/net/ynl/*" "$pkg/Documentation/netlink/*" "$pkg/MAINTAINERS" ||
			{ rm -rf "$tmp"; die "cannot unpack $deb"; }
		{ [ -f "$tmp/src/tools/net/ynl/pyynl/ynl_gen_c.py" ] && [ -f "$tmp/src/tools/net/ynl/lib/ynl.c" ]; } ||
			{ rm -rf "$tmp"; die "$pkg=$ver has no tools/net/ynl/pyynl/ynl_gen_c.py or tools/net/ynl/lib/ynl.c"; }
		rm -rf "$d/src"
		mv "$tmp/src" "$d/src"
		rm -rf "$tmp"
	fi
	echo "$d/src"
}

# ROOT DIR REASON: the client cannot be built; say why to the test.
skip_client() {
	local root=$1 dir=$2 why
	why=$(printf '%s' "$3" | tr -d '\n' | sed 's/[\\"]/\\&/g')
	log "ynl: no YNL client: $3"
	mkdir -p "$root$dir"
	printf '#define IOPGT_YNL_SKIP "%s"\n' "$why" >"$root$dir/ynl-skip.h"
}

do_client() {
	local root=$1 dir=$2 cc=$3 src err key gen g
	rm -rf "${root:?}$dir"
	err=$(mktemp)
	if ! src=$(with_lock ynl-source "$here/ynl.sh" source 2>"$err"); then
		skip_client "$root" "$dir" "$(sed -n 's/^iopgt: error: //p' "$err" | head -n1)"
		rm -f "$err"
		return 0
	fi
	rm -f "$err"
	key=$(cat "$SRC/uapi/iopgt.yaml" "$src/tools/net/ynl/pyynl/ynl_gen_c.py" | sha256sum | cut -c1-16)
	gen=$(dirname "$src")/gen-$key
	if [ ! -f "$gen/iopgt-user.c" ]; then
		if ! in_root "$root" python3 -c 'import yaml, jsonschema' 2>/dev/null; then
			log "ynl: installing python3-yaml python3-jsonschema in $root"
			if ! in_root "$root" apt-get -q -y install python3 python3-yaml python3-jsonschema \
				>"$root.ynl-apt.log" 2>&1; then
				skip_client "$root" "$dir" "cannot install python3-yaml python3-jsonschema in the build root: $(grep -E '^E:' "$root.ynl-apt.log" | head -n1 || true)"
				return 0
			fi
		fi
		# The generator finds the schema two folders above the spec and
		# the kernel root by its MAINTAINERS: the spec goes where the
		# kernel's own specs are, in a scratch copy of the source.
		g=/iopgt/ynl-src
		rm -rf "${root:?}$g"
		mkdir -p "$root$g"
		cp -a "$src/." "$root$g/"
		cp "$SRC/uapi/iopgt.yaml" "$root$g/Documentation/netlink/specs/iopgt.yaml"
		mkdir -p "$root$g/out"
		local mode
		for mode in header source; do
			in_root "$root" sh -c "cd $g/tools/net/ynl/generated && timeout 120 python3 ../pyynl/ynl_gen_c.py \
				--mode user --$mode --spec ../../../../Documentation/netlink/specs/iopgt.yaml \
				-o $g/out/iopgt-user.$([ $mode = header ] && echo h || echo c)" >"$root.ynl-gen.log" 2>&1 ||
				{ cat "$root.ynl-gen.log" >&2; rm -rf "${root:?}$g"; die "ynl_gen_c.py --mode user --$mode rejected uapi/iopgt.yaml (output above)"; }
		done
		mkdir -p "$gen.tmp"
		cp "$root$g/out/iopgt-user.h" "$root$g/out/iopgt-user.c" "$gen.tmp/"
		rm -rf "$gen" "${root:?}$g"
		mv "$gen.tmp" "$gen"
	fi
	mkdir -p "$root$dir"
	cp "$src/tools/net/ynl/lib/ynl.c" "$src/tools/net/ynl/lib/ynl.h" "$src/tools/net/ynl/lib/ynl-priv.h" \
		"$gen/iopgt-user.h" "$gen/iopgt-user.c" "$root$dir/"
	# the flags of tools/net/ynl/{lib,generated}/Makefile
	local f
	for f in ynl iopgt-user; do
		in_root "$root" "$cc" -std=gnu11 -O2 -W -Wall -Wextra -Wno-unused-parameter -Wshadow \
			-I"$dir" -I/iopgt/src/uapi -c -o "$dir/$f.o" "$dir/$f.c" >"$root$dir/$f.log" 2>&1 ||
			{ cat "$root$dir/$f.log" >&2; die "ynl: $cc cannot compile $f.c (output above)"; }
	done
	log "ynl: client from $(basename "$(dirname "$src")") built with $cc"
}

cmd=${1:-}
shift || true
case $cmd in
source) do_source ;;
client)
	[ $# -eq 3 ] || die "usage: $0 client ROOT DIR CC"
	do_client "$@"
	;;
*) die "usage: $0 source | client ROOT DIR CC" ;;
esac
