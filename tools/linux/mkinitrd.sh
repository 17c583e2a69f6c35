#!/bin/sh
# mkinitrd.sh - lab 7's initrd: busybox, the sidecar driver and sidecarctl.
#
#   tools/linux/mkinitrd.sh <initrd.gz> <sidecar.ko> <sidecarctl>
#
# An initramfs is a cpio archive in the "newc" format, gzip-compressed;
# Linux unpacks it into its first root file system and runs /init
# (Documentation/driver-api/early-userspace/buffer-format.rst). Ours holds
#   /bin/busybox                  Debian's busybox-static; /init links the applets
#   /bin/sidecarctl               the tool (static)
#   /lib/modules/sidecar.ko       the driver, without its debug information
#   /init                         tools/linux/init
#   /bin/cpuhp-times, cpu-on-off  make bench's bring-up timeline; the hot-plug selftest
#   /dev/console                  where the kernel points /init's output (as root only)
set -e
out=$1 ko=$2 tool=$3
here=$(dirname "$0")
busybox=${BUSYBOX:-/bin/busybox}
if [ $# -ne 3 ] || [ ! -f "$ko" ] || [ ! -f "$tool" ]; then
	echo "usage: mkinitrd.sh <initrd.gz> <sidecar.ko> <sidecarctl>" >&2
	exit 2
fi
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "mkinitrd: $busybox is not a static busybox; install Debian's busybox-static" >&2
	exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/lib/modules" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/root"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$tool" "$root/bin/sidecarctl"
strip --strip-debug -o "$root/lib/modules/sidecar.ko" "$ko"
cp "$here/init" "$root/init"
cp "$here/cpuhp-times" "$root/bin/cpuhp-times" # make bench: Linux's bring-up timeline
cp "$here/cpu-on-off" "$root/bin/cpu-on-off"   # lab 7's test: Linux's hot-plug selftest
chmod 755 "$root/init" "$root/bin/sidecarctl" "$root/bin/cpuhp-times" "$root/bin/cpu-on-off"
# Without /dev/console the kernel starts /init with no output; /init then
# mounts devtmpfs and redirects, so this node is a convenience.
[ "$(id -u)" = 0 ] && mknod -m 600 "$root/dev/console" c 5 1

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "  INITRD  $out ($(($(wc -c <"$out") / 1024)) KiB)"
