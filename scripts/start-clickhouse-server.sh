#!/usr/bin/env bash
# Starts a throwaway ClickHouse server on loopback for hog-store's server-transport test:
# Debian's clickhouse-server (18.16, the only one installable here), all its paths in one data
# directory, HTTP on port ${HOG_CLICKHOUSE_HTTP_PORT:-18123}. Installs the package when CI=true
# and it is missing. Prints the URL to use as HOG_CLICKHOUSE_URL; leaves the server running
# (its pid in DIR/server.pid). Usage: scripts/start-clickhouse-server.sh [DIR]
set -euo pipefail
dir="${1:-${TMPDIR:-/tmp}/hog-clickhouse-server}"
http_port="${HOG_CLICKHOUSE_HTTP_PORT:-18123}"
tcp_port="${HOG_CLICKHOUSE_TCP_PORT:-19000}"

if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "start-clickhouse-server: installing Debian's clickhouse-server" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server >/dev/null
  else
    echo "start-clickhouse-server: clickhouse-server is not installed (apt-get install -y clickhouse-server)" >&2
    exit 1
  fi
fi
server="$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)"

url="http://127.0.0.1:${http_port}"
if [ -f "$dir/server.pid" ] && kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
  echo "$url"
  exit 0
fi

mkdir -p "$dir"/{data,tmp,user_files,format_schemas,log}
# The packaged config with every path moved into $dir, loopback only, our ports.
sed -e "s#/var/lib/clickhouse/tmp/#$dir/tmp/#; s#/var/lib/clickhouse/user_files/#$dir/user_files/#" \
    -e "s#/var/lib/clickhouse/format_schemas/#$dir/format_schemas/#; s#/var/lib/clickhouse/#$dir/data/#" \
    -e "s#/var/log/clickhouse-server/#$dir/log/#g" \
    -e "s#<http_port>8123</http_port>#<http_port>${http_port}</http_port>#" \
    -e "s#<tcp_port>9000</tcp_port>#<tcp_port>${tcp_port}</tcp_port>#" \
    -e "s#<interserver_http_port>9009</interserver_http_port>##" \
    -e "s#<listen_host>::1</listen_host>##" \
    /etc/clickhouse-server/config.xml > "$dir/config.xml"
cp /etc/clickhouse-server/users.xml "$dir/users.xml"

(cd "$dir" && exec "$server" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1) &
echo $! > "$dir/server.pid"

for _ in $(seq 1 100); do
  if curl -fsS "$url/ping" >/dev/null 2>&1 || (exec 3<>"/dev/tcp/127.0.0.1/${http_port}") 2>/dev/null; then
    echo "$url"
    exit 0
  fi
  sleep 0.1
done
echo "start-clickhouse-server: no answer on $url after 10 s; see $dir/log" >&2
exit 1
