"""hardening_tests.py - bad inputs, hostile guests, racing commands (issue 7).

Three lists, all run against the solutions in `make test` (tools/test.py):

  BAD_INPUTS   one boot per malformed input of book/09-hardening.md's table:
               made for real where QEMU can (no ACPI, a missing module, a
               damaged kernel or sidecar file) and by the shim's fault
               injection (inject=<name>, shim/inject.c) where it cannot.
               Each must print the message that names the problem, end
               (QEMU exits; every boot has a timeout), and - where the
               sidecar survives - leave every other CPU working: a VP
               still runs on a sidecar CPU afterwards.
  ISOLATION    hostile guests (linux-stub/guests/): privileged instructions,
               every exception vector and int N, every memory region, a
               guest that never exits. Each attempt must come back to the
               VMM as an exit, and the same CPU must run hello afterwards.
  STRESS       commands, STOP and REMOVE racing on every sidecar CPU; every
               command answered exactly once.

A longer stress, by hand:
  make qemu SOLUTION=1 SMP=8 NODES=2 RUN='racestress 20000 remove; status' TIMEOUT=900
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from harness import ROOT, Boot, expect_line, expect_no_line  # noqa: E402

CRAFTED = os.path.join(ROOT, "build", "hardening")
SOLUTION = os.path.join(ROOT, "build", "solution")


# --- damaged files, made from the solution's images when a test runs ---------

def crafted(name, source, change):
    """A function giving build/hardening/<name>: source's bytes, changed."""
    def make():
        os.makedirs(CRAFTED, exist_ok=True)
        with open(os.path.join(SOLUTION, source), "rb") as f:
            data = bytearray(f.read())
        path = os.path.join(CRAFTED, name)
        with open(path, "wb") as f:
            f.write(change(data))
        return path
    return make


def garbage(data):
    return bytes(range(256)) * 64  # 16 KiB with no magic anywhere


def old_protocol(data):
    data[0x206:0x208] = (0x0206).to_bytes(2, "little")  # setup header version 2.06
    return data


def truncated(data):
    return data[:len(data) // 2]


def wrong_abi(data):
    data[8:12] = (99).to_bytes(4, "little")  # sidecar_image_header.abi_version
    return data


# --- checks -------------------------------------------------------------------

# The main kernel booted and ran every command: the BSP is linux-stub's.
MAIN_KERNEL_UP = [expect_line(r"^cpu 0 apic 0 node 0 linux$"),
                  expect_line(r"^run: \d+ commands, 0 failed$")]
# ... and the sidecar still runs a VP on CPU 1.
SIDECAR_UP = MAIN_KERNEL_UP + [
    expect_line(r"^cpu 1 apic 1 node 0 idle$"),
    expect_line(r"^\[cpu 1\] Hello from a VP on a sidecar CPU!$")]
NO_SIDECAR = r"; booting the main kernel without the sidecar$"


def shim_panic(what):
    """The shim stopped, saying what, and QEMU ended with failure."""
    return [expect_line(r"^panic: shim: .*" + what)]


def bad(name, checks, injection=None, expect_exit=0, run="status", nodes=1, smp=4, **kw):
    args = "inject=" + injection if injection else kw.pop("shim_args", "")
    return Boot("bad input: " + name, run, smp=smp, nodes=nodes, shim_args=args,
                expect_exit=expect_exit, checks=checks, timeout=60, **kw)


def alive(name, checks, injection=None, nodes=1, **kw):
    """A bad input after which the sidecar still works."""
    return bad(name, checks + SIDECAR_UP, injection, run="status; run 1 hello", nodes=nodes, **kw)


def fallback(name, message, injection=None, nodes=1, **kw):
    """A bad input after which the main kernel boots without the sidecar."""
    return bad(name, [expect_line(r"^shim: cannot read the machine from ACPI: " + message +
                                  r".*" + NO_SIDECAR)] + MAIN_KERNEL_UP, injection, nodes=nodes, **kw)


BAD_INPUTS = [
    # multiboot2 information (inject: GRUB always gets these right)
    bad("multiboot2 without a memory map", shim_panic(r"mb2: no memory map tag \(type 6\)"),
        "mb2-no-mmap", expect_exit=1),
    bad("multiboot2 tag runs past total_size", shim_panic(r"runs past total_size \d+"),
        "mb2-truncated", expect_exit=1),
    bad("multiboot2 without an end tag", shim_panic(r"no end tag within total_size"),
        "mb2-no-end", expect_exit=1),
    bad("multiboot2 module ends before it starts", shim_panic(r"ends at 0x[0-9a-f]+ before it "
                                                              r"starts at 0x[0-9a-f]+"),
        "mb2-module-backwards", expect_exit=1),
    bad("multiboot2 module string unterminated", shim_panic(r"string unterminated"),
        "mb2-module-string", expect_exit=1),
    bad("multiboot2 without an ACPI RSDP tag",
        [expect_line(r"GRUB passed no ACPI RSDP \(multiboot2 tags 14/15\)" + NO_SIDECAR),
         expect_line(r"^linux-stub: the boot loader gave no RSDP; found one at 0x")]
        + MAIN_KERNEL_UP, "mb2-no-rsdp"),
    # ACPI (inject: QEMU's tables are always well formed)
    fallback("RSDP checksum", r"acpi: RSDP checksum 0x[0-9a-f]+, expected 0", "rsdp-checksum"),
    fallback("RSDP signature", r"acpi: RSDP signature is not \"RSD PTR \"", "rsdp-signature"),
    fallback("RSDP without a root table", r"acpi: RSDP has neither an XSDT nor an RSDT",
             "rsdp-no-root"),
    fallback("RSDT/XSDT checksum", r"acpi: [RX]SDT checksum 0x[0-9a-f]+, expected 0",
             "root-checksum"),
    fallback("RSDT/XSDT shorter than its header", r"acpi: [RX]SDT length 20 is shorter",
             "root-short"),
    fallback("RSDT/XSDT entry outside memory", r"acpi: [RX]SDT entry 0 points outside memory",
             "root-bad-pointer"),
    fallback("no MADT", r"acpi: no APIC table", "no-madt"),
    fallback("MADT checksum", r"acpi: APIC checksum 0x[0-9a-f]+, expected 0", "madt-checksum"),
    fallback("MADT with no enabled CPU", r"acpi: MADT lists no enabled processor",
             "madt-no-cpus"),
    fallback("MADT entry of length 0", r"acpi: MADT entry at offset \d+ has length 0",
             "madt-bad-entry"),
    alive("MADT with duplicate APIC IDs", [expect_line(
        r"^shim: warning: 4 MADT processor entries skipped \(duplicate")], "madt-dup-apic"),
    alive("MADT with out-of-range APIC IDs", [
        expect_line(r"^shim: warning: 1 MADT processor entries skipped \(duplicate, APIC ID 0xff"),
        expect_line(r"^shim: warning: 1 CPUs with APIC IDs above 254 \(the first 300\) cannot "
                    r"be reached in xAPIC mode")], "madt-apic-oob"),
    alive("MADT with more CPUs than supported", [
        expect_line(r"^shim: warning: 48 MADT processor entries skipped .*over 2048"),
        expect_line(r"^shim: warning: 2044 CPUs with APIC IDs above 254")], "madt-many-cpus"),
    fallback("SRAT checksum", r"acpi: SRAT checksum 0x[0-9a-f]+, expected 0", "srat-checksum",
             nodes=2),
    fallback("SRAT entry of length 1", r"acpi: SRAT entry at offset \d+ has length 1",
             "srat-bad-entry", nodes=2),
    fallback("SRAT with overlapping memory", r"acpi: SRAT memory 0x0-0x9ffff \(domain 0\) "
             r"overlaps 0x0-0xffffff \(domain 1\)", "srat-overlap", nodes=2),
    alive("SRAT naming a CPU that does not exist", [expect_line(
        r"^shim: warning: the SRAT places 1 CPUs the MADT does not list \(the first APIC ID "
        r"200\): ignored")], "srat-ghost-cpu", nodes=2),
    # modules and images, for real
    bad("no sidecar module", [expect_line(r"^shim: no sidecar module: every CPU but the BSP "
                                          r"stays offline")] + MAIN_KERNEL_UP, sidecar=False),
    bad("sidecar image with a bad magic", [expect_line(
        r"^shim: sidecar: bad image magic 0x[0-9a-f]+; booting without a sidecar")]
        + MAIN_KERNEL_UP, sidecar=crafted("sidecar-garbage", "sidecar.bin", garbage)),
    bad("sidecar image of another ABI", [expect_line(
        r"^shim: sidecar: image ABI 99, shim speaks 1; booting without a sidecar")]
        + MAIN_KERNEL_UP, sidecar=crafted("sidecar-abi99", "sidecar.bin", wrong_abi)),
    bad("too little memory for the sidecar", [expect_line(
        r"^shim: no memory for node 0's sidecar pages \(\d+ KiB\): the sidecar is disabled; "
        r"the main kernel boots without it")] + MAIN_KERNEL_UP, "sidecar-nomem"),
    bad("a memory map with no room for the sidecar's reservations", [expect_line(
        r"^shim: the main kernel's memory map cannot hold the sidecar's \d+ reservations "
        r"\(e820: map needs more than \d+ entries\): the sidecar is disabled; the main kernel "
        r"boots without it$"), expect_line(r"^cpu 1 apic 1 node 0 offline$")] + MAIN_KERNEL_UP,
        "e820-full"),
    bad("no main kernel module", [expect_line(r"^shim: no main kernel: grub.cfg has no module2"),
                                  expect_line(r"^panic: shim: .*could not boot the main kernel")],
        expect_exit=1, kernel="none"),
    bad("main kernel with a bad magic", shim_panic(r"could not boot")
        + [expect_line(r"^shim: the main kernel module \(16384 bytes\) is not a bootable bzImage: "
                       r"bzimage: boot_flag 0x[0-9a-f]+, expected 0xaa55")],
        expect_exit=1, kernel=crafted("kernel-garbage", "linux-stub.bzImage", garbage)),
    bad("main kernel of too old a boot protocol", [expect_line(
        r"not a bootable bzImage: bzimage: boot protocol 2.06, need 2.12 or later")],
        expect_exit=1, kernel=crafted("kernel-2.06", "linux-stub.bzImage", old_protocol)),
    bad("main kernel file truncated", [expect_line(
        r"not a bootable bzImage: bzimage: syssize says \d+ bytes of code, file has \d+ "
        r"\(truncated\?\)")],
        expect_exit=1, kernel=crafted("kernel-half", "linux-stub.bzImage", truncated)),
    # a CPU that does not answer, and a bad option
    alive("a phantom CPU that never starts", [
        expect_line(r"^sidecar: cpu \d+ apic 9 did not start \(no answer in time\); marked failed"),
        expect_line(r"^cpu 4 apic 9 node 0 failed$")], shim_args="phantom_cpu=9 ap_timeout_ms=200"),
    # the shim's own parameter page, zeroed once the sidecar started: the
    # sidecar reads only its copy, so its checks (cmdcheck's guest memory over
    # a node's pages) and its guests work as before
    bad("the parameter page zeroed after the sidecar started", [
        expect_line(r"^shim: fault injection: params-zeroed \(the sidecar's parameter page "
                    r"is zeroed after it started\)$"),
        expect_line(r"^cmdcheck: cpu 1 guest memory over the control page: refused: .*overlaps "
                    r"a node's sidecar pages"),
        expect_line(r"^cmdcheck: cpu 1: \d+ bad requests refused, still healthy$")] + SIDECAR_UP,
        "params-zeroed", run="status; cmdcheck 1; run 1 hello"),
    alive("an unknown fault injection", [expect_line(
        r"^shim: warning: bad value in 'inject=frobnicate' ignored")],
        shim_args="inject=frobnicate"),
]


# --- guest isolation ------------------------------------------------------------

def expect_traps(name):
    """The guest's own count: every try trapped."""
    rx = re.compile(r"^\[cpu 1\] %s: (\d+) of (\d+) trapped$" % name)

    def check(lines, t):
        m = next((rx.match(l) for l in lines if rx.match(l)), None)
        if not m:
            return "no '%s: N of N trapped' line" % name
        if m.group(1) != m.group(2):
            return "only %s of %s tries trapped" % m.groups()
        t.tries = int(m.group(2))
        return None
    return check


def expect_every_int_n(lines, t):
    """int N for every N: each a #GP exit whose error code names IDT entry N
    (SDM vol. 3A 6.13: N*8+2, the IDT flag; QEMU's TCG reports N*16+2, the
    entry's byte offset in a 64-bit IDT: either form, for all 256)."""
    rx = re.compile(r"^exit: cpu 1 exception #GP general protection \(vector 13\) error 0x([0-9a-f]+)")
    errors = {int(m.group(1), 16) for m in map(rx.match, lines) if m}
    for scale in (8, 16):
        if all(n * scale + 2 in errors for n in range(256)):
            return None
    missing = [n for n in range(256) if n * 8 + 2 not in errors and n * 16 + 2 not in errors]
    return "int N gave no #GP exit naming IDT entry N for N = %s" % missing[:8]


def vector_exit(vector, name):
    return expect_line(r"^exit: cpu 1 exception %s .*\(vector %d\)" % (re.escape(name), vector),
                       "an exit for vector %d" % vector)


# The isolation tests run on a CPU with SMEP and SMAP (and NX, which qemu64
# has), so the sidecar turns them on (kernel/protect.c).
PROTECTED = ["--cpu", "qemu64,+smep,+smap"]

HELLO_AFTER = [expect_line(r"^\[cpu 1\] Hello from a VP on a sidecar CPU!$"),
               expect_line(r"^run: \d+ commands, 0 failed$")]

ISOLATION = [
    Boot("isolation: privileged instructions all trap, then hello", "run 1 privileged; run 1 hello",
         smp=2, qemu_args=PROTECTED, checks=[expect_traps("privileged"),
                        expect_line(r"^sidecar: guests run in ring 3; paging protections on: "
                                    r"SMEP SMAP NX$"),
                        expect_line(r"^exit: cpu 1 io out port 0xf4 size 4 value 0x31$"),
                        expect_line(r"^exit: cpu 1 io out port 0x64 size 1 value 0xfe$"),
                        expect_line(r"^run: cpu 1 guest privileged: halted")] + HELLO_AFTER),
    Boot("isolation: every exception vector and int 0-255 exit, then hello",
         "run 1 vectors; run 1 hello", smp=2, qemu_args=PROTECTED,
         checks=[expect_traps("vectors"), expect_every_int_n,
                 # #SS (a push through a non-canonical rsp) is #GP(0) under
                 # QEMU's TCG, and int1 is #UD there: both trap, as counted.
                 vector_exit(0, "#DE"), vector_exit(1, "#DB"), vector_exit(6, "#UD"),
                 vector_exit(16, "#MF"),
                 expect_line(r"^exit: cpu 1 exception #GP .*error 0x0 "),
                 expect_line(r"^exit: cpu 1 mmio write at gva 0x9000000000"),
                 expect_line(r"^run: cpu 1 guest vectors: halted")] + HELLO_AFTER),
    Boot("isolation: no sidecar or linux-stub region is reachable, then hello",
         "isolate 1; run 1 hello", smp=4, qemu_args=PROTECTED,
         checks=[expect_line(r"^isolate: cpu 1: 15 regions, 15 contained$"),
                 expect_line(r"^isolate: cpu 1 a sidecar CPU's own page tables at 0x[0-9a-f]+: "
                             r"3 of 3 tries trapped, contained$"),
                 expect_line(r"^isolate: cpu 1 the VP's shadow page tables"),
                 expect_line(r"^exit: cpu 1 mmio write at gva 0x200000 ")] + HELLO_AFTER),
    Boot("isolation: a guest that edits its own page tables, then hello",
         "run 1 selfmap; run 1 hello", smp=2, qemu_args=PROTECTED, expect_exit=1,
         checks=[expect_line(r"^\[cpu 1\] selfmap: its PML4 entry 1 points at its PDPT$"),
                 expect_line(r"^exit: cpu 1 mmio read at gva 0x800000e000 rip 0x800000e000$"),
                 expect_line(r"^\[cpu 1\] selfmap: 1 of 1 calls into a no-execute page trapped$"),
                 expect_line(r"^error: cpu 1: guest maps GVA 0x8000010000 to GPA 0x100000, "
                             r"outside its memory$"),
                 expect_line(r"^run: cpu 1 guest selfmap: failed"),
                 expect_line(r"^\[cpu 1\] Hello from a VP on a sidecar CPU!$"),
                 expect_line(r"^run: 2 commands, 1 failed$")]),
    Boot("isolation: a guest's own AC and TF survive an exit; TF ends in a #DB exit, then hello",
         "run 1 flags; run 1 hello", smp=2, qemu_args=PROTECTED,
         checks=[expect_line(r"^\[cpu 1\] flags: AC kept across an exit$"),
                 expect_line(r"^exit: cpu 1 exception #DB .*\(vector 1\) error 0x0 at rip "
                             r"0x8000004041$"),
                 expect_no_line(r"flags: TF lost"),
                 expect_line(r"^run: cpu 1 guest flags: ended by exception")] + HELLO_AFTER),
    Boot("isolation: a non-canonical RIP from the VMM's recovery is refused before iretq, "
         "then hello", "run 1 badrip; run 1 hello", smp=2, qemu_args=PROTECTED, expect_exit=1,
         checks=[expect_line(r"^exit: cpu 1 exception #UD .*\(vector 6\)"),
                 expect_line(r"^error: cpu 1: rip 0x800000000000 is not canonical"),
                 expect_no_line(r"resumes the guest at 0x800000000000"),
                 expect_line(r"^run: cpu 1 guest badrip: failed after 1 exit$"),
                 expect_line(r"^\[cpu 1\] Hello from a VP on a sidecar CPU!$"),
                 expect_line(r"^run: 2 commands, 1 failed$")]),
    # The sidecar itself against memory it must not reach: each CPU's page
    # tables map only its own pages (kernel/paging.c), so a ring-0 write
    # elsewhere is a page fault that fails that CPU alone (kernel/fault.c).
    Boot("isolation: sidecar CPUs that write where they may not fail alone, the rest serve",
         "trespass 5 main-kernel; trespass 6 other-stack; trespass 7 params; status; "
         "run 3 hello", smp=8, shim_args="test_commands",
         checks=[expect_line(r"^sidecar: cpu 5 page fault writing 0x[0-9a-f]+ \(memory the "
                             r"sidecar does not own: the main kernel's\) .*cpu 5 marked failed$"),
                 expect_line(r"^trespass: cpu 5 main-kernel caught: .*\(linux-stub's image, "
                             r"unchanged\)$"),
                 expect_line(r"^sidecar: cpu 6 page fault writing 0x[0-9a-f]+ \(cpu [1-47]'s "
                             r"stack\) .*cpu 6 marked failed$"),
                 expect_line(r"^sidecar: cpu 7 page fault writing 0x[0-9a-f]+ \(the shim's "
                             r"parameter page\) .*cpu 7 marked failed$"),
                 expect_line(r"^cpu 4 apic 4 node 0 idle$"),
                 expect_line(r"^cpu 5 apic 5 node 0 failed$"),
                 expect_line(r"^cpu 6 apic 6 node 0 failed$"),
                 expect_line(r"^cpu 7 apic 7 node 0 failed$"),
                 expect_line(r"^\[cpu 3\] Hello from a VP on a sidecar CPU!$"),
                 expect_line(r"^run: 5 commands, 0 failed$")]),
    Boot("isolation: without test_commands the sidecar refuses the trespass command",
         "trespass 2 params; status; run 2 hello", smp=4, expect_exit=1,
         checks=[expect_line(r"^error: trespass: cpu 2 refused: test commands are off "
                             r"\(shim option test_commands\)$"),
                 expect_no_line(r"page fault"),
                 expect_line(r"^cpu 2 apic 2 node 0 idle$"),
                 expect_line(r"^\[cpu 2\] Hello from a VP on a sidecar CPU!$"),
                 expect_line(r"^run: 3 commands, 1 failed$")]),
    Boot("isolation: a guest that never exits is stopped, then hello",
         "run 1 spin timeout=300; run 1 hello", smp=2, qemu_args=PROTECTED,
         checks=[expect_line(r"^exit: cpu 1 stopped at rip 0x8000004000$"),
                 expect_line(r"^run: cpu 1 guest spin: stopped after 1 exit$")] + HELLO_AFTER),
]


# --- stress ---------------------------------------------------------------------

RACE = re.compile(r"^racestress: (\d+) CPUs? x (\d+) rounds: (\d+) commands, (\d+) answered once, "
                  r"(\d+) lost, (\d+) doubled, (\d+) wrong; STOP caught (\d+) runs running and "
                  r"(\d+) before they ran; (\d+) CPUs removed while running")


def expect_all_answered(cpus):
    def check(lines, t):
        m = next((RACE.match(l) for l in lines if RACE.match(l)), None)
        if not m:
            return "no racestress summary line"
        n, rounds, sent, answered, lost, doubled, wrong, running, early, removed = map(
            int, m.groups())
        if n != cpus or sent != answered or lost or doubled or wrong or removed != cpus:
            return "racestress: %s" % m.group(0)
        if running == 0:
            return "no STOP ever caught a running guest: the race was not exercised"
        t.stressed = sent
        return None
    return check


STRESS = [
    Boot("stress: commands, STOP and REMOVE race on every sidecar CPU",
         "racestress 100 remove; status", smp=4, nodes=2, timeout=120,
         checks=[expect_all_answered(2), expect_line(r"^cpu 3 apic 3 node 1 linux$"),
                 expect_no_line(r"^error: racestress")]),
]

HARDENING = BAD_INPUTS + ISOLATION + STRESS
