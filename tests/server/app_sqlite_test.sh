#!/usr/bin/env bash
# The application floor (server/src/app/) talks to the store only through store/store.hpp
# (issue #22). This fails when a file there includes SQLite — SQLiteCpp, <sqlite3.h>,
# store/storage.hpp, store/db.hpp, store/sqlite/…, or one of the store's SQLite-taking row
# helpers — or names `SQLite::`, unless the file is on the allow-list of those still to move
# (tests/CMakeLists.txt, test app_stays_off_sqlite). It also fails when an allowed file no longer
# needs to be there, so the list only shrinks.
#
# Usage: app_sqlite_test.sh <server/src/app directory> <allowed file name>...
set -u
app_dir=$1
shift
declare -A allowed=()
for name in "$@"; do
    allowed[$name]=1
done

pattern='#[[:space:]]*include[[:space:]]*[<"]('
pattern+='SQLiteCpp/|sqlite3\.h|store/storage\.hpp|store/db\.hpp|store/sqlite/'
pattern+='|store/(accounts|dictionary_store|glossary_store|key_backup|mail_notices_store|sessions)\.hpp'
pattern+=')|SQLite::'

status=0
for file in "$app_dir"/*; do
    name=$(basename "$file")
    hits=$(grep -nE "$pattern" "$file")
    if [[ -n $hits && -z ${allowed[$name]:-} ]]; then
        echo "FAIL: app/$name reaches SQLite; use the store's repositories (store/store.hpp):"
        echo "$hits" | sed 's/^/    /'
        status=1
    elif [[ -z $hits && -n ${allowed[$name]:-} ]]; then
        echo "FAIL: app/$name no longer reaches SQLite: take it off the allow-list"
        status=1
    fi
done
for name in "${!allowed[@]}"; do
    if [[ ! -e $app_dir/$name ]]; then
        echo "FAIL: app/$name is on the allow-list but does not exist"
        status=1
    fi
done
[[ $status -eq 0 ]] && echo "ok: no file of app/ outside the allow-list reaches SQLite"
exit $status
