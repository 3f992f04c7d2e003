#!/bin/sh
# Captures a fixture tree from Debian 12's own kernel: boots the package that
# linux-image-amd64 depends on (linux-image-6.1.*-amd64) under
# qemu-system-x86_64 with software emulation (TCG), runs capture-fixtures.sh
# inside it and unpacks the result, so the files are what that kernel prints.
#   usage: capture-fixtures-qemu.sh [WORK_DIR [OUT_DIR]]
#     WORK_DIR  scratch directory (default build/qemu-capture); the .debs,
#               the unpacked packages, initrd.gz, disk.img and console.log
#               stay there
#     OUT_DIR   fixture tree to replace (default
#               tests/data/hosts/linux-6.1-x86_64); only replaced when the
#               capture came back complete
#   env: KERNEL_PKG  kernel package (default: what linux-image-amd64 depends on)
#        BOOT_TIMEOUT seconds for the whole boot (default 600)
# Needs apt-get, dpkg-deb, depmod, cpio, gzip, mkfs.ext4, qemu-system-x86_64,
# timeout, base64 and tar on the host; no root (apt-get download and
# dpkg-deb -x only unpack into WORK_DIR; nothing is installed).
# Relative paths are taken from the repository root.
#
# Network isolation: the guest's NIC sits on qemu user-mode networking with
# restrict=on (no route out of the VM) and is brought up with no address and
# IPv6 disabled, so the guest sends nothing on it; lo carries the only traffic.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=${1:-build/qemu-capture}
out=${2:-tests/data/hosts/linux-6.1-x86_64}
boot_timeout=${BOOT_TIMEOUT:-600}
mkdir -p "$work"
work=$(cd "$work" && pwd)

die() { echo "capture-fixtures-qemu.sh: $*" >&2; exit 1; }
for tool in apt-get apt-cache dpkg-deb depmod cpio gzip mkfs.ext4 \
            qemu-system-x86_64 timeout base64 tar truncate; do
  command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool"
done

# --- 1. Packages: the kernel image and a static busybox, unpacked only. ---
kpkg=${KERNEL_PKG:-$(apt-cache depends linux-image-amd64 |
  awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')}
[ -n "$kpkg" ] || die "cannot tell which kernel package linux-image-amd64 depends on"
mkdir -p "$work/debs"
for pkg in "$kpkg" busybox-static; do
  if ! ls "$work/debs/${pkg}_"*.deb >/dev/null 2>&1; then
    (cd "$work/debs" && apt-get download "$pkg")
  fi
done
rm -rf "$work/root"
mkdir -p "$work/root"
for deb in "$work/debs/${kpkg}_"*.deb "$work/debs/busybox-static_"*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
kver=$(ls "$work/root/lib/modules")
[ "$(printf '%s\n' "$kver" | wc -l)" -eq 1 ] || die "expected one kernel in $kpkg, got: $kver"
vmlinuz=$work/root/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || die "no $vmlinuz"
moddir=$work/root/lib/modules/$kver
# The package ships no modules.dep (its postinst runs depmod); build one.
depmod -b "$work/root" "$kver"

# --- 2. Modules for the virtio disk and NIC and for ext4, dependencies first.
# crc32c_generic is not a hard dependency of ext4/jbd2 (they ask the crypto
# API for "crc32c" at mount time, which would need modprobe), so name it.
wanted="virtio_pci virtio_blk virtio_net crc32c_generic ext4"
awk -v want="$wanted" -v builtin="$moddir/modules.builtin" '
  function base(p,   b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); return b }
  function visit(p,   n, i, d) {
    if (p in done) return
    done[p] = 1
    n = split(deps[p], d, " ")
    for (i = 1; i <= n; i++) visit(d[i])
    print p
  }
  BEGIN { while ((getline line < builtin) > 0) inkernel[base(line)] = 1 }
  {
    key = $1; sub(/:$/, "", key)
    path[base(key)] = key
    $1 = ""; deps[key] = $0
  }
  END {
    n = split(want, w, " ")
    for (i = 1; i <= n; i++) {
      if (w[i] in inkernel) continue
      if (!(w[i] in path)) { print "no module " w[i] > "/dev/stderr"; exit 1 }
      visit(path[w[i]])
    }
  }' "$moddir/modules.dep" > "$work/module-paths"

# --- 3. initramfs: busybox, modules, capture-fixtures.sh and /init. ---
ird=$work/initramfs
rm -rf "$ird"
mkdir -p "$ird/bin" "$ird/sbin" "$ird/usr/bin" "$ird/usr/sbin" "$ird/proc" \
         "$ird/sys" "$ird/dev" "$ird/run" "$ird/tmp" "$ird/mnt/data" \
         "$ird/lib/modules" "$ird/www" "$ird/etc"
cp "$work/root/bin/busybox" "$ird/bin/busybox"
ln -s busybox "$ird/bin/sh"
: > "$ird/lib/modules/load-order"
while read -r rel; do
  name=$(basename "$rel")
  case $name in
    *.ko) cp "$moddir/$rel" "$ird/lib/modules/$name" ;;
    *.ko.xz) name=${name%.xz}; xz -dc "$moddir/$rel" > "$ird/lib/modules/$name" ;;
    *.ko.zst) name=${name%.zst}; zstd -qdc "$moddir/$rel" > "$ird/lib/modules/$name" ;;
    *) die "unexpected module file $rel" ;;
  esac
  echo "$name" >> "$ird/lib/modules/load-order"
done < "$work/module-paths"
cp scripts/capture-fixtures.sh "$ird/capture-fixtures.sh"
echo '<html><body>tend fixture</body></html>' > "$ird/www/index.html"
echo 'root:x:0:0:root:/:/bin/sh' > "$ird/etc/passwd"
echo 'root:x:0:' > "$ird/etc/group"

cat > "$ird/init" <<'EOF'
#!/bin/busybox sh
# PID 1 of the capture VM: set up a small but realistic system, run
# capture-fixtures.sh and print its output as base64 on the console.
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo 1 > /proc/sys/kernel/printk            # keep kernel messages out of the dump
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6  # eth0: no IPv6 chatter
hostname fixturehost
while read -r m; do
  insmod "/lib/modules/$m" || echo "init: insmod $m failed"
done < /lib/modules/load-order
i=0
while { [ ! -b /dev/vda ] || [ ! -e /sys/class/net/eth0 ]; } && [ "$i" -lt 100 ]; do
  usleep 100000; i=$((i + 1))
done
mount -t ext4 -o noatime /dev/vda /mnt/data || echo "init: mounting /dev/vda failed"
mount -t tmpfs -o size=16m,mode=755 tmpfs /run
ip link set lo up
ip link set eth0 up    # link only: no address, no DHCP, no DNS

# Some disk and loopback activity, and three long-lived processes.
echo "tend fixture data" > /mnt/data/hello
dd if=/dev/zero of=/mnt/data/blob bs=64k count=32 2>/dev/null
sync
dd if=/dev/vda of=/dev/null bs=64k count=64 2>/dev/null
sleep 1000 3</mnt/data/hello 4>>/run/sleep.log &
p_sleep=$!
httpd -f -p 127.0.0.1:8080 -h /www &
p_httpd=$!
usleep 300000
wget -q -O /dev/null http://127.0.0.1:8080/index.html || echo "init: wget failed"
sleep 999 | nc 127.0.0.1 8080 &
p_nc=$!
sleep 2

sh /capture-fixtures.sh /tmp/fixture "$p_sleep" "$p_httpd" "$p_nc"
echo "init: capture exit $?"
(cd /tmp/fixture && tar -cf - .) | gzip -9 > /tmp/fixture.tgz
echo "-----BEGIN TEND FIXTURES-----"
base64 /tmp/fixture.tgz
echo "-----END TEND FIXTURES-----"
kill "$p_sleep" "$p_httpd" "$p_nc" 2>/dev/null
usleep 200000
umount /mnt/data
sync
poweroff -f
EOF
chmod 755 "$ird/init"
(cd "$ird" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
  gzip -9 > "$work/initrd.gz"

# --- 4. A small ext4 disk, made without root. ---
rm -f "$work/disk.img"
truncate -s 64M "$work/disk.img"
mkfs.ext4 -F -q -b 4096 -L tenddata "$work/disk.img"

# --- 5. Boot. No KVM: software emulation on purpose (and portable). ---
echo "capture-fixtures-qemu.sh: booting $kpkg ($kver) under TCG..." >&2
start=$(date +%s)
set +e
timeout "$boot_timeout" qemu-system-x86_64 -accel tcg -m 512 -smp 2 \
  -nographic -no-reboot \
  -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 panic=-1 quiet" \
  -drive "file=$work/disk.img,format=raw,if=virtio" \
  -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 \
  < /dev/null > "$work/console.log" 2>&1
rc=$?
set -e
end=$(date +%s)
echo "capture-fixtures-qemu.sh: qemu exited with $rc after $((end - start))s" >&2
[ "$rc" -eq 0 ] || die "qemu failed or timed out (rc $rc); see $work/console.log"

# --- 6. Unpack the dump into OUT_DIR. ---
tr -d '\r' < "$work/console.log" |
  sed -n '/^-----BEGIN TEND FIXTURES-----$/,/^-----END TEND FIXTURES-----$/p' |
  sed '1d;$d' > "$work/fixture.b64"
[ -s "$work/fixture.b64" ] || die "no fixture dump in $work/console.log"
base64 -d < "$work/fixture.b64" > "$work/fixture.tgz"
rm -rf "$work/fixture"
mkdir -p "$work/fixture"
tar -xzf "$work/fixture.tgz" -C "$work/fixture" --no-same-owner
grep -q "$kver" "$work/fixture/proc/version" || die "captured proc/version is not $kver"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -R "$work/fixture" "$out"
echo "capture-fixtures-qemu.sh: wrote $out ($(du -sk "$out" | cut -f1) KiB) from: $(cat "$out/proc/version")" >&2
