#!/usr/bin/env bash
# Lints the real-code corpora the rule issues are judged on and prints findings per rule
# and corpus, then writes every finding to $OUT/<corpus>.txt for reading.
# Needs: golang-1.19-src, golang-google-grpc-dev, golang-github-prometheus-client-golang-dev,
# golang-etcd-server-dev, golang-github-docker-docker-dev, golang-github-rclone-rclone-dev,
# golang-github-lucas-clemente-quic-go-dev, golang-github-hashicorp-raft-dev,
# golang-github-hashicorp-memberlist-dev, golang-github-hashicorp-serf-dev,
# golang-github-prometheus-alertmanager-dev (apt-get install -y ...).
# Each corpus is the package's own tree only. CLI="node other/dist/src/cli.js" lints with another build.
# Usage: scripts/corpora.sh [rule-id ...]   (default: every rule)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cli=${CLI:-"node $repo/dist/src/cli.js"}
OUT=${OUT:-/tmp/goleak-corpora}
mkdir -p "$OUT"
rules=("$@")
enable=()
if [ ${#rules[@]} -gt 0 ]; then enable=(--disable all --enable "$(IFS=,; echo "${rules[*]}")"); fi
gocode=/usr/share/gocode/src
declare -A corpora=(
  [stdlib]="/usr/share/go-1.19/src:./... cmd/..."
  [grpc]="$gocode:google.golang.org/grpc/..."
  [prometheus]="$gocode:github.com/prometheus/client_golang/..."
  [etcd]="$gocode:go.etcd.io/etcd/..."
  [docker]="$gocode:github.com/docker/docker/..."
  [rclone]="$gocode:github.com/rclone/rclone/..."
  [quic-go]="$gocode:github.com/lucas-clemente/quic-go/..."
  [raft]="$gocode:github.com/hashicorp/raft/..."
  [memberlist]="$gocode:github.com/hashicorp/memberlist/..."
  [serf]="$gocode:github.com/hashicorp/serf/..."
  [alertmanager]="$gocode:github.com/prometheus/alertmanager/..."
)
for name in ${CORPORA:-stdlib grpc prometheus etcd docker rclone quic-go raft memberlist serf alertmanager}; do
  dir=${corpora[$name]%%:*}
  patterns=${corpora[$name]#*:}
  if [ ! -d "$dir" ]; then echo "$name: $dir missing (install its Debian package)"; continue; fi
  # Nested modules inside a corpus are linted too: ./... stops at them.
  base=${patterns%%/...*}
  extra=$(cd "$dir" && find "$base" -mindepth 2 -name go.mod -not -path '*/testdata/*' -not -path '*/vendor/*' 2>/dev/null | xargs -r -n1 dirname | sed 's|$|/...|' | tr '\n' ' ')
  (cd "$dir" && $cli --exit-zero "${enable[@]}" $patterns $extra > "$OUT/$name.txt" 2>"$OUT/$name.err") || true
  printf '%-11s %s\n' "$name" "$(tail -n 1 "$OUT/$name.txt")"
  grep -o '([a-z-]*)$' "$OUT/$name.txt" | sort | uniq -c | sed 's/^/    /' || true
done
