# A throwaway PostgreSQL server for the database tests. Source it, then:
#
#   abstracts_pg_start   # installs the Debian package if missing (as root), starts a cluster
#                        # on 127.0.0.1 on a free port in a temp dir, exports
#                        # ABSTRACTS_TEST_PG_URL and ABSTRACTS_PG_DIR; returns non-zero with
#                        # the reason on stderr (and in ABSTRACTS_TEST_PG_SKIP) when it cannot
#   abstracts_pg_stop    # stops it and removes the temp dir
#
# postgres refuses to run as root, so as root the cluster belongs to the `postgres` system
# user (created by the Debian package). Set ABSTRACTS_PG_NO_INSTALL=1 to never call apt-get.
# The server is for tests only: trust authentication on loopback, and by default no fsync
# (ABSTRACTS_PG_OPTIONS replaces the server options).

abstracts_pg_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

abstracts_pg_skip() {
    export ABSTRACTS_TEST_PG_SKIP="$1"
    echo "postgres: not started: $1" >&2
    return 1
}

abstracts_pg_start() {
    local bindir dir port as_user=() owner
    if ! bindir=$(abstracts_pg_bindir); then
        if [ "$(id -u)" = 0 ] && [ -z "${ABSTRACTS_PG_NO_INSTALL:-}" ] && command -v apt-get >/dev/null; then
            echo "postgres: installing the Debian postgresql package" >&2
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
                || abstracts_pg_skip "apt-get install postgresql failed" || return 1
        fi
        bindir=$(abstracts_pg_bindir) || { abstracts_pg_skip "no initdb/pg_ctl under /usr/lib/postgresql/*/bin (Debian package postgresql)"; return 1; }
    fi
    dir=$(mktemp -d /tmp/abstracts-pg.XXXXXX) || { abstracts_pg_skip "mktemp failed"; return 1; }
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { abstracts_pg_skip "running as root and there is no postgres user to run the server"; return 1; }
        chown postgres: "$dir"
        as_user=(runuser -u postgres --)
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') \
        || { abstracts_pg_skip "no python3 to pick a free port"; return 1; }
    "${as_user[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { abstracts_pg_skip "initdb failed: $(tail -n 3 "$dir/initdb.log" | tr '\n' ' ')"; return 1; }
    "${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-h 127.0.0.1 -p $port -k $dir ${ABSTRACTS_PG_OPTIONS--c fsync=off -c synchronous_commit=off -c full_page_writes=off}" >/dev/null \
        || { abstracts_pg_skip "pg_ctl start failed: $(tail -n 3 "$dir/server.log" 2>/dev/null | tr '\n' ' ')"; return 1; }
    export ABSTRACTS_PG_DIR="$dir" ABSTRACTS_PG_BINDIR="$bindir"
    export ABSTRACTS_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
    unset ABSTRACTS_TEST_PG_SKIP
    echo "postgres: $("$bindir/postgres" --version) on 127.0.0.1:$port ($dir)" >&2
}

abstracts_pg_stop() {
    local dir="${ABSTRACTS_PG_DIR:-}" bindir="${ABSTRACTS_PG_BINDIR:-}" as_user=()
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    [ -n "$bindir" ] || bindir=$(abstracts_pg_bindir) || return 0
    [ "$(id -u)" = 0 ] && as_user=(runuser -u postgres --)
    "${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    unset ABSTRACTS_PG_DIR ABSTRACTS_TEST_PG_URL
}
