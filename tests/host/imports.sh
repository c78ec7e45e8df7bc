#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The import graph of C sources, from their #include lines, and its circles.
#
#   tests/host/imports.sh [--graph] [--enforce DIR] DIR...
#   tests/host/imports.sh [--graph]     module/ enforced, userspace/ reported
#
# Every .c and .h file under each DIR is read. A unit is a file name
# without its extension (foo.c and foo.h are one unit, a header without a
# .c is a unit of its own). Unit A imports unit B when a file of A includes
# (directly or through other local headers) a header that declares a
# function or variable defined in a .c file of B, and a file of A uses that
# name; a .c file also imports every header-only unit it includes. So an
# umbrella header declaring everyone's functions hides nothing, and a
# header that includes another only for its types adds no import.
# A circle is a set of units that import each other, directly or not.
#
# Output is TAP: one line per DIR, "ok" when it has no circle. DIRs given
# with --enforce fail on a circle; the others report their circles (with
# the names that tie each import) and pass with "# SKIP not enforced".
# --graph also prints every import as "# import A -> B: names".
# Run from anywhere; DIRs are taken relative to the current directory.
set -u

graph=0
enforce=" "
dirs=""
while [ $# -gt 0 ]; do
	case $1 in
	--graph) graph=1 ;;
	--enforce) shift; enforce="$enforce${1%/} "; dirs="$dirs ${1%/}" ;;
	-h|--help) sed -n '3,23p' "$0"; exit 0 ;;
	*) dirs="$dirs ${1%/}" ;;
	esac
	shift
done
# no DIR: the repository's own check (module/ enforced; userspace/ is
# reported until its restructuring lands)
if [ -z "$dirs" ]; then
	cd "$(dirname "$0")/../.." || exit 2
	enforce=" module "
	dirs="module userspace"
fi

n=0
rc=0
seen=" "
echo "TAP version 13"
# count the DIRs first for the plan
for d in $dirs; do
	case $seen in *" $d "*) continue ;; esac
	seen="$seen$d "
	n=$((n + 1))
done
echo "1..$n"
i=0
for d in $seen; do
	i=$((i + 1))
	if [ ! -d "$d" ]; then
		echo "not ok $i - $d: no such directory"
		rc=1
		continue
	fi
	files=$(find "$d" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
	if [ -z "$files" ]; then
		echo "not ok $i - $d: no .c or .h file"
		rc=1
		continue
	fi
	case $enforce in *" $d "*) enf=1 ;; *) enf=0 ;; esac
	# shellcheck disable=SC2086
	awk -v dir="$d" -v num="$i" -v enf="$enf" -v graph="$graph" '
	function unit(p) { sub(/\.[ch]$/, "", p); return p }
	function isheader(p) { return p ~ /\.h$/ }
	function norm(p,   n, a, out, k, m) {
		n = split(p, a, "/"); m = 0
		for (k = 1; k <= n; k++) {
			if (a[k] == "." || a[k] == "") continue
			if (a[k] == ".." && m > 0 && st[m] != "..") { m--; continue }
			st[++m] = a[k]
		}
		out = st[1]
		for (k = 2; k <= m; k++) out = out "/" st[k]
		return out
	}
	FNR == 1 {
		file = FILENAME; files[++nf] = file; incmt = 0; depth = 0
	}
	{
		line = $0
		# comments and literals out
		if (incmt) {
			if (match(line, /\*\//)) { line = substr(line, RSTART + 2); incmt = 0 }
			else next
		}
		if (line ~ /^[ \t]*#[ \t]*include[ \t]*"/) {
			inc = line; sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
			incs[file] = incs[file] SUBSEP inc
			next
		}
		gsub(/"([^"\\]|\\.)*"/, "\"\"", line)
		gsub(/\047([^\047\\]|\\.)*\047/, "0", line)
		gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, " ", line)
		sub(/\/\/.*$/, "", line)
		if (match(line, /\/\*/)) { line = substr(line, 1, RSTART - 1); incmt = 1 }
		if (line ~ /^[ \t]*#/) { cont = (line ~ /\\$/); next }
		if (cont) { cont = (line ~ /\\$/); next }
		# names used (struct, union and enum tags are not)
		t = line
		gsub(/(struct|union|enum)[ \t]+[A-Za-z_][A-Za-z0-9_]*/, " ", t)
		gsub(/[^A-Za-z0-9_]+/, " ", t)
		k = split(t, w, " ")
		for (j = 1; j <= k; j++) if (w[j] ~ /^[A-Za-z_]/) uses[file, w[j]] = 1
		# top-level declarations (headers) and definitions (.c)
		if (depth == 0 && line ~ /^[A-Za-z_]/ &&
		    line !~ /^(static|typedef|enum|union)[ \t]/ &&
		    line !~ /^struct[ \t]+[A-Za-z0-9_]+[ \t]*(\{|;)/ && line !~ /^[A-Z_0-9]+\(/) {
			name = ""
			dl = line	# without attribute macros: __printf(2, 3) void f(
			gsub(/__[A-Za-z_]+[ \t]*\(\(?[^)]*\)\)?[ \t]*/, "", dl)
			if (match(dl, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
				name = substr(dl, RSTART, RLENGTH); sub(/[ \t]*\($/, "", name)
				if (!isheader(file) && line ~ /;[ \t]*$/) name = ""
			} else if (line ~ /^extern[ \t]/ || !isheader(file)) {
				s = line; sub(/[ \t]*(\[|=|;).*$/, "", s)
				if (match(s, /[A-Za-z_][A-Za-z0-9_]*$/)) name = substr(s, RSTART, RLENGTH)
			}
			if (name != "") {
				if (isheader(file)) decl[file, name] = 1
				else if (!(name in def)) def[name] = file
			}
		}
		if (line ~ /^extern[ \t]*""/) next	# extern "C" { adds no depth
		o = line; c = line
		depth += gsub(/\{/, "", o) - gsub(/\}/, "", c)
		if (depth < 0) depth = 0
	}
	END {
		for (f = 1; f <= nf; f++) { byname[files[f]] = 1; b = files[f]; sub(/^.*\//, "", b); base[b] = base[b] " " files[f] }
		# resolve includes: relative to the file, else a unique file of that name
		for (f = 1; f <= nf; f++) {
			F = files[f]; dn = F; sub(/\/[^\/]*$/, "", dn)
			k = split(incs[F], a, SUBSEP)
			for (j = 2; j <= k; j++) {
				p = norm(dn "/" a[j])
				if (!(p in byname)) {
					b = a[j]; sub(/^.*\//, "", b)
					m = split(base[b], cand, " ")
					p = ""
					for (q = 1; q <= m; q++) if (cand[q] ~ ("(^|/)" a[j] "$")) { p = cand[q]; break }
				}
				if (p != "") direct[F, p] = 1
			}
		}
		# transitive closure of local includes
		do {
			changed = 0
			for (key in direct) {
				split(key, kk, SUBSEP)
				for (g = 1; g <= nf; g++)
					if ((kk[2], files[g]) in direct && !((kk[1], files[g]) in direct)) {
						direct[kk[1], files[g]] = 1; changed = 1
					}
			}
		} while (changed)
		for (f = 1; f <= nf; f++) { u = unit(files[f]); if (!(u in units)) { units[u] = 1; ul[++nu] = u } }
		for (f = 1; f <= nf; f++) if (!isheader(files[f])) hasc[unit(files[f])] = 1
		for (key in direct) {
			split(key, kk, SUBSEP); F = kk[1]; H = kk[2]; uf = unit(F); uh = unit(H)
			if (!isheader(F) && !(uh in hasc) && uh != uf) addedge(uf, uh, "(types)")
			for (dk in decl) {
				split(dk, dd, SUBSEP)
				if (dd[1] != H) continue
				s = dd[2]
				if (!(s in def) || !((F, s) in uses)) continue
				ud = unit(def[s])
				if (ud != uf) addedge(uf, ud, s)
			}
		}
		# a header using a name of another unit through its own includes
		# is covered above (the header is a file F too)
		for (a1 = 1; a1 <= nu; a1++) for (a2 = 1; a2 <= nu; a2++)
			reach[ul[a1], ul[a2]] = ((ul[a1], ul[a2]) in edge)
		for (m = 1; m <= nu; m++) for (a1 = 1; a1 <= nu; a1++) if (reach[ul[a1], ul[m]])
			for (a2 = 1; a2 <= nu; a2++) if (reach[ul[m], ul[a2]]) reach[ul[a1], ul[a2]] = 1
		nc = 0
		for (a1 = 1; a1 <= nu; a1++) {
			u = ul[a1]
			if (done[u] || !reach[u, u]) continue
			nc++; members = ""
			for (a2 = 1; a2 <= nu; a2++) if (reach[u, ul[a2]] && reach[ul[a2], u]) {
				done[ul[a2]] = 1; members = members " " ul[a2]; inc_c[nc, ul[a2]] = 1
			}
			circ[nc] = members
		}
		ne = 0; for (e in edge) ne++
		if (graph) {
			n2 = 0
			for (e in edge) { split(e, ee, SUBSEP); lines[++n2] = "# import " ee[1] " -> " ee[2] ":" names[e] }
			for (x = 1; x <= n2; x++) print lines[x] | "LC_ALL=C sort"
			close("LC_ALL=C sort")
		}
		for (c = 1; c <= nc; c++) {
			print "# circle " c ":" circ[c]
			for (e in edge) {
				split(e, ee, SUBSEP)
				if ((c, ee[1]) in inc_c && (c, ee[2]) in inc_c) print "#   " ee[1] " -> " ee[2] ":" names[e]
			}
		}
		if (nc == 0)
			printf "ok %d - %s: no import circle (%d units, %d imports)\n", num, dir, nu, ne
		else if (enf)
			printf "not ok %d - %s: %d import circle(s) among %d units (see the circles above)\n", num, dir, nc, nu
		else
			printf "ok %d - %s: %d import circle(s) among %d units # SKIP not enforced\n", num, dir, nc, nu
		exit (nc > 0 && enf)
	}
	function addedge(a, b, s) {
		if (!((a, b) in edge)) { edge[a, b] = 1; names[a, b] = "" }
		if (index(names[a, b] " ", " " s " ") == 0) names[a, b] = names[a, b] " " s
	}
	' $files || rc=1
done
exit $rc
