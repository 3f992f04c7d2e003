#!/usr/bin/env bash
# Side by side with the real ansible-playbook (Debian's ansible-core 2.14)
# on localhost: a generated 300-task playbook (100 file, 100 lineinfile,
# 100 copy tasks) applied by `ansible-playbook -c local` and by
# `tend apply`, each to its own temporary root, first (everything changes)
# and second (nothing changes). Wall time of the whole command for both,
# median of RUNS rounds; each round starts from empty roots.
#
#   usage: bench/compare_ansible_local.sh TEND_BINARY [RUNS]
#
# Prints a Markdown table. Everything happens in a temp dir.
set -euo pipefail
tend=${1:?usage: compare_ansible_local.sh TEND_BINARY [RUNS]}
runs=${2:-${BENCH_RUNS:-3}}
[ -x "$tend" ] || { echo "no tend binary at $tend" >&2; exit 1; }
command -v ansible-playbook >/dev/null ||
  { echo "ansible-playbook is missing (scripts/deps.sh installs ansible-core)" >&2; exit 1; }

work=$(mktemp -d /tmp/tend-bench-ansible-XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
  ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_LOCALHOST_WARNING=0 \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_DEPRECATION_WARNINGS=0
mkdir -p "$HOME"

pb="$work/play.yml"
{
  echo "- hosts: localhost"
  echo "  gather_facts: false"
  echo "  tasks:"
  for i in $(seq 1 100); do
    echo "    - file: {path: \"{{ root }}/d$i\", state: directory, mode: \"0755\"}"
  done
  for i in $(seq 1 100); do
    echo "    - lineinfile: {path: \"{{ root }}/lines.conf\", line: \"key$i = value$i\", create: true}"
  done
  for i in $(seq 1 100); do
    echo "    - copy: {content: \"file $i {{ root }}\\n\", dest: \"{{ root }}/d$i/f.txt\", mode: \"0644\"}"
  done
} > "$pb"

now() { date +%s.%N; }
# Runs "$@", prints seconds taken; fails the script when the command fails.
timed() {
  local t0 t1
  t0=$(now)
  "$@" > "$work/last.out" 2>&1 || { cat "$work/last.out" >&2; exit 1; }
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$work/a1"; : > "$work/a2"; : > "$work/t1"; : > "$work/t2"
for r in $(seq 1 "$runs"); do
  ra="$work/ra$r"; rt="$work/rt$r"; mkdir -p "$ra" "$rt"
  timed ansible-playbook -c local -i localhost, -e "root=$ra" "$pb" >> "$work/a1"
  grep -q "changed=300" "$work/last.out" || { echo "ansible: expected 300 changes" >&2; cat "$work/last.out" >&2; exit 1; }
  timed ansible-playbook -c local -i localhost, -e "root=$ra" "$pb" >> "$work/a2"
  grep -q "changed=0" "$work/last.out" || { echo "ansible: expected no change" >&2; exit 1; }
  timed "$tend" apply "$pb" -e "root=$rt" --data-dir "$work/none" >> "$work/t1"
  grep -q "changed=300" "$work/last.out" || { echo "tend: expected 300 changes" >&2; cat "$work/last.out" >&2; exit 1; }
  timed "$tend" apply "$pb" -e "root=$rt" --data-dir "$work/none" >> "$work/t2"
  grep -q "changed=0" "$work/last.out" || { echo "tend: expected no change" >&2; exit 1; }
  # Both trees must be the same (modes and contents, root paths aside).
  (cd "$ra" && find . -printf '%p %m %s\n' | sort) > "$work/tree_a"
  (cd "$rt" && find . -printf '%p %m %s\n' | sort) > "$work/tree_t"
  if ! diff -q "$work/tree_a" "$work/tree_t" >/dev/null; then
    # Sizes differ only by the root path's length inside the copies.
    if ! diff <(cut -d' ' -f1,2 "$work/tree_a") <(cut -d' ' -f1,2 "$work/tree_t") >/dev/null; then
      echo "the trees differ" >&2; diff "$work/tree_a" "$work/tree_t" | head >&2; exit 1
    fi
  fi
done

a1=$(median < "$work/a1"); a2=$(median < "$work/a2")
t1=$(median < "$work/t1"); t2=$(median < "$work/t2")
echo "| 300 tasks on localhost (median of $runs) | ansible-playbook 2.14 -c local | tend apply | ansible / tend |"
echo "|---|---|---|---|"
printf "| first apply (300 changed) | %.2f s | %.3f s | **%.0f×** |\n" "$a1" "$t1" "$(echo "$a1 / $t1" | bc -l)"
printf "| second apply (0 changed) | %.2f s | %.3f s | **%.0f×** |\n" "$a2" "$t2" "$(echo "$a2 / $t2" | bc -l)"
