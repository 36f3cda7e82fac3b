#!/usr/bin/env bash
# The install script's parts are layered by dependency, as TAP: every object a part of src/ uses
# (healthscore.x, healthscore_internal.x in its code; comments and string literals, such as the
# hints that name functions to call, do not count) is defined in that part or in one before it in
# the Makefile's SQL_PARTS, and every part is in SQL_PARTS. A part that used a later one
# would work only because PL/pgSQL resolves names late, and would break as soon as something bound
# early (a view, an SQL function, a default) named it.
#
# Usage: test/sql_layers.sh (from the repository root; needs make and perl)
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. test/tap.sh

read -r -a parts <<<"$(make -s --no-print-directory sql-parts)"
tap_plan $((${#parts[@]} + 1))

listed=$(printf '%s\n' "${parts[@]}" | sort)
present=$(ls src/*.sql | sort)
if [ "$listed" = "$present" ]; then
	ok "SQL_PARTS lists every src/*.sql once"
else
	not_ok "SQL_PARTS lists every src/*.sql once"
	diff <(echo "$listed") <(echo "$present") | diag
fi

# perl: for each part in order, the names it defines, then the names it uses that no part up to
# it defines. Sequences of serial columns (table_column_seq) belong to their table.
perl -e '
	my (%defined, @report);
	for my $part (@ARGV) {
		open(my $fh, "<", $part) or die "$part: $!";
		my $text = do { local $/; <$fh> };
		close $fh;
		# what names things without using them: comments, COMMENT ON, and string literals (messages,
		# hints, and the text of generated SQL, which runs only when the whole script is installed)
		$text =~ s/--[^\n]*//g;
		$text =~ s/COMMENT\s+ON\s(?:[^;\x27]|\x27(?:[^\x27]|\x27\x27)*\x27)*;//g;
		$text =~ s/\x27(?:[^\x27]|\x27\x27)*\x27/\x27\x27/g;
		while ($text =~ /CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|VIEW|TABLE|AGGREGATE|TYPE)\s+(healthscore(?:_internal)?\.\w+)/g) {
			$defined{$1} = 1;
		}
		my %missing;
		while ($text =~ /\b(healthscore(?:_internal)?\.\w+)/g) {
			my $name = $1;
			next if $defined{$name};
			(my $table = $name) =~ s/_\w+?_seq$//;
			next if $name =~ /_seq$/ && grep { $defined{$_} && $name =~ /^\Q$_\E_\w+_seq$/ } keys %defined;
			$missing{$name} = 1;
		}
		print "$part\t", join(" ", sort keys %missing), "\n";
	}' "${parts[@]}" >"$work/uses"

while IFS=$'\t' read -r part missing; do
	if [ -z "$missing" ]; then
		ok "$part uses only what it and the parts before it define"
	else
		not_ok "$part uses only what it and the parts before it define"
		echo "names defined later or nowhere: $missing" | diag
	fi
done <"$work/uses"
tap_done
