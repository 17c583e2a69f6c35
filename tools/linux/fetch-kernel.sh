#!/bin/sh
# fetch-kernel.sh - Debian's kernel for lab 7, and the headers to build a module for it.
#
#   tools/linux/fetch-kernel.sh <build dir>      (make: build/linux)
#
# The metapackage linux-image-amd64 depends on the current kernel package,
# linux-image-<version>-amd64; we resolve that name now rather than write a
# version into the tree. The package is downloaded (apt-get download: no
# root needed, nothing installed) into <build dir>/debs and unpacked with
# dpkg -x into <build dir>/root; <build dir>/vmlinuz is the kernel, and
# <build dir>/version its release (uname -r), for the module build. The
# headers are installed for real (linux-headers-<version>), since Kbuild
# wants them under /lib/modules/<version>/build. Nothing here is committed:
# build/ is ignored.
set -e
out=${1:-build/linux}
mkdir -p "$out/debs"

# "linux-image-amd64 Depends: linux-image-6.1.0-56-amd64" -> linux-image-6.1.0-56-amd64
current_image() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}
image=$(current_image)
if [ -z "$image" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq # a fresh machine may have no package lists yet
	image=$(current_image)
fi
if [ -z "$image" ]; then
	echo "fetch-kernel: apt-cache does not know linux-image-amd64;" \
		"as root run: apt-get update" >&2
	exit 1
fi
version=${image#linux-image-}

did=""
if ! ls "$out/debs/${image}"_*.deb >/dev/null 2>&1; then
	echo "fetch-kernel: downloading $image"
	did=1
	# As root apt would drop privileges to _apt, who may not write here.
	sandbox=""
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	(cd "$out/debs" && apt-get download -q $sandbox "$image") || {
		echo "fetch-kernel: apt-get download $image failed (try: apt-get update)" >&2
		exit 1
	}
fi
deb=$(ls "$out/debs/${image}"_*.deb | head -n 1)

vmlinuz=root/boot/vmlinuz-$version
if [ ! -f "$out/$vmlinuz" ] || [ "$deb" -nt "$out/$vmlinuz" ]; then
	did=1
	rm -rf "$out/root"
	dpkg -x "$deb" "$out/root"
	touch "$out/$vmlinuz" # dpkg -x keeps the package's dates
fi
ln -sf "$vmlinuz" "$out/vmlinuz"
# Rewrite version only when it changes, so make does not rebuild for nothing.
[ "$(cat "$out/version" 2>/dev/null)" = "$version" ] || echo "$version" >"$out/version"

headers=linux-headers-$version
if [ ! -e "/lib/modules/$version/build/Makefile" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "fetch-kernel: the module needs $headers; as root run:" >&2
		echo "  apt-get update && apt-get install -y --no-install-recommends $headers" >&2
		exit 1
	fi
	echo "fetch-kernel: installing $headers"
	did=1
	export DEBIAN_FRONTEND=noninteractive
	install="apt-get install -y -qq --no-install-recommends $headers"
	$install >/dev/null || { apt-get update -qq && $install >/dev/null; } || {
		echo "fetch-kernel: apt-get install $headers failed" >&2
		exit 1
	}
fi
[ -z "$did" ] || echo "fetch-kernel: $image ready ($out/vmlinuz)"
