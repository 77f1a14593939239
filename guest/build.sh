#!/bin/bash
# guest/build.sh OUTDIR — build Strato's small test guest from Debian packages.
#
# Produces in OUTDIR:
#   vmlinuz          kernel of the linux-image-6.1*-amd64 that linux-image-amd64 depends on
#   vmlinux          the same kernel uncompressed (ELF with a PVH entry): QEMU boots it
#                    directly and skips the in-guest XZ decompression, which costs
#                    seconds under TCG
#   initrd.img       newc cpio + gzip: busybox-static, virtio/ext4/button modules, /init
#   disk.qcow2       64 MiB ext4 root with the same userland (boot it with strato.root=/dev/vda)
#   kernel.release   the kernel version string (e.g. 6.1.0-56-amd64)
#   inputs.sha256    hash of package versions + guest/ sources; unchanged -> no rebuild
#   cache/*.deb      the downloaded packages (kept between builds)
#
# Needs: apt-get (with package lists), dpkg, kmod (depmod, modprobe), cpio,
# gzip, e2fsprogs >= 1.43 (mkfs.ext4 -d), qemu-utils. Run as root so device
# nodes and ownership in the images are right. See guest/README.md.
set -euo pipefail
shopt -s inherit_errexit

readonly DISK_SIZE=64M
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SRC_DIR

say() { echo "guest/build.sh: $*"; }
die() { echo "guest/build.sh: error: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
readonly OUT CACHE="$OUT/cache" WORK="$OUT/.work"

for tool in apt-get apt-cache dpkg dpkg-deb depmod modprobe cpio gzip xz mkfs.ext4 qemu-img flock sha256sum; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done

# One build per OUTDIR at a time (parallel test runs share it).
exec 9>"$OUT/.lock"
flock 9

# One apt-cache call (each costs ~1 s): the metapackage pins the exact image.
resolve_packages() {
  local info
  info=$(apt-cache show --no-all-versions linux-image-amd64 busybox-static 2>/dev/null) ||
    die "apt-cache knows no linux-image-amd64/busybox-static (run apt-get update)"
  read -r KPKG KPKG_VERSION < <(echo "$info" | sed -n \
    's/^Depends: \(linux-image-6\.1[^ ]*-amd64\) (= \([^)]*\)).*/\1 \2/p' | sed -n 1p) || true
  BB_VERSION=$(echo "$info" | awk '/^Package:/ { p = $2 } p == "busybox-static" && /^Version:/ { print $2 }')
  if [ -z "${KPKG:-}" ] || [ -z "${KPKG_VERSION:-}" ]; then
    die "linux-image-amd64 does not depend on an exact linux-image-6.1*-amd64"
  fi
  [ -n "$BB_VERSION" ] || die "no candidate version for busybox-static"
  KVER=${KPKG#linux-image-}
}

# Everything that shapes the outputs; README/test scripts are excluded.
inputs_hash() {
  {
    echo "$KPKG=$KPKG_VERSION"
    echo "busybox-static=$BB_VERSION"
    echo "disk=$DISK_SIZE"
    echo "dropbear=$(dpkg-query -W -f '${Version}' dropbear-bin)"
    (cd "$SRC_DIR" && find build.sh modules.list rootfs -type f -print0 | sort -z |
      xargs -0 sha256sum && find rootfs -perm -u+x -type f | sort)
  } | sha256sum | cut -d' ' -f1
}

outputs_present() {
  local f
  for f in vmlinuz vmlinux initrd.img disk.qcow2 kernel.release inputs.sha256; do
    [ -s "$OUT/$f" ] || return 1
  done
}

# Prints the cached .deb of PKG at VERSION, if any.
cached_deb() {
  local pkg=$1 version=$2 f
  for f in "$CACHE/${pkg}"_*.deb; do
    if [ -f "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$version" ]; then
      echo "$f"
      return
    fi
  done
}

# Prints the path of PKG's .deb at VERSION, downloading it into the cache.
fetch_deb() {
  local pkg=$1 version=$2 deb
  deb=$(cached_deb "$pkg" "$version")
  if [ -z "$deb" ]; then
    say "downloading $pkg $version" >&2
    (cd "$CACHE" && apt-get -q -o APT::Sandbox::User=root download "$pkg=$version" >&2)
    deb=$(cached_deb "$pkg" "$version")
    [ -n "$deb" ] || die "apt-get download $pkg=$version left no .deb in $CACHE"
  fi
  echo "$deb"
}

# Copies the listed modules and all their dependencies (modules.dep and
# softdeps, in load order) from the unpacked kernel into the staging root.
stage_modules() {
  local kroot=$1 stage=$2 mod line path rel count=0
  local kmods=lib/modules/$KVER
  depmod -b "$kroot" "$KVER"
  mkdir -p "$stage/$kmods"
  cp "$kroot/$kmods"/modules.{order,builtin,builtin.modinfo} "$stage/$kmods/"
  while read -r mod _; do
    case "$mod" in '' | '#'*) continue ;; esac
    modprobe --show-depends -d "$kroot" -S "$KVER" "$mod" >"$WORK/deps" ||
      die "module $mod not found in $KPKG"
    while read -r line; do
      case "$line" in
        builtin\ *) continue ;;
        insmod\ *) path=${line#insmod } path=${path%% *} ;;
        *) die "unexpected modprobe output: $line" ;;
      esac
      rel=${path#"$kroot"/}
      if [ ! -e "$stage/$rel" ]; then
        mkdir -p "$(dirname "$stage/$rel")"
        cp "$path" "$stage/$rel"
        count=$((count + 1))
      fi
    done <"$WORK/deps"
  done <"$SRC_DIR/modules.list"
  depmod -b "$stage" "$KVER"
  say "staged $count kernel modules"
}

stage_busybox() {
  local bbroot=$1 stage=$2 applet
  install -D -m 0755 "$bbroot/bin/busybox" "$stage/bin/busybox"
  # Links are made here, not at boot, so the disk and initramfs need no setup.
  for applet in $("$stage/bin/busybox" --list-full); do
    [ -e "$stage/$applet" ] && continue
    mkdir -p "$(dirname "$stage/$applet")"
    ln -s /bin/busybox "$stage/$applet"
  done
}

stage_userland() {
  local stage=$1
  mkdir -p "$stage"/{dev,proc,sys,run,tmp,root,mnt,newroot,var/log,etc/strato/hooks.d,etc/strato/shutdown.d}
  chmod 1777 "$stage/tmp"
  chmod 0700 "$stage/root"
  cp -a "$SRC_DIR/rootfs/." "$stage/"
  chmod 0755 "$stage/init" "$stage/sbin/strato-poweroff" "$stage/sbin/strato-context" \
    "$stage/usr/bin/strato-imds" \
    "$stage/usr/share/udhcpc/default.script" "$stage/etc/acpi/PWRF/00000080"
  # /init is also the disk's init; busybox's init applet stays as `busybox init`.
  ln -sfn /init "$stage/sbin/init"
  install -m 0644 "$SRC_DIR/modules.list" "$stage/etc/strato/modules"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
  printf 'root:x:0:\ntty:x:5:\n' >"$stage/etc/group"
  printf '127.0.0.1 localhost\n' >"$stage/etc/hosts"
  : >"$stage/etc/resolv.conf"
  if [ "$(id -u)" = 0 ]; then
    mknod -m 0600 "$stage/dev/console" c 5 1
    mknod -m 0666 "$stage/dev/null" c 1 3
  fi
}

# dropbear (SSH server) from the installed dropbear-bin package, with the shared
# libraries it links (the rest of the guest is static busybox).
stage_dropbear() {
  local stage=$1 lib
  command -v dropbear >/dev/null || [ -x /usr/sbin/dropbear ] ||
    die "dropbear-bin is not installed (scripts/install-deps.sh)"
  install -D -m 0755 /usr/sbin/dropbear "$stage/usr/sbin/dropbear"
  for lib in $(ldd /usr/sbin/dropbear | grep -o '/[^ ]*'); do
    install -D -m 0755 "$(readlink -f "$lib")" "$stage$lib"
  done
  printf '/bin/sh\n' >"$stage/etc/shells"
  mkdir -p "$stage/etc/dropbear" "$stage/var/lib/strato"
}

# The bzImage carries vmlinux as one XZ stream (Debian: CONFIG_KERNEL_XZ).
extract_vmlinux() {
  local bzimage=$1 out=$2 offset
  offset=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$bzimage" | cut -d: -f1 | sed -n 1p)
  [ -n "$offset" ] || die "no XZ payload in $bzimage"
  tail -c +"$((offset + 1))" "$bzimage" >"$WORK/vmlinux.xz"
  xz -dc --single-stream "$WORK/vmlinux.xz" >"$out"
  [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
    die "payload of $bzimage is not an ELF vmlinux"
}

make_initrd() {
  local stage=$1 out=$2
  touch "$stage/etc/strato/initramfs"
  # Fixed mtimes make the cpio depend on its inputs only.
  find "$stage" -exec touch -h -d @0 {} +
  (cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
    gzip -9 -n >"$out"
  rm "$stage/etc/strato/initramfs"
}

make_disk() {
  local stage=$1 out=$2 raw=$WORK/disk.raw
  rm -f "$raw"
  truncate -s "$DISK_SIZE" "$raw"
  mkfs.ext4 -q -F -L strato-root -E root_owner=0:0 -d "$stage" "$raw"
  qemu-img convert -q -f raw -O qcow2 "$raw" "$out"
  rm -f "$raw"
}

build() {
  local kdeb bbdeb stage=$WORK/stage
  rm -rf "$WORK"
  mkdir -p "$WORK" "$CACHE"
  rm -f "$OUT/inputs.sha256"

  kdeb=$(fetch_deb "$KPKG" "$KPKG_VERSION")
  bbdeb=$(fetch_deb busybox-static "$BB_VERSION")
  say "unpacking $(basename "$kdeb") and $(basename "$bbdeb")"
  dpkg -x "$kdeb" "$WORK/kernel"
  dpkg -x "$bbdeb" "$WORK/busybox"
  [ -d "$WORK/kernel/lib/modules/$KVER" ] || die "$KPKG has no lib/modules/$KVER"

  stage_busybox "$WORK/busybox" "$stage"
  stage_userland "$stage"
  stage_dropbear "$stage"
  stage_modules "$WORK/kernel" "$stage"

  cp "$WORK/kernel/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
  extract_vmlinux "$WORK/vmlinuz" "$WORK/vmlinux"
  make_initrd "$stage" "$WORK/initrd.img"
  make_disk "$stage" "$WORK/disk.qcow2"
  echo "$KVER" >"$WORK/kernel.release"

  mv -f "$WORK"/{vmlinuz,vmlinux,initrd.img,disk.qcow2,kernel.release} "$OUT/"
  rm -rf "$WORK"
}

main() {
  local start want
  start=$(date +%s)
  resolve_packages
  want=$(inputs_hash)
  if outputs_present && [ "$(cat "$OUT/inputs.sha256")" = "$want" ]; then
    say "up to date in $OUT ($KPKG $KPKG_VERSION, busybox-static $BB_VERSION); nothing to do"
    return
  fi
  say "building in $OUT ($KPKG $KPKG_VERSION, busybox-static $BB_VERSION)"
  build
  echo "$want" >"$OUT/inputs.sha256"
  say "built vmlinuz, vmlinux, initrd.img ($(stat -c %s "$OUT/initrd.img") B)," \
    "disk.qcow2 ($(stat -c %s "$OUT/disk.qcow2") B, $DISK_SIZE virtual) in $(($(date +%s) - start)) s"
}

main
