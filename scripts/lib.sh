# SPDX-License-Identifier: GPL-2.0
# Common helpers for the iopgt kernel matrix scripts. Source this file; it
# does not run anything by itself.
# shellcheck shell=bash

IOPGT_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IOPGT_CACHE=${IOPGT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iopgt}
OUT=${OUT:-$IOPGT_REPO/build}
export IOPGT_REPO IOPGT_CACHE OUT

# A target is DIST-ARCH[-FLAVOUR]: the kernel of Debian suite DIST (an apt
# suite: bookworm, trixie-backports, ...) for ARCH, in one of Debian's
# kernel flavours (none: the stock one; 16k: arm64 with 16K pages; rt:
# PREEMPT_RT). Every kind of target goes through the same code path.
# shellcheck disable=SC2034 # used by archive.sh
IOPGT_DISTS=(bookworm trixie trixie-backports sid experimental)
IOPGT_ARCHES=(amd64 arm64)
# `make test` runs these; IOPGT_NEXT_TARGETS (the next kernel's release
# candidates, which may break for reasons outside this project) are opt-in:
# `make test-next` or `make test TARGETS=...`. IOPGT_DEBUG_TARGETS are the
# sanitizer kernels (built from sid's source by debugkernel.sh and cached);
# they are part of the default list and alone in `make test-debug`.
IOPGT_DEBUG_TARGETS=(sid-arm64-debug sid-amd64-debug)
IOPGT_DEFAULT_TARGETS=(bookworm-amd64 bookworm-arm64 trixie-amd64 trixie-arm64
	trixie-backports-amd64 trixie-backports-arm64 sid-amd64 sid-arm64
	sid-arm64-16k sid-amd64-rt sid-arm64-rt "${IOPGT_DEBUG_TARGETS[@]}")
IOPGT_NEXT_TARGETS=(experimental-amd64 experimental-arm64)
# The 1,000,000-leaf CLI dump (tests/cli.c, about 75 s under TCG) runs by
# default on this target only, where TCG is fastest; IOPGT_CLI_DUMP_MAX
# overrides it everywhere.
export IOPGT_CLI_BIG_TARGET=sid-amd64
# The suite whose root builds the userspace for every target (its glibc is
# the oldest, so its binaries run with the libraries shipped next to them).
export IOPGT_USER_SUITE=bookworm

log() { printf '[iopgt %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'iopgt: error: %s\n' "$*" >&2; exit 1; }

# Targets that boot a kernel the project does not download as a Debian
# package: SUITE-ARCH-debug (the sanitizer kernels scripts/debugkernel.sh
# builds from Debian's linux-source of SUITE, sid only) and custom-ARCH (a
# kernel developer's own build: IOPGT_KERNEL + IOPGT_KDIR, i.e. `make test
# KERNEL=... KDIR=...`). Both build the module with plain kbuild against
# the kernel's build tree (build.sh own).
own_kernel_target() { case $1 in custom-* | *-debug) return 0 ;; esac; return 1; }
# The custom target of IOPGT_KERNEL/IOPGT_KDIR: custom-<arch>, the arch from
# the build tree's .config unless IOPGT_KARCH names it.
custom_target() {
	local a=${IOPGT_KARCH:-}
	[ -n "${IOPGT_KERNEL:-}" ] || return 0
	[ -n "${IOPGT_KDIR:-}" ] || die "KERNEL=$IOPGT_KERNEL needs KDIR=<its build tree> too"
	if [ -z "$a" ]; then
		[ -f "$IOPGT_KDIR/.config" ] || die "KDIR=$IOPGT_KDIR has no .config: not a kernel build tree"
		if grep -q '^CONFIG_ARM64=y' "$IOPGT_KDIR/.config"; then a=arm64
		elif grep -q '^CONFIG_X86_64=y' "$IOPGT_KDIR/.config"; then a=amd64
		else die "KDIR=$IOPGT_KDIR: neither CONFIG_ARM64 nor CONFIG_X86_64 is set (supported: ${IOPGT_ARCHES[*]})"
		fi
	fi
	case " ${IOPGT_ARCHES[*]} " in *" $a "*) ;; *) die "KARCH=$a: supported: ${IOPGT_ARCHES[*]}" ;; esac
	echo "custom-$a"
}

# All valid target names, one per line (the default ones first).
all_targets() {
	printf '%s\n' "${IOPGT_DEFAULT_TARGETS[@]}" "${IOPGT_NEXT_TARGETS[@]}"
	custom_target
}
default_targets() { printf '%s\n' "${IOPGT_DEFAULT_TARGETS[@]}"; }
next_targets() { printf '%s\n' "${IOPGT_NEXT_TARGETS[@]}"; }
debug_targets() { printf '%s\n' "${IOPGT_DEBUG_TARGETS[@]}"; }

# check_targets NAME...: die listing the valid names if one is unknown.
check_targets() {
	local t
	[ $# -gt 0 ] || die "no target given; valid targets: $(all_targets | tr '\n' ' ')"
	local valid
	valid=" $(all_targets | tr '\n' ' ')"
	for t in "$@"; do
		case $valid in
		*" $t "*) ;;
		custom-*) die "target '$t' needs KERNEL=<Image|bzImage> and KDIR=<its build tree>" ;;
		*) die "unknown target '$t'; valid targets:$valid" ;;
		esac
	done
}

# Parts of a target name DIST-ARCH[-FLAVOUR].
target_arch() {
	local a
	for a in "${IOPGT_ARCHES[@]}"; do
		case -$1- in *"-$a-"*) echo "$a"; return 0 ;; esac
	done
	die "target '$1' names no architecture (${IOPGT_ARCHES[*]})"
}
target_suite() { local a; a=$(target_arch "$1"); echo "${1%%-"$a"*}"; }
target_flavour() {
	local a rest
	a=$(target_arch "$1")
	rest=${1#*-"$a"}
	echo "${rest#-}"
}
# Debian's kernel flavour name (the suffix of linux-headers-<abi>-...).
target_kflavour() {
	local a f
	a=$(target_arch "$1")
	f=$(target_flavour "$1")
	case $f in
	'') echo "$a" ;;
	rt) echo "rt-$a" ;;
	*) echo "$a-$f" ;;
	esac
}
# The architecture of a Debian kernel flavour name.
kflavour_arch() {
	local a
	for a in "${IOPGT_ARCHES[@]}"; do
		case -$1- in *"-$a-"*) echo "$a"; return 0 ;; esac
	done
	die "kernel flavour '$1' names no architecture"
}

# The suite whose build root builds a suite's kernels (same compiler and
# glibc): a backports or experimental kernel builds in its base suite's root
# with that suite added to the root's apt sources.
suite_base() {
	case $1 in
	*-backports) echo "${1%-backports}" ;;
	experimental) echo sid ;;
	*) echo "$1" ;;
	esac
}
# The apt suites a suite's private apt view reads (kbuild, busybox and
# libraries come from the base suite).
suite_apt_suites() {
	local b
	b=$(suite_base "$1")
	if [ "$b" = "$1" ]; then echo "$1"; else echo "$b $1"; fi
}
# Variable-name form of a suite (IOPGT_KABI_trixie_backports).
suite_var() { echo "${1//-/_}"; }

# Debian architecture -> GNU triplet / kernel ARCH / dkms -a argument.
arch_triplet() { case $1 in amd64) echo x86_64-linux-gnu ;; arm64) echo aarch64-linux-gnu ;; esac; }
arch_kernel() { case $1 in amd64) echo x86 ;; arm64) echo arm64 ;; esac; }
arch_uname() { case $1 in amd64) echo x86_64 ;; arm64) echo aarch64 ;; esac; }

# The package version: the single source of truth is dkms.conf.
iopgt_version() {
	sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$IOPGT_REPO/dkms.conf"
}

# The Debian archive URI, taken from the system's own apt configuration
# (deb822 .sources first, then the one-line format). IOPGT_MIRROR overrides.
archive_uri() {
	local uri=${IOPGT_MIRROR:-}
	if [ -z "$uri" ]; then
		uri=$(awk '
			/^[ \t]*$/ { if (u != "" && s !~ /-security/ && t ~ /deb( |$)/) { print u; exit } u = ""; s = ""; t = ""; next }
			/^URIs:/   { u = $2 }
			/^Suites:/ { $1 = ""; s = $0 }
			/^Types:/  { $1 = ""; t = $0 " " }
			END { if (u != "" && s !~ /-security/) print u }
		' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	fi
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i+1) !~ /-security/) { print $i; exit } break } }' \
			/etc/apt/sources.list | head -n1)
	fi
	[ -n "$uri" ] || die "cannot find a Debian archive URI in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list (set IOPGT_MIRROR)"
	echo "${uri%/}"
}

# with_lock NAME CMD...: run CMD holding $IOPGT_CACHE/locks/NAME.lock.
with_lock() {
	local name=$1
	shift
	mkdir -p "$IOPGT_CACHE/locks"
	flock "$IOPGT_CACHE/locks/$name.lock" "$@"
}

# Install missing host tools (as root with apt-get, else say what to install).
# Arguments: command:package pairs.
ensure_host_tools() {
	local pair cmd pkg missing=()
	for pair in "$@"; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		case $cmd in
		/*) [ -e "$cmd" ] && continue ;;
		*) { command -v "$cmd" || [ -x "/usr/sbin/$cmd" ] || [ -x "/sbin/$cmd" ]; } >/dev/null 2>&1 && continue ;;
		esac
		missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	if [ "$(id -u)" -ne 0 ]; then
		die "missing host tools; install them with: sudo apt-get install ${missing[*]}"
	fi
	log "installing host tools: ${missing[*]}"
	with_lock host-apt sh -c 'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null' \
		sh "${missing[@]}" || die "apt-get install ${missing[*]} failed"
}

host_tools_all() {
	ensure_host_tools qemu-system-x86_64:qemu-system-x86 qemu-system-aarch64:qemu-system-arm \
		debootstrap:debootstrap cpio:cpio gzip:gzip flock:util-linux \
		dpkg-deb:dpkg apt-get:apt gpgv:gpgv timeout:coreutils \
		/usr/share/keyrings/debian-archive-keyring.gpg:debian-archive-keyring
}

# wait_ready DIR PART: wait until DIR/PART.ready (deb.sh matrix) exists;
# fail when DIR/failed does (or after IOPGT_PKG_WAIT seconds, default 3600).
wait_ready() {
	local i=0
	while [ ! -f "$1/$2.ready" ]; do
		[ -f "$1/failed" ] && return 1
		[ $i -ge "${IOPGT_PKG_WAIT:-3600}" ] && { echo "waited too long for $1/$2.ready" >"$1/failed"; return 1; }
		sleep 1
		i=$((i + 1))
	done
}

# Root of the build chroot of a suite.
root_dir() { echo "$IOPGT_CACHE/roots/$1"; }
