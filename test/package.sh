#!/usr/bin/env bash
# The Debian package and the PGXN metadata, as TAP: run by test/run_suites.sh. It does not use the
# throwaway cluster it runs in; it makes a PostgreSQL of its own.
#
# META.json must be valid JSON with the PGXN spec's required keys, and its version, the control
# file's default_version and debian/changelog's upstream version must agree. Then a copy of the
# tree in a scratch directory is built with dpkg-buildpackage -us -uc -b (the .deb is written
# beside the copy, never into the repository), the package's files are checked, and it is
# installed without dpkg: PostgreSQL 15 is copied into a throwaway root (it finds its share and lib
# directories relative to its binaries), healthscore's files are removed from the copy, the
# package is extracted over it with dpkg-deb -x, and a cluster of the copy's binaries runs
# CREATE EXTENSION healthscore, a scoring query, and an update from 0.1.0. The system's PostgreSQL,
# where make install puts healthscore, is only read.
#
# Usage: test/package.sh [PG_CONFIG]   (the PostgreSQL 15 to copy; default Debian's)
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config}
work=$(mktemp -d)
. test/tap.sh
pkg=postgresql-15-healthscore
copy=$work/build/healthscore	# dpkg-buildpackage writes the packages into $work/build
root=$work/root
pgwork=$work/pg	# the server's: data directory, socket directory, log
data=$pgwork/data
sock=$pgwork/sock

# The server runs as postgres when we are root (PostgreSQL refuses to run as root), in a directory
# it may read.
as_server() {
	if [ "$(id -u)" -eq 0 ]; then (cd "$work" && runuser -u postgres -- "$@"); else "$@"; fi
}
cleanup() {
	[ -f "$data/postmaster.pid" ] && as_server "$bindir/pg_ctl" stop -D "$data" -m immediate >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# Not the cluster of test/run_suites.sh, nor a make that called us: the build and the server get
# a plain environment.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS PGSYSCONFDIR \
	PG_CLUSTER_CONF_ROOT PG_CONFIG PGVERSION MAKEFLAGS MAKELEVEL MFLAGS

tap_plan 14

# 1. META.json: valid JSON with the required keys of PGXN Meta Spec 1.0.0. JSON::PP is in
# perl-modules, which perl (a dependency of postgresql-common) brings.
meta=$(perl -MJSON::PP -e '
	local $/;
	open my $f, "<", "META.json" or die "META.json: $!\n";
	my $m = JSON::PP->new->decode(<$f>);
	my @e;
	for my $k (qw(name abstract version maintainer license provides meta-spec)) {
		push @e, "missing key $k" unless defined $m->{$k} && $m->{$k} ne "";
	}
	push @e, "name is not healthscore" unless ($m->{name} // "") eq "healthscore";
	push @e, "license is not postgresql" unless ($m->{license} // "") eq "postgresql";
	push @e, "meta-spec version is not 1.0.0" unless (($m->{"meta-spec"} // {})->{version} // "") eq "1.0.0";
	push @e, "meta-spec has no url" unless ($m->{"meta-spec"} // {})->{url};
	my $p = ($m->{provides} // {})->{healthscore} // {};
	for my $k (qw(file version abstract)) { push @e, "provides.healthscore has no $k" unless $p->{$k} }
	push @e, "provides.healthscore.file $p->{file} does not exist" if $p->{file} && !-f $p->{file};
	die map { "$_\n" } @e if @e;
	print "$m->{version} $p->{version}\n";
' 2>"$work/meta.err")
if [ -n "$meta" ]; then
	ok "META.json: valid JSON with name, abstract, version, maintainer, license, provides, meta-spec"
else
	not_ok "META.json: valid JSON with name, abstract, version, maintainer, license, provides, meta-spec"
	diag <"$work/meta.err"
fi

# 2. One version everywhere.
control_version=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" healthscore.control)
deb_version=$(dpkg-parsechangelog -S Version 2>/dev/null)
read -r meta_version provides_version <<<"$meta"
if [ -n "$control_version" ] && [ "${meta_version:-}" = "$control_version" ] &&
	[ "${provides_version:-}" = "$control_version" ] && [ "${deb_version%-*}" = "$control_version" ]; then
	ok "version $control_version in healthscore.control, META.json (and provides) and debian/changelog ($deb_version)"
else
	not_ok "version in healthscore.control, META.json (and provides) and debian/changelog agree"
	echo "control ${control_version:-?}, META.json ${meta_version:-?}, provides ${provides_version:-?}, debian/changelog ${deb_version:-?}" | diag
fi
version=$control_version
deb=$work/build/${pkg}_${deb_version}_$(dpkg --print-architecture).deb

# 3. The build, from a copy of what git would commit (tracked and untracked files that are not
# ignored: no build products of the tree). WERROR=-Werror in the environment must not reach the
# compiler: a package build must not fail on a newer compiler's warning.
mkdir -p "$copy"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"	# not files deleted in the work tree
	done | tar --null -T - -cf - | tar -C "$copy" -xf -
else
	cp -a . "$copy"
fi
(cd "$copy" && find . -type f -print0 | sort -z | xargs -0 md5sum) >"$work/before.md5"
start=$(date +%s)
(cd "$copy" && WERROR=-Werror dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
rc=$?
compiles=$(grep -cE -- ' -c -o ' "$work/build.log")
werror=$(grep -E -- ' -c -o ' "$work/build.log" | grep -cE -- ' -Werror( |$)')
if [ $rc -eq 0 ] && [ -f "$deb" ] && [ "$compiles" -gt 0 ] && [ "$werror" -eq 0 ]; then
	ok "dpkg-buildpackage -us -uc -b builds $(basename "$deb") ($(($(date +%s) - start)) s), without -Werror"
else
	not_ok "dpkg-buildpackage -us -uc -b builds $(basename "$deb"), without -Werror"
	{ echo "exit status $rc, $compiles compiler calls, $werror with -Werror"; tail -40 "$work/build.log"; ls "$work/build"; } | diag
fi

# 4. The build leaves nothing in the tree that git would show: debian/rules clean and make clean
# ran, and what dpkg-buildpackage leaves in debian/ is in .gitignore.
(cd "$copy" && find . -type f -print0 | sort -z | xargs -0 md5sum) >"$work/after.md5"
git -C "$copy" init -q	# for git check-ignore with the tree's own .gitignore
left=$(comm -13 <(sed 's/^[0-9a-f]*  \.\///' "$work/before.md5") <(sed 's/^[0-9a-f]*  \.\///' "$work/after.md5") |
	git -C "$copy" check-ignore --no-index --stdin -nv | awk -F'\t' '$1 == "::" { print $2 }')
changed=$(grep -vxFf "$work/after.md5" "$work/before.md5" | sed 's/^[0-9a-f]*  \.\///')
if [ -z "$left" ] && [ -z "$changed" ]; then
	ok "after the build the tree has no file git would show (debian/ build products are ignored)"
else
	not_ok "after the build the tree has no file git would show (debian/ build products are ignored)"
	{ [ -n "$left" ] && echo "not ignored: $left"; [ -n "$changed" ] && echo "changed or deleted: $changed"; } | diag
fi

# 5. Its files: exactly what make install installs (the shared library, its LLVM bitcode when the
# server has JIT, the control file, the built install script and every script in versions/), at
# the paths of the PostgreSQL 15 named by PG_CONFIG; besides them only /usr/share/doc.
pkglibdir=$("$pg_config" --pkglibdir)
sharedir=$("$pg_config" --sharedir)
{
	echo ".$pkglibdir/healthscore.so"
	if "$pg_config" --configure | grep -q -- --with-llvm; then
		echo ".$pkglibdir/bitcode/healthscore.index.bc"
		for f in src/*.c; do echo ".$pkglibdir/bitcode/healthscore/${f%.c}.bc"; done
	fi
	echo ".$sharedir/extension/healthscore.control"
	echo ".$sharedir/extension/healthscore--$version.sql"
	for f in versions/healthscore--*.sql; do echo ".$sharedir/extension/$(basename "$f")"; done
} | sort >"$work/expected"
dpkg-deb -c "$deb" 2>&1 | awk '$1 !~ /^d/ { print $6 }' >"$work/contents"
grep -v '^\./usr/share/doc/' "$work/contents" | sort >"$work/got"
if [ -s "$work/got" ] && cmp -s "$work/expected" "$work/got"; then
	ok "dpkg-deb -c: healthscore.so, healthscore.control, healthscore--$version.sql, versions/*.sql, bitcode ($(wc -l <"$work/got") files)"
else
	not_ok "dpkg-deb -c: healthscore.so, healthscore.control, healthscore--$version.sql, versions/*.sql, bitcode"
	{ echo "expected (<) and in the package (>):"; diff "$work/expected" "$work/got"; } | diag
fi

# 6. Its control fields.
fields=$(dpkg-deb -f "$deb" Package Version Depends 2>&1)
if grep -qx "Package: $pkg" <<<"$fields" && grep -qx "Version: $deb_version" <<<"$fields" &&
	grep -qE '^Depends: .*postgresql-15( |,|$)' <<<"$fields"; then
	ok "dpkg-deb -f: $pkg $deb_version, depends on postgresql-15"
else
	not_ok "dpkg-deb -f: $pkg $deb_version, depends on postgresql-15"
	diag <<<"$fields"
fi

# 7. The throwaway root: a copy of PostgreSQL 15 without healthscore (make install may have put it
# in the system's), which must find its share and lib directories inside the root.
pgdir=$(dirname "$("$pg_config" --bindir)")	# /usr/lib/postgresql/15
bindir=$root$pgdir/bin
chmod 755 "$work"	# the postgres user reads the copy and writes the cluster below
mkdir -p "$root$(dirname "$pgdir")" "$root$(dirname "$sharedir")"
cp -a "$pgdir" "$root$(dirname "$pgdir")/" 2>"$work/cp.err" &&
	cp -a "$sharedir" "$root$(dirname "$sharedir")/" 2>>"$work/cp.err"
rm -rf "$root$pkglibdir"/healthscore.so "$root$pkglibdir"/bitcode/healthscore* "$root$sharedir"/extension/healthscore[.-]*
relocated=$("$bindir/pg_config" --sharedir --pkglibdir 2>&1 | tr '\n' ' ')
if [ "$relocated" = "$root$sharedir $root$pkglibdir " ] && [ ! -s "$work/cp.err" ] &&
	! ls "$root$sharedir"/extension/healthscore* >/dev/null 2>&1; then
	ok "a copy of PostgreSQL 15 in a throwaway root, without healthscore, finds its share and lib directories there"
else
	not_ok "a copy of PostgreSQL 15 in a throwaway root, without healthscore, finds its share and lib directories there"
	{ echo "pg_config of the copy: $relocated"; cat "$work/cp.err"; } | diag
fi

# 8. The package over it, with dpkg-deb -x (not dpkg -i: that would replace the system's files).
if dpkg-deb -x "$deb" "$root" 2>"$work/x.err" && [ -f "$root$pkglibdir/healthscore.so" ] &&
	[ -f "$root$sharedir/extension/healthscore.control" ]; then
	ok "dpkg-deb -x puts the package's files into the root"
else
	not_ok "dpkg-deb -x puts the package's files into the root"
	diag <"$work/x.err"
fi

# 9. A cluster of the copy's binaries: its own socket directory, no TCP, a free port.
port=$(free_port)
mkdir -p "$data" "$sock"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$pgwork"
if as_server "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 &&
	as_server "$bindir/pg_ctl" start -D "$data" -w -t 60 -l "$pgwork/server.log" \
		-o "-p $port -k $sock -c listen_addresses=''" >"$work/start.log" 2>&1; then
	ok "initdb and pg_ctl start with the copy's binaries (port $port, socket in the scratch directory)"
else
	not_ok "initdb and pg_ctl start with the copy's binaries"
	cat "$work/initdb.log" "$work/start.log" "$pgwork/server.log" 2>/dev/null | tail -30 | diag
fi
export PGHOST=$sock PGPORT=$port PGUSER=postgres
PATH=$bindir:$PATH

# 10. CREATE EXTENSION from the package's files.
got=$(q postgres "CREATE EXTENSION healthscore; SELECT extversion FROM pg_extension WHERE extname = 'healthscore'")
if [ "$got" = "$version" ]; then
	ok "CREATE EXTENSION healthscore: extversion $version"
else
	not_ok "CREATE EXTENSION healthscore: extversion $version"
	echo "got: ${got:-<nothing>}" | diag
fi

# 11. The shared library from the package scores.
got=$(q postgres "SELECT healthscore.linear(5, 0, 10) || ' ' || healthscore.tier(75)
                  || ' ' || (SELECT healthscore.weighted_score(p, w) FROM (VALUES (100, 1), (0, 3)) AS s(p, w))")
if [ "$got" = "50 green 25" ]; then
	ok "linear(5, 0, 10) = 50, tier(75) = green, weighted_score = 25"
else
	not_ok "linear(5, 0, 10) = 50, tier(75) = green, weighted_score = 25"
	echo "got: ${got:-<nothing>}" | diag
fi

# 12. The versions the package makes available: every released one and the current one.
expected_versions=$( (for f in versions/healthscore--*.sql; do basename "$f" .sql; done |
	sed -n 's/^healthscore--\([^-]*\)$/\1/p'; echo "$version") | sort -uV | paste -sd ' ')
got=$(q postgres "SELECT string_agg(version, ' ' ORDER BY string_to_array(version, '.')::int[])
                  FROM pg_available_extension_versions WHERE name = 'healthscore'")
if [ "$got" = "$expected_versions" ]; then
	ok "pg_available_extension_versions: $expected_versions"
else
	not_ok "pg_available_extension_versions: $expected_versions"
	echo "got: ${got:-<nothing>}" | diag
fi

# 13. A released version and the update to the current one, in another database.
got=$(createdb hs_package_update 2>"$work/createdb.err" &&
	q hs_package_update "CREATE EXTENSION healthscore VERSION '0.1.0';
	                     SELECT extversion FROM pg_extension WHERE extname = 'healthscore'" &&
	q hs_package_update "ALTER EXTENSION healthscore UPDATE;
	                     SELECT extversion || ' ' || healthscore.linear(45, 0, 60) FROM pg_extension
	                     WHERE extname = 'healthscore'")
if [ "$got" = "0.1.0"$'\n'"$version 75" ]; then
	ok "CREATE EXTENSION healthscore VERSION '0.1.0', ALTER EXTENSION healthscore UPDATE: $version, scores"
else
	not_ok "CREATE EXTENSION healthscore VERSION '0.1.0', ALTER EXTENSION healthscore UPDATE: $version, scores"
	{ echo "got: ${got:-<nothing>}"; cat "$work/createdb.err"; } | diag
fi

# 14. The cluster stops; the root goes with the scratch directory.
if as_server "$bindir/pg_ctl" stop -D "$data" -w -m fast >"$work/stop.log" 2>&1; then
	ok "pg_ctl stop"
else
	not_ok "pg_ctl stop"
	cat "$work/stop.log" "$pgwork/server.log" | tail -20 | diag
fi

tap_done
