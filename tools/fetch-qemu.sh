#!/bin/sh
# fetch-qemu.sh - QEMU 10 from Debian's bookworm-backports, beside the system's QEMU 7.2.
#
#   tools/fetch-qemu.sh <build dir>      (make qemu10: build/qemu10)
#
# Debian 12's QEMU (7.2) has no x2APIC under software emulation (TCG) and
# refuses APIC IDs above 254; QEMU 10's TCG offers x2APIC (-cpu
# qemu64,x2apic=on) and q35 takes up to 4096 CPUs. The backports suite
# carries it. We fetch it without touching the system's apt configuration:
# apt-get update and apt-get download read a private sources list and keep
# their package lists and cache under <build dir>/apt; the three packages
# (the binary, its firmware data, its common files) are unpacked with
# dpkg -x into <build dir>/root, nothing is installed. The binary runs on
# Debian 12's libraries; tools/qemu.py runs it with
# -L <build dir>/root/usr/share/qemu -L /usr/share/seabios (its firmware,
# then the system's SeaBIOS). <build dir>/qemu-system-x86_64 links to it.
# Nothing here is committed: build/ is ignored.
set -e
out=${1:-build/qemu10}
suite=bookworm-backports
mirror=http://deb.debian.org/debian
packages="qemu-system-x86 qemu-system-data qemu-system-common"
bin=$out/root/usr/bin/qemu-system-x86_64

if [ -x "$bin" ] && [ -e "$out/qemu-system-x86_64" ]; then
	exit 0
fi

apt=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/debs"
echo "deb $mirror $suite main" >"$apt/sources.list"
# As root apt would drop privileges to _apt, who may not write here.
sandbox=""
[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
opts="-q $sandbox -o Dir::Etc::sourcelist=$apt/sources.list -o Dir::Etc::sourceparts=/dev/null
	-o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o Dir::Cache::pkgcache=
	-o Dir::Cache::srcpkgcache="

echo "fetch-qemu: apt-get update ($suite, private lists in $apt)"
# shellcheck disable=SC2086 # opts is a word list on purpose
apt-get $opts update >"$apt/update.log" 2>&1 || {
	cat "$apt/update.log" >&2
	echo "fetch-qemu: apt-get update of $mirror $suite failed" >&2
	exit 1
}
echo "fetch-qemu: downloading $packages"
# shellcheck disable=SC2086
(cd "$out/debs" && rm -f ./*.deb && apt-get $opts download $packages) || {
	echo "fetch-qemu: apt-get download $packages from $suite failed" >&2
	exit 1
}
rm -rf "$out/root"
for deb in "$out"/debs/*.deb; do
	dpkg -x "$deb" "$out/root"
done
[ -x "$bin" ] || {
	echo "fetch-qemu: $bin is missing after unpacking" >&2
	exit 1
}
ln -sf root/usr/bin/qemu-system-x86_64 "$out/qemu-system-x86_64"
echo "fetch-qemu: $("$bin" --version | head -n 1) ready ($out/qemu-system-x86_64)"
