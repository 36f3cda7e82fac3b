# Shared by test/run_all.sh, test/demo.sh and test/bench/run.sh: build, install, throwaway cluster.
# Sourced, not run. Callers cd to the repository root first.

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# build_and_install PG_CONFIG [WERROR]: compile (quietly unless something is wrong) and install.
build_and_install() {
	local pg_config=$1 werror=${2:-}
	local log
	log=$(mktemp)
	if ! make -s PG_CONFIG="$pg_config" WERROR="$werror" >"$log" 2>&1; then
		cat "$log" >&2
		echo "build failed" >&2
		rm -f "$log"
		return 1
	fi
	if ! as_root make -s PG_CONFIG="$pg_config" install >"$log" 2>&1; then
		cat "$log" >&2
		echo "install failed" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

# pg_virtualenv -t does not see clusters of other temporary environments, so two at once (make test
# beside make demo) would both take port 5432: pick a free port first.
free_port() {
	local port
	for port in $(seq 5432 5531); do
		[ -e "/var/run/postgresql/.s.PGSQL.$port" ] && continue
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
		echo "$port"
		return 0
	done
	echo "no free port between 5432 and 5531" >&2
	return 1
}

# in_throwaway_cluster CMD...: run CMD with PG* variables pointing at a new PostgreSQL 15 cluster
# that is dropped afterwards. -t keeps it in a temporary directory even as root (pg_virtualenv then
# runs the server as the postgres user, since PostgreSQL refuses to run as root). The C.UTF-8 locale
# makes sort order and messages the same on every machine.
in_throwaway_cluster() {
	local port
	port=$(free_port) || return 1
	pg_virtualenv -t -v 15 -c "--locale=C.UTF-8 --port=$port" \
		-o 'shared_preload_libraries=pg_cron' \
		-o 'max_worker_processes=16' \
		-o 'cron.database_name=contrib_regression' \
		"$@"
}
