#!/bin/sh
# deps.sh - install the Debian packages Sidecar OS needs, if any is missing.
#
# Called by `make deps`, and first thing by `make run` and `make test`, so
# that a fresh Debian 12 machine with only gcc and make gets everything.
# As root it runs apt-get; otherwise it prints the command to run. (Lab 7's
# kernel headers, whose name follows Debian's current kernel, are installed
# by tools/linux/fetch-kernel.sh.)

# package:how to tell it is there (a command, a file, or pkg-config:NAME)
# clang and libclang-rt-14-dev (libFuzzer and the sanitizers' runtimes):
# make fuzz and protocol-tsan; cppcheck: make lint.
NEEDS="
qemu-system-x86:qemu-system-x86_64
grub-pc-bin:/usr/lib/grub/i386-pc/multiboot2.mod
grub-common:grub-mkrescue
xorriso:xorriso
mtools:mformat
nasm:nasm
binutils:objcopy
check:pkg-config:check
pkg-config:pkg-config
pandoc:pandoc
graphviz:dot
python3:python3
busybox-static:/usr/share/doc/busybox-static
cpio:cpio
musl-tools:musl-gcc
clang:clang
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
cppcheck:cppcheck
python3-pytest:/usr/lib/python3/dist-packages/pytest
python3-pytest-xdist:/usr/lib/python3/dist-packages/xdist
python3-pytest-timeout:/usr/lib/python3/dist-packages/pytest_timeout.py
python3-matplotlib:/usr/lib/python3/dist-packages/matplotlib
libarchive-tools:bsdtar
"

missing=""
for entry in $NEEDS; do
	pkg=${entry%%:*}
	probe=${entry#*:}
	case "$probe" in
	pkg-config:*)
		command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${probe#pkg-config:}" ||
			missing="$missing $pkg" ;;
	/*)
		[ -e "$probe" ] || missing="$missing $pkg" ;;
	*)
		command -v "$probe" >/dev/null 2>&1 || missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root:  apt-get update && apt-get install -y$missing"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "deps: apt-get install failed for:$missing"
	exit 1
}
echo "deps: installed$missing"
