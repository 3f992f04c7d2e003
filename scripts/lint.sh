#!/usr/bin/env bash
# scripts/lint.sh BUILD_DIR: the checks behind `make lint`.
#
#   1. clang-format, check mode, over every *.h/*.cc under src/, tests/ and
#      bench/ that git knows about (tracked, or new and not ignored); lists the
#      files whose formatting differs from .clang-format.
#   2. clang-tidy with the repository's .clang-tidy (every enabled check is an
#      error) over every such *.cc that BUILD_DIR/compile_commands.json
#      compiles; headers under src/ are checked through the sources that
#      include them (HeaderFilterRegex). Files run in parallel, LINT_JOBS at a
#      time (default 2).
#
# Both steps always run, so one pass reports everything. Exit status: 0 when
# both are clean, 1 when either found something, 2 on a usage or setup error
# (missing tool, missing compile database).
#
# Environment: CLANG_FORMAT, CLANG_TIDY (tool paths; default: the -14
# binaries, else the unversioned ones), LINT_JOBS.
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR" >&2
  echo "  BUILD_DIR: a configured CMake build (compile_commands.json)," \
    "e.g. build/debug" >&2
  exit 2
}
[[ $# -eq 1 ]] || usage

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || {
  echo "lint: build directory '$1' does not exist;" \
    "configure it first (make lint does: cmake -S . -B build/debug ...)" >&2
  exit 2
}
db="$build/compile_commands.json"
if [[ ! -f $db ]]; then
  echo "lint: $db is missing; configure the build with" \
    "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON" >&2
  exit 2
fi
cd "$root"

pick_tool() {  # pick_tool VAR_VALUE NAME: prints the tool to use or fails.
  local override=$1 name=$2 candidate
  for candidate in $override "$name-14" "$name"; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "lint: $name not found; run 'make deps' (Debian package $name-14)" >&2
  return 1
}
clang_format=$(pick_tool "${CLANG_FORMAT:-}" clang-format) || exit 2
clang_tidy=$(pick_tool "${CLANG_TIDY:-}" clang-tidy) || exit 2
jobs=${LINT_JOBS:-2}

# Sources git knows about: tracked plus untracked-but-not-ignored (new files
# are linted before they are committed); files deleted in the working tree
# are dropped.
sources=()
while IFS= read -r f; do
  [[ -f $f ]] && sources+=("$f")
done < <(git ls-files --cached --others --exclude-standard -- \
  'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 'bench/*.h' 'bench/*.cc' |
  sort -u)
if [[ ${#sources[@]} -eq 0 ]]; then
  echo "lint: git lists no sources under src/, tests/, bench/" >&2
  exit 2
fi

status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- 1. clang-format -------------------------------------------------------
start=$SECONDS
unformatted=()
for f in "${sources[@]}"; do
  if ! "$clang_format" --style=file --dry-run -Werror "$f" \
    >/dev/null 2>&1; then
    unformatted+=("$f")
  fi
done
if [[ ${#unformatted[@]} -gt 0 ]]; then
  status=1
  echo "clang-format: ${#unformatted[@]} of ${#sources[@]} files are not" \
    "formatted:"
  printf '  %s\n' "${unformatted[@]}"
  echo "  fix with: $clang_format -i <file>..."
else
  echo "clang-format: ${#sources[@]} files formatted" \
    "($((SECONDS - start))s)"
fi

# --- 2. clang-tidy ---------------------------------------------------------
start=$SECONDS
# Generated headers (tend_version.h) must exist for sources that include
# them; building just that target is cheap and touches only BUILD_DIR.
if ! cmake --build "$build" --target tend_version_header >"$tmp/gen.log" 2>&1
then
  cat "$tmp/gen.log" >&2
  echo "lint: could not generate headers in $build" >&2
  exit 2
fi

# Only sources the compile database knows how to compile can be parsed.
# CMake writes one absolute `"file": "..."` line per entry.
sed -n 's|^ *"file": "\(.*\)",\{0,1\}$|\1|p' "$db" |
  sed -n "s|^$root/||p" >"$tmp/db_files"
tidy_files=()
not_in_db=()
for f in "${sources[@]}"; do
  [[ $f == *.cc ]] || continue
  if grep -qxF -- "$f" "$tmp/db_files"; then
    tidy_files+=("$f")
  else
    not_in_db+=("$f")
  fi
done

# The compile database comes from GCC (and the ASan build): clang must not
# reject GCC-only warning flags. Each file's output goes to its own log so
# parallel runs do not interleave.
export clang_tidy build tmp
# The inner script expands its variables itself (exported above).
# shellcheck disable=SC2016
printf '%s\n' "${tidy_files[@]}" |
  xargs -P "$jobs" -I{} bash -c '
    log="$tmp/tidy.${1//\//_}.log"
    if ! "$clang_tidy" -p "$build" --quiet \
        --extra-arg=-Wno-unknown-warning-option "$1" >"$log" 2>&1; then
      echo "$1" >>"$tmp/tidy.failed"
    fi' _ {}

# A finding in a header repeats once per source that includes it: print
# each distinct finding (with its notes and code excerpt) once.
cat "$tmp"/tidy.*.log 2>/dev/null |
  sed -e "s|^$root/||" |
  awk '
    /^([^ ]+:[0-9]+:[0-9]+: )?(error|warning): / {
      keep = !(seen[$0]++)
      if (keep) findings++
      if (keep) print
      next
    }
    /^[0-9]+ (warnings?|errors?)( and [0-9]+ errors?)? generated\.$/ { next }
    /^Error while processing / { next }
    /^Suppressed [0-9]+ warnings/ { next }
    /^Use -header-filter=/ { next }
    /^Found compiler error/ { next }
    { if (keep) print }
    END { print findings + 0 > "/dev/stderr" }
  ' >"$tmp/tidy.out" 2>"$tmp/tidy.count"
findings=$(cat "$tmp/tidy.count")
failed=0
[[ -f $tmp/tidy.failed ]] && failed=$(wc -l <"$tmp/tidy.failed")

if [[ $failed -gt 0 || $findings -gt 0 ]]; then
  status=1
  cat "$tmp/tidy.out"
  if [[ $findings -eq 0 ]]; then
    # clang-tidy failed without a diagnostic (a crash): show its raw output.
    while IFS= read -r f; do
      echo "--- clang-tidy output for $f:"
      cat "$tmp/tidy.${f//\//_}.log"
    done <"$tmp/tidy.failed"
  fi
  echo "clang-tidy: $findings distinct findings; $failed of" \
    "${#tidy_files[@]} files fail:"
  sort "$tmp/tidy.failed" | sed 's/^/  /'
else
  echo "clang-tidy: ${#tidy_files[@]} files clean" \
    "($((SECONDS - start))s, $jobs jobs)"
fi
if [[ ${#not_in_db[@]} -gt 0 ]]; then
  echo "clang-tidy: not in $db, not checked:"
  printf '  %s\n' "${not_in_db[@]}"
fi

exit "$status"
