#!/bin/sh
# Makes the Docker secrets docker-compose.yml reads, in deploy/secrets/ (ignored by git): random
# passwords for the PostgreSQL superuser, the owner role and the app role, and the
# two DATABASE_URLs built from them. Existing files are kept: run it again safely.
# The folder is 0700 (only you on this host); the files are 0644 because Compose bind-mounts them
# as they are and the containers read them as their own users (node, postgres), not yours.
set -eu
dir=$(dirname "$0")/secrets
mkdir -p "$dir"
chmod 0700 "$dir"
umask 022
secret() { [ -s "$dir/$1" ] || od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$dir/$1"; }
secret postgres_password
secret owner_password
secret app_password
[ -s "$dir/database_url_owner" ] ||
  printf 'postgres://lianxin_owner:%s@postgres:5432/lianxin\n' "$(cat "$dir/owner_password")" >"$dir/database_url_owner"
[ -s "$dir/database_url_app" ] ||
  printf 'postgres://lianxin_app:%s@postgres:5432/lianxin\n' "$(cat "$dir/app_password")" >"$dir/database_url_app"
echo "secrets in $dir:"
ls -l "$dir"
