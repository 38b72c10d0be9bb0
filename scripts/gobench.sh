#!/usr/bin/env bash
# Measures goleak-lint on GoBench's GoKer blocking kernels (github.com/timmyyuan/gobench,
# gobench/goker/blocking), which this repository does not carry: fetch them yourself.
# Lints every kernel as it stands (a _test.go file) and "plain" (a copy with each _test.go
# renamed .go and `func TestX(t *testing.T)` made `func RunX()`, same lines), and prints per
# kernel whether a finding lands on one of the lines scripts/gobench-expected.txt lists for it
# (the blocked goroutine's `go` statement, its blocking operation, or a call on its way there),
# then the counts per category.
# Usage: scripts/gobench.sh <dir of gobench/goker/blocking> [rule-id ...]   (default: every
# rule, the opt-in ones included; DEFAULT_RULES=1 measures only what runs by default)
# CLI="node other/dist/src/cli.js" measures another build; OUT keeps the raw findings.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cli=${CLI:-"node $repo/dist/src/cli.js"}
kernels=$(cd "${1:?usage: scripts/gobench.sh <gobench/goker/blocking dir> [rule-id ...]}" && pwd)
shift
enable=(--enable all)
if [ -n "${DEFAULT_RULES:-}" ]; then enable=(); fi
if [ $# -gt 0 ]; then enable=(--disable all --enable "$(IFS=,; echo "$*")"); fi
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
plain="$OUT/plain"
rm -rf "$plain" && cp -r "$kernels" "$plain"
find "$plain" -name '*_test.go' | while read -r f; do
  sed -E 's/^func Test([A-Za-z0-9_]*)\(t \*testing\.T\)/func Run\1()/' "$f" > "${f%_test.go}.go" && rm "$f"
done
(cd "$kernels" && $cli --no-config --no-cache --exit-zero --color never "${enable[@]}" ./... > "$OUT/as-is.txt" 2>&1) || true
(cd "$plain" && $cli --no-config --no-cache --exit-zero --color never "${enable[@]}" ./... > "$OUT/plain.txt" 2>&1) || true
# A finding is `project/id/file.go:line:col: ...`; a kernel is found when one lands on an expected line.
awk -v asis="$OUT/as-is.txt" -v plainf="$OUT/plain.txt" '
  function load(file, tag,   line, parts, n, path, k) {
    while ((getline line < file) > 0) {
      if (line !~ /^[a-z]+\/[0-9]+\/[^:]+\.go:[0-9]+:/) continue
      n = split(line, parts, ":"); path = parts[1]
      k = path; sub(/\/[^\/]+$/, "", k)
      hit[tag, k, parts[2]] = 1; any[tag, k] = 1
      rule = line; sub(/.*\(/, "", rule); sub(/\)$/, "", rule); rules[tag, k, parts[2]] = rules[tag, k, parts[2]] " " rule
    }
  }
  BEGIN { load(asis, "a"); load(plainf, "p") }
  /^#/ || NF < 3 { next }
  {
    k = $1; cat = $2; n = split($3, lines, ",")
    fa = 0; fp = 0; how = ""
    for (i = 1; i <= n; i++) {
      if (hit["a", k, lines[i]]) fa = 1
      if (hit["p", k, lines[i]]) { fp = 1; how = how " " lines[i] ":" rules["p", k, lines[i]] }
    }
    state = (fp ? "found" : (any["p", k] ? "elsewhere" : "silent"))
    printf "%-18s %-16s as-is:%-5s plain:%-9s%s\n", k, cat, fa ? "found" : "-", state, how
    total[cat]++; a[cat] += fa; p[cat] += fp; ta += fa; tp += fp; tt++
  }
  END {
    split("channel channel-context channel-cond cond channel-lock channel-wg wg-misuse double-lock abba rwr", order, " ")
    printf "\n%-16s %6s %6s %6s\n", "category", "as-is", "plain", "of"
    for (i = 1; i <= 10; i++) printf "%-16s %6d %6d %6d\n", order[i], a[order[i]], p[order[i]], total[order[i]]
    printf "%-16s %6d %6d %6d\n", "total", ta, tp, tt
  }
' "$repo/scripts/gobench-expected.txt"
