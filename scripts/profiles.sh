#!/usr/bin/env bash
# Rebuilds the Go programs under fixtures/programs/ and the example's load test
# (examples/leakysvc/cmd/loadtest), reruns them, and rewrites the committed pprof
# profiles and, next to each, the `go tool pprof` oracle outputs the profile tests
# compare against:
#   heap.top.txt       go tool pprof -top -lines -sample_index=inuse_space heap.pb.gz
#   heap.cum.txt       go tool pprof -top -lines -sample_index=inuse_space -cum heap.pb.gz
#   heap.traces.txt    go tool pprof -traces -lines -sample_index=inuse_space heap.pb.gz
#   goroutine.top.txt  go tool pprof -top -lines goroutine.pb.gz
# (and heap-base.top.txt, heap-base.cum.txt, heap.diff.txt where there is a heap-base.pb.gz;
# for goroutine leak profiles, goroutineleak.top.txt, goroutineleak.traces.txt and, with a
# goroutineleak-base.pb.gz, goroutineleak-base.top.txt and goroutineleak.diff.txt).
# Needs Go (Debian golang-go 1.19 is what most committed profiles were made with; the leaks
# program needs Go 1.26 or later, for its goroutine leak profile) and nothing else: the
# programs use the standard library only. Works from any directory, as root or not, with an
# unusual or missing HOME; safe to rerun.
# Usage: scripts/profiles.sh [name ...]   (default: every program and the example;
#        names: mapcache sender ticker weakref doccache loginsvc lrucache leaks pprofserver leakysvc)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
programs="$repo/fixtures/programs"
example="$repo/examples/leakysvc"

command -v go >/dev/null || { echo "profiles.sh: go not found on PATH" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/goleak-profiles.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"' EXIT
# A Go environment that needs no HOME, no network and no settings from outside.
# The build cache is reused when Go has a usable one (it only saves time).
GOCACHE=${GOCACHE:-$(go env GOCACHE 2>/dev/null || true)}
case $GOCACHE in /*) ;; *) GOCACHE= ;; esac
if [ -z "$GOCACHE" ] || ! mkdir -p "$GOCACHE" 2>/dev/null || [ ! -w "$GOCACHE" ]; then
  GOCACHE="$tmp/gocache"
fi
export GOCACHE
export GOPATH="$tmp/gopath" GOMODCACHE="$tmp/gopath/pkg/mod"
export GOFLAGS= GOWORK=off GO111MODULE=on GOPROXY=off GOENV=off CGO_ENABLED=0
export PPROF_TMPDIR="$tmp/pprof"
unset GOOS GOARCH GOEXPERIMENT || true

# oracle DIR: writes the pprof -top outputs for the profiles in DIR.
oracle() {
  local dir=$1
  (
    cd "$dir"
    for heap in heap heap-base; do
      [ -f "$heap.pb.gz" ] || continue
      go tool pprof -top -lines -sample_index=inuse_space "$heap.pb.gz" >"$heap.top.txt" 2>/dev/null
      go tool pprof -top -lines -sample_index=inuse_space -cum "$heap.pb.gz" >"$heap.cum.txt" 2>/dev/null
    done
    if [ -f heap.pb.gz ]; then
      go tool pprof -traces -lines -sample_index=inuse_space heap.pb.gz >heap.traces.txt 2>/dev/null
    fi
    if [ -f heap-base.pb.gz ]; then
      go tool pprof -top -lines -sample_index=inuse_space -diff_base heap-base.pb.gz heap.pb.gz >heap.diff.txt 2>/dev/null
    fi
    go tool pprof -top -lines goroutine.pb.gz >goroutine.top.txt 2>/dev/null
    if [ -f goroutineleak.pb.gz ]; then
      go tool pprof -top -lines goroutineleak.pb.gz >goroutineleak.top.txt 2>/dev/null
      go tool pprof -traces goroutineleak.pb.gz >goroutineleak.traces.txt 2>/dev/null
    fi
    if [ -f goroutineleak-base.pb.gz ]; then
      go tool pprof -top -lines goroutineleak-base.pb.gz >goroutineleak-base.top.txt 2>/dev/null
      go tool pprof -top -lines -diff_base goroutineleak-base.pb.gz goroutineleak.pb.gz >goroutineleak.diff.txt 2>/dev/null
    fi
  )
}

# program NAME [BUILD FLAGS...]: builds fixtures/programs/NAME and writes its profiles
# into OUT (default: the program's own directory).
program() {
  local name=$1; shift
  local src="$programs/$name" out=${OUT:-$programs/$name}
  mkdir -p "$tmp/bin" "$out"
  (cd "$src" && go vet ./... && go build "$@" -o "$tmp/bin/$name" .)
  rm -f "$out"/*.pb.gz "$out"/*.txt
  "$tmp/bin/$name" -out "$out"
  oracle "$out"
  echo "profiles.sh: ${out#"$repo/"}: $(cd "$out" && ls *.pb.gz | tr '\n' ' ')"
}

leakysvc() {
  local out="$example/profiles"
  mkdir -p "$tmp/bin" "$out"
  # go vet would report the example's deliberate leaks: vet only the load test.
  (cd "$example" && go vet ./cmd/loadtest && go build -o "$tmp/bin/loadtest" ./cmd/loadtest)
  rm -f "$out"/*.pb.gz "$out"/*.txt
  "$tmp/bin/loadtest" -out "$out"
  oracle "$out"
  echo "profiles.sh: ${out#"$repo/"}: $(cd "$out" && ls *.pb.gz | tr '\n' ' ')"
}

# pprofserver has no committed profiles (tests fetch them live): just check it builds.
pprofserver() {
  (cd "$programs/pprofserver" && go vet ./... && go build -o "$tmp/bin/pprofserver" .)
  echo "profiles.sh: fixtures/programs/pprofserver builds"
}

# leaks writes Go 1.26's goroutine leak profile, an experiment there (on by default from 1.27).
# An older Go skips it when every program is rebuilt, and fails when leaks is asked for by name.
leaks() {
  case $(go env GOVERSION) in
    go1.2[6-9]* | go1.[3-9]* | go[2-9]*) ;;
    *)
      echo "profiles.sh: leaks needs Go 1.26 or later for its goroutine leak profile, not $(go env GOVERSION)" >&2
      if [ $# -eq 0 ]; then exit 2; fi
      return 0
      ;;
  esac
  GOEXPERIMENT=goroutineleakprofile program leaks
}

named=$#
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(mapcache sender ticker weakref doccache loginsvc lrucache leaks pprofserver leakysvc)
echo "profiles.sh: $(go version)"
for name in "${names[@]}"; do
  case $name in
    mapcache)
      program mapcache
      OUT="$programs/mapcache/trimpath" program mapcache -trimpath
      ;;
    sender | ticker | weakref | doccache | loginsvc | lrucache) program "$name" ;;
    leaks) if [ "$named" -gt 0 ]; then leaks; else leaks --optional; fi ;;
    pprofserver) pprofserver ;;
    leakysvc) leakysvc ;;
    *) echo "profiles.sh: unknown program $name" >&2; exit 2 ;;
  esac
done
