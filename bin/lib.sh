# Shared by the bin/ scripts: paths, configuration and small helpers. Sourced, never run.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../config/setup.env
. "$BENCH/config/setup.env"
ENV="$BENCH/env"
PY="$ENV/bin/python"
LOCAL="$BENCH/.local"   # machine-local state (generated secrets, tool installs); ignored by git
mkdir -p "$LOCAL" "$BENCH/logs" "$BENCH/config/pids"
# The MariaDB admin account bin/setup makes when root has no password: one per bench folder, so two benches
# on one machine never reset each other's password.
DB_ADMIN_USER="pjadm_$(printf '%s' "$BENCH" | sha1sum | cut -c1-8)"
export PATH="$ENV/bin:$LOCAL/node/node_modules/.bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m!!\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else return 1; fi; }

# Run Frappe's CLI (what `bench --site X cmd` runs) from the sites folder.
frappe_cli() { (cd "$BENCH/sites" && "$PY" -m frappe.utils.bench_helper frappe "$@"); }

# A mariadb client command line with the configured root credentials.
mysql_root() {
	local client; client=$(command -v mariadb || command -v mysql) || return 1
	if [ -n "$DB_ROOT_PASSWORD" ]; then
		MYSQL_PWD="$DB_ROOT_PASSWORD" "$client" -h"$DB_HOST" -P"$DB_PORT" -u"$DB_ROOT_USER" "$@"
	else
		"$client" -h"$DB_HOST" -P"$DB_PORT" -u"$DB_ROOT_USER" "$@"
	fi
}

redis_ping() {
	if have redis-cli; then redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG
	else (exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" && printf 'PING\r\n' >&3 && head -c5 <&3 | grep -q PONG) 2>/dev/null
	fi
}

# Credentials Frappe uses to create site databases: the root account, or the local admin account that
# bin/setup made when root has no password (Frappe refuses an empty one).
db_admin_args() {
	if [ -n "$DB_ROOT_PASSWORD" ]; then
		echo "--db-root-username $DB_ROOT_USER --db-root-password $DB_ROOT_PASSWORD"
	elif [ -f "$LOCAL/db-admin" ]; then
		echo "--db-root-username $DB_ADMIN_USER --db-root-password $(cat "$LOCAL/db-admin")"
	else
		die "no MariaDB admin credentials: run bin/setup first, or set DB_ROOT_PASSWORD"
	fi
}

# Create a site with the app installed and the setup wizard completed for Indonesia.
# usage: make_site NAME [--force]
make_site() {
	local site=$1; shift
	# While a site is being created Frappe caches the bench's module map and hooks under keys without a site
	# prefix; drop them so a new site never installs from a map cached before the app last changed.
	"$PY" - <<'PY'
import json
import redis
conf = json.load(open("sites/common_site_config.json"))
cache = redis.Redis.from_url(conf["redis_cache"])
for key in cache.scan_iter("*"):
	if b"|" not in key:
		cache.delete(key)
PY
	# shellcheck disable=SC2046
	frappe_cli new-site "$site" $(db_admin_args) --admin-password "$ADMIN_PASSWORD" \
		--db-host "$DB_HOST" --db-port "$DB_PORT" --no-mariadb-socket --install-app pinjaman_online "$@"
	frappe_cli --site "$site" execute pinjaman_online.setup.site.complete_setup
}
