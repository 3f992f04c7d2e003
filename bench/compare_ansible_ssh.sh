#!/usr/bin/env bash
# Side by side with the real ansible-playbook over SSH: a 50-task playbook
# (file, copy, lineinfile and template, in turn) applied to 10 real sshd
# hosts on loopback (tests/tools/sshd_hosts.cc, build target sshd_hosts;
# needs root), each host writing into its own root. Each tool gets its own
# subdirectory of every root, so both first runs change everything and
# both second runs change nothing.
#
#   usage: bench/compare_ansible_ssh.sh BIN_DIR [HOSTS]
#
# ansible-playbook runs with its default settings (forks 5, no
# pipelining, its default ControlPersist ssh), ANSIBLE_HOST_KEY_CHECKING=
# False and the key through --private-key; tend apply with its defaults
# (forks 50) and --host-key-checking off. Both playbooks skip fact
# gathering, which is not what is compared here.
#
# Prints a Markdown table of wall times and the ratio. Everything runs in
# a temp dir; only processes this script started are stopped, by pid.
set -euo pipefail
bin=${1:?usage: compare_ansible_ssh.sh BIN_DIR [HOSTS]}
hosts=${2:-10}
tend="$bin/tend"
fleet_bin="$bin/sshd_hosts"
[ -x "$tend" ] || { echo "no tend binary at $tend" >&2; exit 1; }
[ -x "$fleet_bin" ] || { echo "no sshd_hosts at $fleet_bin (build it)" >&2; exit 1; }
command -v ansible-playbook >/dev/null || { echo "no ansible-playbook (Debian package ansible-core)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "compare_ansible_ssh: needs root (sshd)" >&2; exit 1; }

work=$(mktemp -d /tmp/tend-bench-ssh-XXXXXX)
fleet_pid=
cleanup() {
  if [ -n "$fleet_pid" ]; then
    kill "$fleet_pid" 2>/dev/null || true
    wait "$fleet_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "compare_ansible_ssh: $*" >&2; }

"$fleet_bin" "$hosts" "$work/fleet" > "$work/fleet.out" 2> "$work/fleet.err" &
fleet_pid=$!
for _ in $(seq 1 600); do
  grep -q ready "$work/fleet.out" 2>/dev/null && break
  kill -0 "$fleet_pid" 2>/dev/null || { cat "$work/fleet.err" >&2; exit 1; }
  sleep 0.1
done
grep -q ready "$work/fleet.out" || { log "sshd hosts did not start"; exit 1; }
inv="$work/fleet/inventory.ini"
key="$work/fleet/client_key"

# The playbook: 50 tasks, each tool under {{ root }}/{{ sub }}.
play="$work/play.yml"
mkdir -p "$work/templates"
cat > "$work/templates/app.j2" <<'J2'
# {{ inventory_hostname }} ({{ ansible_host }}:{{ ansible_port }})
{% for k in settings %}{{ k }} = {{ settings[k] }}
{% endfor %}
J2
{
  echo "- hosts: fleet"
  echo "  gather_facts: false"
  echo "  vars:"
  echo "    settings: {workers: 4, timeout: 30, name: bench}"
  echo "  tasks:"
  echo "    - name: base directory"
  echo "      file: {path: \"{{ root }}/{{ sub }}\", state: directory, mode: \"0755\"}"
  for i in $(seq 2 50); do
    case $((i % 4)) in
      0) echo "    - name: directory $i"
         echo "      file: {path: \"{{ root }}/{{ sub }}/d$i\", state: directory, mode: \"0750\"}" ;;
      1) echo "    - name: copy $i"
         echo "      copy: {content: \"value $i on {{ inventory_hostname }}\\n\", dest: \"{{ root }}/{{ sub }}/c$i.conf\", mode: \"0644\"}" ;;
      2) echo "    - name: line $i"
         echo "      lineinfile: {path: \"{{ root }}/{{ sub }}/lines.conf\", line: \"key$i=value$i\", create: true, mode: \"0644\"}" ;;
      3) echo "    - name: template $i"
         echo "      template: {src: app.j2, dest: \"{{ root }}/{{ sub }}/t$i.conf\", mode: \"0644\"}" ;;
    esac
  done
} > "$play"

ms() { echo $(( $(date +%s%N) / 1000000 )); }

run_ansible() {  # LABEL
  local t0 t1
  t0=$(ms)
  if ! ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_NOCOLOR=1 \
      ANSIBLE_PYTHON_INTERPRETER=auto_silent \
      ansible-playbook -i "$inv" --private-key "$key" -e sub=ansible "$play" \
      > "$work/ansible-$1.log" 2>&1; then
    log "ansible-playbook failed ($1):"; tail -30 "$work/ansible-$1.log" >&2; exit 1
  fi
  t1=$(ms)
  echo $((t1 - t0))
}

run_tend() {  # LABEL
  local t0 t1
  t0=$(ms)
  if ! "$tend" apply -i "$inv" --host-key-checking off -e sub=tend "$play" \
      > "$work/tend-$1.log" 2>&1; then
    log "tend apply failed ($1):"; tail -30 "$work/tend-$1.log" >&2; exit 1
  fi
  t1=$(ms)
  echo $((t1 - t0))
}

changed() {  # LOG -> total changed= over the recap
  grep -E '^[^ ]+ +: ok=' "$1" | sed -E 's/.*changed=([0-9]+).*/\1/' |
    awk '{s += $1} END {print s + 0}'
}

log "ansible-playbook, first run"
a1=$(run_ansible first)
log "ansible-playbook, second run"
a2=$(run_ansible second)
log "tend apply, first run"
t1=$(run_tend first)
log "tend apply, second run"
t2=$(run_tend second)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }
secs() { awk -v m="$1" 'BEGIN { printf "%.2f s", m / 1000 }'; }

echo "| 50 tasks x $hosts sshd hosts | ansible-playbook (forks 5) | tend apply | tend faster by |"
echo "|---|---|---|---|"
echo "| first run (changes $(changed "$work/tend-first.log") / ansible $(changed "$work/ansible-first.log")) | $(secs "$a1") | $(secs "$t1") | $(ratio "$a1" "$t1") |"
echo "| second run (changes $(changed "$work/tend-second.log") / ansible $(changed "$work/ansible-second.log")) | $(secs "$a2") | $(secs "$t2") | $(ratio "$a2" "$t2") |"
