"""lab_tests.py - the graded tests of every lab, with their points.

`make grade LAB=N` runs LABS[N] against your tree; `make test` runs them
all against solutions/ (they must pass) and against the untouched skeleton
(each must fail: a test that cannot fail tests nothing).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from harness import (ROOT, Boot, CpuCompare, Unit, expect_line, expect_status,  # noqa: E402
                     status_lines)


def bad_kernel():
    """A file that is not a bzImage, for the shim to refuse."""
    path = os.path.join(ROOT, "build", "test-data", "not-a-kernel.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("This is a text file, not a Linux kernel.\n" * 40)
    return path


def bsp_linux_others_offline(i, t):
    return "linux" if i == 0 else "offline"


def bsp_linux_others_idle(i, t):
    return "linux" if i == 0 else "idle"


def phantom_failed(apic):
    """With phantom_cpu=<apic>: one more status line, that CPU failed."""
    def check(lines, t):
        rows = status_lines(lines)
        phantom = [r for r in rows if r[1] == apic]
        if not phantom or phantom[-1][3] != "failed":
            return "the phantom CPU (APIC ID %d) is not reported failed: %s" % (apic, phantom)
        others = [r for r in rows[-(t.smp + 1):] if r[1] != apic]
        bad = [r for r in others if r[3] != ("linux" if r[0] == 0 else "idle")]
        return "other CPUs not idle: %s" % bad if bad else None
    return check


RUN_OK = expect_line(r"^run: \d+ commands, 0 failed$", "every monitor command succeeded")

# Lab 0 is the chain GRUB -> shim -> linux-stub: its boots leave the sidecar
# out (SIDECAR=0), so they pass before lab 1 is done.
LABS = {
    0: [
        Unit("multiboot2 tag walk", "mb2", points=20),
        Unit("MADT walk", "madt", points=15),
        Unit("bzImage header checks", "bzimage", points=15),
        Boot("boot: 1 CPU", "status", points=10, smp=1, sidecar=False,
             checks=[expect_status(bsp_linux_others_offline), RUN_OK]),
        Boot("boot: 4 CPUs, 2 nodes", "status", points=10, smp=4, nodes=2, sidecar=False,
             checks=[expect_status(bsp_linux_others_offline), RUN_OK,
                     expect_line(r"^shim: machine: 4 CPUs, 2 nodes \(SRAT\)")]),
        Boot("boot: 64 CPUs, 4 nodes", "status", points=15, smp=64, nodes=4, mem=512, sidecar=False,
             checks=[expect_status(bsp_linux_others_offline), RUN_OK,
                     expect_line(r"^shim: node 3 memory 0x")]),
        Boot("bad kernel image is refused", "status", points=15, smp=1, kernel=bad_kernel, sidecar=False,
             expect_exit=1,
             checks=[expect_line(r"^shim: the main kernel module .* is not a bootable bzImage: "
                                 r"bzimage: boot_flag", "the shim names the bad image")]),
    ],
    1: [
        Boot("8 CPUs, 2 nodes: every AP idle", "status", points=20, smp=8, nodes=2,
             checks=[expect_status(bsp_linux_others_idle), RUN_OK,
                     expect_line(r"^shim: sidecar: 7 CPUs idle, 0 failed, bring-up")]),
        Boot("64 CPUs, 4 nodes: every AP idle", "status", points=25, smp=64, nodes=4,
             checks=[expect_status(bsp_linux_others_idle), RUN_OK,
                     expect_line(r"^shim: sidecar: 63 CPUs idle, 0 failed")]),
        Boot("255 CPUs: all 254 APs in one boot", "status", points=25, smp=255, mem=1024,
             timeout=180,
             checks=[expect_status(bsp_linux_others_idle), RUN_OK,
                     expect_line(r"^shim: sidecar: 254 CPUs idle, 0 failed")]),
        Boot("a CPU that never answers is marked failed", "status", points=30, smp=4,
             shim_args="phantom_cpu=9 ap_timeout_ms=300",
             checks=[phantom_failed(9), RUN_OK,
                     expect_line(r"^sidecar: cpu \d+ apic 9 did not start"),
                     expect_line(r"^shim: sidecar: 3 CPUs idle, 1 failed")]),
    ],
    2: [
        Boot("16 CPUs, 2 nodes: idle after bring-up", "sleep 200; status", points=30, smp=16,
             nodes=2, checks=[expect_status(bsp_linux_others_idle), RUN_OK]),
        # A spinning vCPU burns a host core for the whole 5 s: 31 of them on a
        # 2-core host would add at least ~5 s of CPU time. Halted ones add
        # only the bring-up. 2 s is far from both.
        CpuCompare("idle CPUs do not spin (32 vs 2 CPUs, sleep 5000)", "sleep 5000",
                   small=2, big=32, slack=2.0, points=70),
    ],
    3: [
        Boot("wake one CPU", "wake 3", points=25, smp=4,
             checks=[expect_line(r"^wake: 1 CPU x 1 round: 1 wake-ups, 0 lost, 0 doubled, 0 refused$"),
                     expect_line(r"^wake: round trip min \d+ median \d+ max \d+ cycles"), RUN_OK]),
        Boot("stress: 8 CPUs, 2 nodes, 1000 rounds, nothing lost or doubled", "wake all 1000",
             points=45, smp=8, nodes=2, timeout=120,
             checks=[expect_line(r"^wake: 7 CPUs x 1000 rounds: 7000 wake-ups, 0 lost, "
                                 r"0 doubled, 0 refused$"), RUN_OK]),
        Boot("waking a CPU that is not the sidecar's is refused", "wake 2; wake 0", points=30,
             smp=4, expect_exit=1,
             checks=[expect_line(r"^wake: 1 CPU x 1 round: 1 wake-ups, 0 lost"),
                     expect_line(r"^error: cpu 0 is not a sidecar CPU$"),
                     expect_line(r"^run: 2 commands, 1 failed$")]),
    ],
}
