"""lab_tests.py - the graded tests of every lab, with their points.

`make grade LAB=N` runs LABS[N] against your tree; `make test` runs them
all against solutions/ (they must pass) and against the untouched skeleton
(each must fail: a test that cannot fail tests nothing).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from harness import ROOT, Boot, Unit, expect_line, expect_status  # noqa: E402


def bad_kernel():
    """A file that is not a bzImage, for the shim to refuse."""
    path = os.path.join(ROOT, "build", "test-data", "not-a-kernel.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("This is a text file, not a Linux kernel.\n" * 40)
    return path


def bsp_linux_others_offline(i, t):
    return "linux" if i == 0 else "offline"


RUN_OK = expect_line(r"^run: \d+ commands, 0 failed$", "every monitor command succeeded")

LABS = {
    0: [
        Unit("multiboot2 tag walk", "mb2", points=20),
        Unit("MADT walk", "madt", points=15),
        Unit("bzImage header checks", "bzimage", points=15),
        Boot("boot: 1 CPU", "status", points=10, smp=1,
             checks=[expect_status(bsp_linux_others_offline), RUN_OK]),
        Boot("boot: 4 CPUs, 2 nodes", "status", points=10, smp=4, nodes=2,
             checks=[expect_status(bsp_linux_others_offline), RUN_OK,
                     expect_line(r"^shim: machine: 4 CPUs, 2 nodes \(SRAT\)")]),
        Boot("boot: 64 CPUs, 4 nodes", "status", points=15, smp=64, nodes=4, mem=512,
             checks=[expect_status(bsp_linux_others_offline), RUN_OK,
                     expect_line(r"^shim: node 3 memory 0x")]),
        Boot("bad kernel image is refused", "status", points=15, smp=1, kernel=bad_kernel,
             expect_exit=1,
             checks=[expect_line(r"^shim: the main kernel module .* is not a bootable bzImage: "
                                 r"bzimage: boot_flag", "the shim names the bad image")]),
    ],
}
