#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each and fails
# if any of them finds a crash, leak, timeout or sanitizer report.
#
#   scripts/fuzz.sh BUILD_DIR SECONDS
#
# Targets are the executables named *_fuzz under BUILD_DIR (see
# tests/fuzz/CMakeLists.txt). Target <name>_fuzz starts from the seed corpus
# tests/fuzz/corpus/<name>/ and uses tests/fuzz/<name>.dict when present.
# The seeds are copied into BUILD_DIR/fuzz-work/<name>/corpus, which keeps
# what the fuzzer learns between runs; the repository is not modified.
# Reproducers of failures land in BUILD_DIR/fuzz-work/<name>/artifacts/ and
# the fuzzer's output in BUILD_DIR/fuzz-work/<name>/fuzz.log.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$1
seconds=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mapfile -t targets < <(find "$build" -type f -name '*_fuzz' -perm -u+x | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no *_fuzz executables under $build (configure with -DTEND_FUZZ=ON)" >&2
  exit 1
fi

# UBSan only reports by default; make its findings fail the run like ASan's.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

failed=()
for bin in "${targets[@]}"; do
  name=$(basename "$bin" _fuzz)
  work="$build/fuzz-work/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds="$repo/tests/fuzz/corpus/$name"
  if [ -d "$seeds" ]; then
    find "$seeds" -maxdepth 1 -type f -exec cp -n {} "$work/corpus/" \;
  fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  if [ -f "$repo/tests/fuzz/$name.dict" ]; then
    args+=(-dict="$repo/tests/fuzz/$name.dict")
  fi
  echo "fuzz: $name for ${seconds}s, corpus $work/corpus"
  if "$bin" "${args[@]}" "$work/corpus" >"$work/fuzz.log" 2>&1; then
    grep -E "^#[0-9]+[[:space:]]+DONE" "$work/fuzz.log" | tail -1 || true
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' \
      "$work/fuzz.log" || true
    echo "fuzz: $name: no failures"
  else
    echo "fuzz: $name FAILED; last lines of $work/fuzz.log:" >&2
    tail -n 40 "$work/fuzz.log" >&2
    echo "fuzz: reproducers in $work/artifacts/:" >&2
    ls -l "$work/artifacts/" >&2 || true
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran ${seconds}s each without failures"
