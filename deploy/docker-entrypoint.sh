#!/bin/sh
# Docker secrets as environment variables: every file in /run/secrets named like a variable
# (upper case, digits, _) becomes that variable, unless the environment already sets it. Other
# secret files (PEM keys) stay files: the *_KEY settings also accept a path.
set -eu
secrets=${LIANXIN_SECRETS_DIR:-/run/secrets}
if [ -d "$secrets" ]; then
  for file in "$secrets"/*; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    case "$name" in
      [!A-Z]* | *[!A-Z0-9_]*) continue ;;
    esac
    eval "current=\${$name-}"
    if [ -z "$current" ]; then
      value=$(cat "$file")
      export "$name=$value"
    fi
  done
fi
exec "$@"
