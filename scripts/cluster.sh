#!/usr/bin/env bash
# A local cluster to try: a throwaway PostgreSQL, N portal nodes on it (demo data, the simulator), and nginx in front
# as the load balancer, sticky per browser and with WebSockets for the Blazor circuits. Everything binds to 127.0.0.1
# and lives in one temporary folder; Ctrl-C stops it all and removes the folder.
#
#   bash scripts/cluster.sh [nodes]        (2 by default; run as root, or with sudo for the packages and PostgreSQL)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nodes="${1:-2}"
work="$(mktemp -d /tmp/portal-cluster.XXXXXX)"
chmod 755 "$work"  # the postgres user runs the server inside it
pids=()

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop() {
    trap - EXIT INT TERM
    echo "Stopping the cluster"
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && as_root /usr/sbin/nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true
    [ -d "$work/pg/data" ] && as_root runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
    as_root rm -rf "$work"
}
trap stop EXIT INT TERM

packages=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
[ -x /usr/sbin/nginx ] || packages+=(nginx-light)
if [ "${#packages[@]}" -gt 0 ]; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
fi
pg_bin="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -1)")"

echo "Building the portal"
dotnet build "$repo/src/Portal" -c Release -v quiet -nologo >/dev/null

echo "Starting PostgreSQL"
pg_port="$(free_port)"
mkdir -p "$work/pg"
as_root chown postgres "$work/pg"
as_root runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
as_root runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "CREATE DATABASE portal" >/dev/null
database="Host=127.0.0.1;Port=$pg_port;Database=portal;Username=postgres"

proxy_port="$(free_port)"
upstreams=""
for n in $(seq 1 "$nodes"); do
    port="$(free_port)"
    mkdir -p "$work/node-$n"
    (cd "$repo/src/Portal" && exec env ASPNETCORE_ENVIRONMENT=Development Portal__DataDirectory="$work/node-$n" \
        Database__Provider=Postgres ConnectionStrings__Portal="$database" Portal__PublicBaseUrl="http://127.0.0.1:$proxy_port" \
        Portal__ForwardedHeaders__KnownProxies__0=127.0.0.1 \
        dotnet bin/Release/net10.0/Portal.dll --urls "http://127.0.0.1:$port" >"$work/node-$n.log" 2>&1) &
    pids+=($!)
    upstreams+="        server 127.0.0.1:$port;"$'\n'
    echo "Node $n: http://127.0.0.1:$port (log: $work/node-$n.log)"
done

cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events {}
http {
    access_log off;
    # Sticky per browser: a random node id in a cookie on the first answer, hashed onto a node from then on.
    map \$cookie_portal_node \$portal_node { "" \$request_id; default \$cookie_portal_node; }
    map \$http_upgrade \$connection_upgrade { default upgrade; "" close; }
    upstream portal {
        hash \$portal_node consistent;
$upstreams    }
    server {
        listen 127.0.0.1:$proxy_port;
        client_max_body_size 32m;
        location / {
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header Host \$http_host;  # with its port: redirects (to sign-in) come back here
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_read_timeout 1h;
            add_header Set-Cookie "portal_node=\$portal_node; Path=/; HttpOnly; SameSite=Lax" always;
        }
    }
}
CONF
as_root /usr/sbin/nginx -c "$work/nginx.conf" -p "$work"

for n in $(seq 1 "$nodes"); do
    for _ in $(seq 1 120); do
        grep -q "Now listening on" "$work/node-$n.log" 2>/dev/null && break
        if ! kill -0 "${pids[$((n - 1))]}" 2>/dev/null; then echo "Node $n stopped:"; tail -20 "$work/node-$n.log"; exit 1; fi
        sleep 0.5
    done
done

echo
echo "Provisioning Portal cluster of $nodes nodes: http://127.0.0.1:$proxy_port  (PostgreSQL: $database)"
echo "Sign in as member@acme.test / Portal-demo-1! (demo only). Ctrl-C stops everything."
wait "${pids[@]}"
