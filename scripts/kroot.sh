#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A root for building kernels and modules against a kernel build tree with a
# given gcc: a minbase debootstrap of the newest suite that packages gcc-N
# (sid, trixie, bookworm), with gcc-N, its aarch64 cross compiler and what
# kbuild needs to build a whole kernel (flex, bison, bc, libssl-dev,
# libelf-dev, ...). Separate from the DKMS roots (buildroot.sh) so that a
# long kernel build never holds them.
#
#   kroot.sh ensure GCC_MAJOR     create it if missing; print its path
#   kroot.sh run GCC_MAJOR DIR... -- CMD...
#                                 run CMD in it (private mount namespace:
#                                 /proc mounted, each host DIR bind-mounted at
#                                 the same path, nothing visible outside)
#
# Ready when $IOPGT_CACHE/roots/kbuild-gccN.ready exists; a lock serialises
# creation.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")

kroot_dir() { echo "$IOPGT_CACHE/roots/kbuild-gcc$1"; }

create() {
	local major=$1 root suite s log pkgs
	root=$(kroot_dir "$major")
	[ -f "$root.ready" ] && return 0
	suite=
	for s in sid trixie bookworm; do
		"$here/archive.sh" update "$s" >&2
		if "$here/archive.sh" cache "$s" show "gcc-$major:amd64" >/dev/null 2>&1; then
			suite=$s
			break
		fi
	done
	[ -n "$suite" ] || die "no Debian suite (sid trixie bookworm) packages gcc-$major: cannot build for a kernel made with it"
	log "kbuild-gcc$major: building a $suite root for kernel builds"
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	log=$root.log
	debootstrap --variant=minbase "$suite" "$root" "$(archive_uri)" >"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "kbuild-gcc$major: debootstrap $suite failed (log $log)"; }
	printf 'APT::Install-Recommends "false";\nAcquire::Check-Valid-Until "false";\n' >"$root/etc/apt/apt.conf.d/90iopgt"
	pkgs=(make "gcc-$major" "gcc-$major-aarch64-linux-gnu" libc6-dev flex bison bc libssl-dev libelf-dev
		cpio python3 perl rsync kmod xz-utils gzip)
	# shellcheck disable=SC2016
	unshare -m -- sh -c 'mount -t proc proc "$1/proc" && shift && exec "$@"' sh "$root" \
		env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$root" sh -c 'apt-get -q update && apt-get -q -y install "$@" && apt-get clean' sh "${pkgs[@]}" \
		>>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "kbuild-gcc$major: installing ${pkgs[*]} failed (log $log)"; }
	# kbuild's default CC/HOSTCC names
	ln -sf "gcc-$major" "$root/usr/bin/gcc"
	ln -sf "gcc-$major" "$root/usr/bin/cc"
	ln -sf "aarch64-linux-gnu-gcc-$major" "$root/usr/bin/aarch64-linux-gnu-gcc"
	echo "$suite" >"$root.ready"
	log "kbuild-gcc$major: ready ($suite)"
}

cmd=${1:-}
major=${2:-}
{ [ -n "$cmd" ] && [ -n "$major" ]; } || die "usage: $0 ensure|run GCC_MAJOR [DIR... -- CMD...]"
case $major in *[!0-9]*) die "gcc major version '$major' is not a number" ;; esac
shift 2
case $cmd in
ensure)
	with_lock "kroot-$major" "$0" _create "$major"
	kroot_dir "$major"
	;;
_create) create "$major" ;;
run)
	root=$(kroot_dir "$major")
	[ -f "$root.ready" ] || die "the kbuild-gcc$major root is not ready (kroot.sh ensure $major)"
	binds=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do binds+=("$(cd "$1" && pwd -P)"); shift; done
	[ "${1:-}" = -- ] || die "usage: $0 run GCC_MAJOR DIR... -- CMD..."
	shift
	# shellcheck disable=SC2016
	exec unshare -m -- sh -c '
		root=$1 n=$2
		shift 2
		while [ "$n" -gt 0 ]; do
			mkdir -p "$root$1" && mount --bind "$1" "$root$1" || exit 1
			shift
			n=$((n - 1))
		done
		mount -t proc proc "$root/proc" || exit 1
		exec chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"' \
		sh "$root" "${#binds[@]}" "${binds[@]}" "$@"
	;;
*) die "usage: $0 ensure|run GCC_MAJOR [DIR... -- CMD...]" ;;
esac
