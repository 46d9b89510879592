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

# Install Debian packages (as root, through sudo when not root). usage: apt_install PACKAGE...
apt_install() {
	have apt-get || die "please install: $* (no apt-get here)"
	say "installing $* (apt-get)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ------------------------------------------------------------------ printed documents: PDF
# Frappe 15 renders PDFs with wkhtmltopdf (pdfkit); Debian's package renders the app's print formats (they carry
# their letterhead in the page body, so the patched-Qt header/footer options are not needed). pdftotext and
# pdftoppm (poppler-utils) read a PDF back as text or images for checks.
ensure_pdf_tools() {
	have wkhtmltopdf && have pdftotext && return
	apt_install wkhtmltopdf poppler-utils
	have wkhtmltopdf || die "wkhtmltopdf is still missing after apt-get install wkhtmltopdf"
}

# wkhtmltopdf loads the print view's stylesheet from the site's host_name and fails the whole PDF when that name
# does not resolve; a name under .localhost resolves in browsers but not through the system resolver. Map it to
# 127.0.0.1 in /etc/hosts when it does not resolve, as Frappe's `--site SITE add-to-hosts` does.
# usage: ensure_site_resolves SITE
ensure_site_resolves() {
	getent hosts "$1" >/dev/null 2>&1 && return
	say "adding $1 to /etc/hosts (127.0.0.1) for the PDF renderer"
	printf '127.0.0.1\t%s\n' "$1" | as_root tee -a /etc/hosts >/dev/null \
		|| warn "could not add $1 to /etc/hosts: PDFs need the site's name to resolve (add it by hand)"
}

# ------------------------------------------------------------------ web serving: nginx in front of gunicorn
# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
nginx_bin() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }

# Debian's nginx package when nginx is missing; an nginx already installed is used as it is.
ensure_nginx() {
	nginx_bin >/dev/null && return
	apt_install nginx
	nginx_bin >/dev/null || die "nginx is still missing after apt-get install nginx"
}

# ------------------------------------------------------------------ browser tests: Debian's Chromium
# Playwright drives the system Chromium (its own browser download is not used). usage: chromium_bin
chromium_bin() { for c in chromium chromium-browser; do command -v $c 2>/dev/null && return; done; return 1; }

# Debian's chromium package when no Chromium is installed (tests/browser launch it through Playwright).
ensure_chromium() {
	chromium_bin >/dev/null && return
	apt_install chromium fonts-liberation
	chromium_bin >/dev/null || die "chromium is still missing after apt-get install chromium"
}

# The socketio process's port: FRAPPE_SOCKETIO_PORT, else socketio_port of sites/common_site_config.json (what
# apps/frappe/socketio.js reads, in that order).
socketio_port() {
	[ -n "${FRAPPE_SOCKETIO_PORT:-}" ] && { echo "$FRAPPE_SOCKETIO_PORT"; return; }
	grep -o '"socketio_port": *[0-9]*' "$BENCH/sites/common_site_config.json" 2>/dev/null | grep -o '[0-9]*$' || echo 9000
}

# Write .local/nginx/NAME/nginx.conf from config/nginx.conf.template and check it (nginx -t). Everything this
# nginx writes (pid, access log, temp files) stays in .local/nginx/NAME; errors go to its stderr.
# usage: render_nginx NAME LISTEN GUNICORN_PORT SOCKETIO_PORT SITE   (LISTEN: PORT or ADDRESS:PORT)
render_nginx() {
	local name=$1 listen=$2 gunicorn_port=$3 socketio=$4 site=$5
	local prefix="$LOCAL/nginx/$name" nginx conf_path mime user=""
	nginx=$(nginx_bin) || die "nginx is not installed: run bin/setup"
	mkdir -p "$prefix"/tmp/{client_body,proxy,fastcgi,uwsgi,scgi}
	# mime.types comes with nginx, next to its own nginx.conf.
	conf_path=$("$nginx" -V 2>&1 | grep -o -- '--conf-path=[^ ]*' | cut -d= -f2 || true)
	mime="$(dirname "${conf_path:-/etc/nginx/nginx.conf}")/mime.types"
	[ -f "$mime" ] || die "nginx's mime.types not found at $mime"
	# Started as root, nginx runs its workers as `nobody` unless told otherwise; they must read the sites folder.
	[ "$(id -u)" = 0 ] && user="user $(stat -c %U "$BENCH/sites");"
	sed -e "s|@PREFIX@|$prefix|g" -e "s|@USER@|$user|g" -e "s|@MIME_TYPES@|$mime|g" -e "s|@LISTEN@|$listen|g" \
		-e "s|@GUNICORN_PORT@|$gunicorn_port|g" -e "s|@SOCKETIO_PORT@|$socketio|g" -e "s|@SITES@|$BENCH/sites|g" \
		-e "s|@SITE@|$site|g" "$BENCH/config/nginx.conf.template" >"$prefix/nginx.conf"
	"$nginx" -t -q $(nginx_e_arg) -p "$prefix" -c "$prefix/nginx.conf" || die "nginx refuses $prefix/nginx.conf"
}

# nginx 1.19.5+ takes -e for the log it writes before reading its config (else it tries /var/log/nginx).
nginx_e_arg() { "$(nginx_bin)" -h 2>&1 | grep -qE '^ *-e ' && echo "-e stderr" || true; }

# Run the nginx that render_nginx NAME configured, in the foreground. usage: run_nginx NAME
run_nginx() {
	local prefix="$LOCAL/nginx/$1"
	# shellcheck disable=SC2046
	exec "$(nginx_bin)" $(nginx_e_arg) -p "$prefix" -c "$prefix/nginx.conf"
}
