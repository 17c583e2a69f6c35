#!/usr/bin/env python3
"""bench.py - `make bench`: speed and memory figures of the complete system.

Boots the solutions in QEMU (TCG) and prints what the guest measured:
  - boot to the monitor: wall and host CPU seconds of the whole QEMU run;
  - AP bring-up: the sidecar's own figure (first INIT to the last CPU idle),
    with fan-out and with the BSP starting every AP itself (serial_start),
    and their ratio - the point of fan-out;
  - memory reserved per sidecar CPU;
  - wake-up round trips (request IPI -> IDLE seen by linux-stub).
These are figures of software emulation on whatever host runs it: compare
the ratios within one run, not absolute numbers across machines.
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, "build", "solution")


def boot(smp, run, nodes=1, mem=512, shim_args="", linux=False, sidecar=True,
         linux_args="console=ttyS0 maxcpus=1 panic=-1 quiet"):
    log = os.path.join(ROOT, "build", "bench.log")
    cmd = [sys.executable, os.path.join(ROOT, "tools", "qemu.py"), "--smp", str(smp),
           "--nodes", str(nodes), "--mem", str(mem), "--shim", B + "/shim.elf",
           "--shim-args", shim_args, "--run", run, "--timeout", "300", "--log", log, "--quiet"]
    if sidecar:
        cmd += ["--sidecar", B + "/sidecar.bin"]
    if linux:
        cmd += ["--kernel", os.path.join(ROOT, "build", "linux", "vmlinuz"),
                "--initrd", B + "/linux/initrd.gz", "--kernel-args", linux_args,
                "--run-param", "sidecar.run"]
    else:
        cmd += ["--kernel", B + "/linux-stub.bzImage"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = open(log).read()
    if r.returncode != 0:
        sys.exit("bench: boot failed (smp %d, %s):\n%s" % (smp, run, text[-2000:]))
    return text


def grab(pattern, text, cast=float):
    m = re.search(pattern, text, re.M)
    if not m:
        sys.exit("bench: no /%s/ in the output" % pattern)
    return tuple(cast(g) for g in m.groups())


def main():
    subprocess.run(["make", "--no-print-directory", "-C", ROOT, "SOLUTION=1", "images", "linux"],
                   check=True, stdout=subprocess.DEVNULL)
    print("Sidecar OS benchmark (QEMU TCG, host: %d CPUs); %s" %
          (os.cpu_count(), time.strftime("%Y-%m-%d %H:%M")))

    print("\nboot to the linux-stub monitor, then power off (whole QEMU run)")
    print("  %5s %10s %10s" % ("CPUs", "wall s", "CPU s"))
    for smp in (1, 8, 64):
        text = boot(smp, "status")
        wall, cpu = grab(r"\(([0-9.]+) s wall, ([0-9.]+) s CPU\)", text)
        print("  %5d %10.2f %10.2f" % (smp, wall, cpu))

    print("\nAP bring-up (sidecar_start: first INIT-SIPI-SIPI to every CPU idle)")
    print("  %5s %6s %14s %14s %8s %12s" % ("CPUs", "nodes", "fan-out ms", "serial ms",
                                            "ratio", "KiB per CPU"))
    for smp, nodes, mem in ((8, 1, 512), (64, 4, 512), (255, 1, 1024)):
        fan = boot(smp, "status", nodes, mem)
        ser = boot(smp, "status", nodes, mem, "serial_start")
        fan_ms, kib = grab(r"^shim: sidecar: \d+ CPUs idle, 0 failed, bring-up ([0-9.]+) ms, "
                           r"(\d+) KiB per CPU", fan)
        ser_ms, = grab(r"^shim: sidecar: \d+ CPUs idle, 0 failed, bring-up ([0-9.]+) ms", ser)
        print("  %5d %6d %14.1f %14.1f %7.1fx %12d" % (smp, nodes, fan_ms, ser_ms,
                                                        ser_ms / fan_ms, kib))

    print("\ncommand throughput (cmdstress: SET then GET a register on every sidecar CPU)")
    print("  %5s %10s %10s %14s" % ("CPUs", "commands", "ms", "commands/s"))
    for smp in (2, 8):
        text = boot(smp, "cmdstress 3000")
        n, ms = grab(r"^cmdstress: \d+ CPUs? x \d+ rounds: (\d+) commands, 0 lost, 0 wrong, "
                     r"(\d+) ms", text, int)
        print("  %5d %10d %10d %14.0f" % (smp, n, ms, n / (ms / 1000.0)))

    print("\nconversion (convert: REMOVE -> REMOVED, then INIT-SIPI-SIPI into linux-stub)")
    text = boot(4, "convert 2; convert 3")
    for cpu, removed, online in re.findall(r"^convert: cpu (\d+) .* \(removed in (\d+) us, "
                                           r"online in (\d+) us\)", text, re.M):
        print("  cpu %s: removed in %s us, online in linux-stub %s us" % (cpu, removed, online))

    print("\nwake-up round trip (linux-stub: RUN + request IPI -> IDLE seen)")
    print("  %5s %8s %12s %12s %12s" % ("CPUs", "wakes", "min us", "median us", "max us"))
    for smp, rounds in ((2, 2000), (8, 500), (64, 50)):
        text = boot(smp, "wake all %d" % rounds)
        n, = grab(r"^wake: \d+ CPUs? x \d+ rounds?: (\d+) wake-ups, 0 lost, 0 doubled", text, int)
        lo, mid, hi = grab(r"\(min (\d+) median (\d+) max (\d+) ns\)", text)
        print("  %5d %8d %12.1f %12.1f %12.1f" % (smp, n, lo / 1000, mid / 1000, hi / 1000))

    print("\nDebian's kernel: time to /init (guest uptime), with the sidecar holding all CPUs")
    print("but one per node, against Linux starting every CPU itself (no sidecar)")
    print("  %5s %6s %16s %16s %8s" % ("CPUs", "nodes", "sidecar s", "all-Linux s", "ratio"))
    for smp, nodes in ((8, 2), (32, 2)):
        side = boot(smp, "true", nodes, 1024, linux=True)
        full = boot(smp, "true", nodes, 1024, linux=True, sidecar=False,
                    linux_args="console=ttyS0 panic=-1 quiet")
        t_side, = grab(r"^sidecar: Linux \S+ up in ([0-9.]+) s", side)
        t_full, = grab(r"^sidecar: Linux \S+ up in ([0-9.]+) s", full)
        print("  %5d %6d %16.2f %16.2f %7.1fx" % (smp, nodes, t_side, t_full, t_full / t_side))
    text = boot(8, "sidecarctl online 5", 2, 1024, linux=True)
    ms, = grab(r"^online: Linux started it in (\d+) ms", text)
    print("  sidecarctl online 5 (REMOVE, then Linux's own CPU hot-plug): %d ms" % ms)


if __name__ == "__main__":
    main()
