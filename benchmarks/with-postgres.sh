#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server for the PostgreSQL benchmarks: initdb into a temporary folder, a
# free loopback port, Debian's defaults otherwise (fsync on, as in production); PORTAL_BENCH_POSTGRES names it.
#
#   bash benchmarks/with-postgres.sh dotnet run -c Release --project benchmarks/Provisioning.Benchmarks -- engine-postgres
set -euo pipefail

work="$(mktemp -d /tmp/portal-bench-pg.XXXXXX)"
chmod 755 "$work"  # the postgres user runs the server inside it

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || {
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
}
pg_bin="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -1)")"

stop() {
    as_root runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
    as_root rm -rf "$work"
}
trap stop EXIT INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
as_root chown postgres "$work"
as_root runuser -u postgres -- "$pg_bin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
as_root runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -l "$work/log" -w \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
export PORTAL_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($work)" >&2
"$@"
