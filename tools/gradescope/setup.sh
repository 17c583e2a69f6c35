#!/bin/sh
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder's image (`make gradescope` puts it at the top of the zip, and
# the tree in source/). It installs what Sidecar OS needs and builds the
# host tools, so that each submission only builds the kernel and boots.
# Lab 7 needs Debian's kernel packages: use a Debian 12 base image for it.
set -e
cd "${AUTOGRADER_ROOT:-/autograder}/source"
apt-get update -qq
sh tools/deps.sh
sh tools/fetch-qemu.sh build/qemu10 # the x2APIC tests boot QEMU 10 (tools/qemu.py)
make tools
