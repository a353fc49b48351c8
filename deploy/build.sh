#!/usr/bin/env bash
# Leadloop's production build, in two steps. The Dockerfile runs exactly these steps, and
# test/deploy/install.slow.test.ts (npm run test:deploy) runs them in a clean folder.
#
#   deploy/build.sh build DIR    From a source checkout (the current folder): install every
#                                dependency (npm ci), compile TypeScript to dist/, and lay out the
#                                artefact in DIR: package.json, package-lock.json, dist/, drizzle/
#                                (migrations), LICENSE, CHANGELOG.md, .env.example, deploy/.
#   deploy/build.sh install DIR  Install the artefact's production dependencies only
#                                (npm ci --omit=dev: no TypeScript, no tsx, no test tools), then
#                                check that it runs: its version, and migrating a scratch database.
#
# Nothing is compiled (better-sqlite3 and the canvas ship prebuilt Node-API binaries): Node 22 or
# 24 and npm are all these steps need.
# Then run the bot from DIR, where .env is read:   node dist/cli.js start
set -euo pipefail

usage() {
  echo "usage: deploy/build.sh build DIR | install DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
step=$1
dir=$2

case "$step" in
build)
  [ -f package.json ] && [ -f deploy/build.sh ] || {
    echo "deploy/build.sh build: run it from the Leadloop checkout (the folder with package.json)" >&2
    exit 2
  }
  npm ci --no-audit --no-fund
  rm -rf dist
  npm run build
  mkdir -p "$dir"
  rm -rf "$dir/dist" "$dir/drizzle" "$dir/deploy"
  cp -R package.json package-lock.json dist drizzle LICENSE CHANGELOG.md .env.example deploy "$dir/"
  echo "Leadloop $(node -p 'require("./package.json").version') built into $dir"
  ;;
install)
  cd "$dir"
  [ -f dist/cli.js ] || {
    echo "deploy/build.sh install: $dir has no dist/cli.js; run deploy/build.sh build $dir first" >&2
    exit 2
  }
  npm ci --omit=dev --no-audit --no-fund
  app=$(pwd)
  version=$(node dist/cli.js --version)
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  # Loads the native SQLite binding and applies every migration from drizzle/ to a scratch
  # database, away from this folder's .env.
  (cd "$scratch" && DATABASE_PATH=check.db node "$app/dist/cli.js" migrate >/dev/null)
  echo "Leadloop $version installed in $(pwd) (production dependencies only); start it with: node dist/cli.js start"
  ;;
*)
  usage
  ;;
esac
