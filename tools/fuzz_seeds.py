#!/usr/bin/env python3
"""fuzz_seeds.py - the fuzzers' seed corpora, from what QEMU really hands over.

  python3 tools/fuzz_seeds.py        (after `make SOLUTION=1 images`)

Boots the solutions in QEMU with the shim option dump_tables (shim/dump.c)
on a few machine shapes, reads the hex dumps from the serial output, and
writes tests/fuzz/corpus/<harness>/<shape>.bin:

  mb2      GRUB's multiboot2 information, byte for byte
  madt     QEMU's MADT            srat    QEMU's SRAT (NUMA shapes)
  acpi     the RSDP copy and every table the RSDT lists, at their real
           physical addresses, in fuzz_acpi.c's segment format; and the same
           tables behind an ACPI 2.0 RSDP and an XSDT (QEMU's firmware
           gives an RSDT only)
  bzimage  linux-stub's bzImage: its real setup sectors and the first 4 KiB
           of its code, with syssize cut to match (the whole file is 40 KiB)
  decode   rax, rdx, and the bytes at each in/out/hlt/vmcall of the guest
           programs (build/solution/guests/*.bin)
  cmdline  the shim's and each module's command line from the mb2 dump
  e820     GRUB's memory map from the mb2 dump, and the sidecar's ranges
  gva      a guest's page tables as linux-stub's VMM lays them out
           (lib/portable/vmm_core.c, vmm_build_guest) with the hello program
  command  one command page per command, the TRANSLATE_GVA one with that
           guest memory after it

The files are small and committed; re-run this when the firmware changes.
"""
import os
import re
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
SHAPES = [  # name, make variables
    ("smp4", ["SMP=4", "NODES=1"]),
    ("smp8-2nodes", ["SMP=8", "NODES=2"]),
    ("smp6-3nodes-memoryless", ["SMP=6", "NODES=3", "MEMORYLESS_NODE=2"]),
]
GVA_MIN = 0x8000000000


def boot_dump(variables):
    cmd = ["make", "--no-print-directory", "-C", ROOT, "qemu", "SOLUTION=1",
           "SHIM_ARGS=dump_tables", "RUN=status"] + variables
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    tables, order = {}, []
    for line in out.splitlines():
        m = re.match(r"dump (\S+) 0x([0-9a-f]+) (\d+)$", line)
        if m:
            name = m.group(1)
            tables[name] = [int(m.group(2), 16), int(m.group(3)), bytearray()]
            order.append(name)
            continue
        m = re.match(r"dump (\S+) (\d+) ([0-9a-f]+)$", line)
        if m and m.group(1) in tables:
            t = tables[m.group(1)]
            if int(m.group(2)) != len(t[2]):
                sys.exit("fuzz_seeds: %s: bytes out of order at %s" % (m.group(1), m.group(2)))
            t[2] += bytes.fromhex(m.group(3))
    for name, (pa, length, data) in tables.items():
        if len(data) != length:
            sys.exit("fuzz_seeds: %s: %d of %d bytes in the dump" % (name, len(data), length))
    if "mb2" not in tables:
        print(out[-2000:])
        sys.exit("fuzz_seeds: no dump in the serial output (%s)" % " ".join(variables))
    return tables, order


def write(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".bin"), "wb") as f:
        f.write(bytes(data))


def segment(pa, data):
    return struct.pack("<QI", pa, len(data)) + bytes(data)


def mb2_tags(info):
    """(type, payload) for each tag of multiboot2 information (spec 3.6.2)."""
    off, total = 8, struct.unpack_from("<I", info, 0)[0]
    while off + 8 <= total:
        kind, size = struct.unpack_from("<II", info, off)
        if kind == 0 or size < 8:
            return
        yield kind, bytes(info[off + 8:off + size])
        off += (size + 7) & ~7


def e820_seed(info, reserve):
    """fuzz_e820.c's input: GRUB's memory map (tag 6), then reservations."""
    ranges = []
    for kind, payload in mb2_tags(info):
        if kind == 6:
            entry_size = struct.unpack_from("<I", payload, 0)[0]
            for off in range(8, len(payload) - entry_size + 1, entry_size):
                ranges.append(struct.unpack_from("<QQI", payload, off))
    return bytes([len(ranges)]) + b"".join(struct.pack("<QQI", *r) for r in ranges + reserve)


def checksum(data, at):
    data[at] = (-(sum(data) - data[at])) & 0xff


def xsdt_variant(tables, order):
    """QEMU's tables behind an ACPI 2.0 RSDP and an XSDT (ACPI 6.5 5.2.5.3,
    5.2.8) in place of its 1.0 RSDP and RSDT: the XSDT path with real tables."""
    rsdt_pa, _, rsdt = tables["RSDT"]
    entries = [struct.unpack_from("<I", rsdt, 36 + 4 * i)[0] for i in range((len(rsdt) - 36) // 4)]
    xsdt = bytearray(rsdt[:36]) + b"".join(struct.pack("<Q", e) for e in entries)
    xsdt[0:4] = b"XSDT"
    struct.pack_into("<I", xsdt, 4, len(xsdt))
    checksum(xsdt, 9)
    rsdp = bytearray(tables["rsdp"][2][:20]) + bytes(16)
    rsdp[15] = 2  # revision
    struct.pack_into("<IQ", rsdp, 20, 36, rsdt_pa)
    rsdp[8] = (-(sum(rsdp[:20]) - rsdp[8])) & 0xff  # 5.2.5.3: the first 20 bytes
    checksum(rsdp, 32)                               # and all 36
    out = b"\x00" + segment(tables["rsdp"][0], rsdp) + segment(rsdt_pa, xsdt)
    for name in order:
        if name not in ("mb2", "rsdp", "RSDT"):
            out += segment(tables[name][0], tables[name][2])
    return out


def guest_memory(program):
    """vmm_build_guest(): PML4, PDPT, PD, PT at GPA 0..0x3fff, program at 0x4000."""
    size, pte = 0x10000, 0x7  # P | W | U
    mem = bytearray(size)
    def put(table, index, value):
        struct.pack_into("<Q", mem, table + 8 * index, value)
    put(0x0000, (GVA_MIN >> 39) & 511, 0x1000 | pte)
    put(0x1000, (GVA_MIN >> 30) & 511, 0x2000 | pte)
    put(0x2000, (GVA_MIN >> 21) & 511, 0x3000 | pte)
    for gpa in range(0x4000, size, 0x1000):
        put(0x3000, ((GVA_MIN + gpa) >> 12) & 511, gpa | pte)
    mem[0x4000:0x4000 + len(program)] = program
    return bytes(mem[:0x4000 + len(program)])


def command_page(command, request=b"", memory=b""):
    page = bytearray(4096)
    struct.pack_into("<I", page, 0, command)
    page[128:128 + len(memory)] = memory
    page[192:192 + len(request)] = request
    return bytes(page)


def main():
    for shape, variables in SHAPES:
        tables, order = boot_dump(variables)
        write("mb2", shape, tables["mb2"][2])
        write("madt", shape, tables["APIC"][2])
        if "SRAT" in tables:
            write("srat", shape, tables["SRAT"][2])
        acpi = b"\x01" + segment(tables["rsdp"][0], tables["rsdp"][2])
        for name in order:
            if name not in ("mb2", "rsdp"):
                acpi += segment(tables[name][0], tables[name][2])
        write("acpi", shape, acpi)
        write("acpi", shape + "-checksums", b"\x00" + acpi[1:])
        write("acpi", shape + "-xsdt", xsdt_variant(tables, order))
        for kind, payload in mb2_tags(tables["mb2"][2]):
            if kind == 1:  # the shim's command line
                write("cmdline", shape + "-shim", payload.rstrip(b"\0"))
            if kind == 3:  # a module's string: "kernel <its command line>"
                word = payload[8:].split(b" ")[0].rstrip(b"\0").decode()
                write("cmdline", "%s-%s" % (shape, word), payload[8:].rstrip(b"\0"))
        # The sidecar's image hole and output pages, reserved (shim/start_sidecar.c).
        reserve = [(0x200000, 0x200000, 2), (0x400000, 0x3000, 2), (0x1000, 0x1000, 2)]
        write("e820", shape, e820_seed(tables["mb2"][2], reserve))
        print("fuzz_seeds: %s: %s" % (shape, ", ".join("%s %d" % (n, tables[n][1]) for n in order)))

    bz = bytearray(open(os.path.join(ROOT, "build/solution/linux-stub.bzImage"), "rb").read())
    setup = ((bz[0x1f1] or 4) + 1) * 512
    code = 4096
    struct.pack_into("<I", bz, 0x1f4, code // 16)
    write("bzimage", "linux-stub-head", bz[:setup + code])

    guests = os.path.join(ROOT, "build/solution/guests")
    for g in sorted(os.listdir(guests)):
        prog = open(os.path.join(guests, g), "rb").read()
        regs = struct.pack("<QQ", 0x41, 0x3f8)
        for i, b in enumerate(prog):
            if b in (0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef, 0xf4) or prog[i:i + 3] == b"\x0f\x01\xc1":
                start = i - 1 if i and prog[i - 1] == 0x66 else i
                write("decode", "%s-%d" % (g[:-4], start), regs + prog[start:start + 15])

    hello = open(os.path.join(guests, "hello.bin"), "rb").read()
    mem = guest_memory(hello)
    entry = GVA_MIN + 0x4000
    write("gva", "hello-entry", struct.pack("<QQB", entry, 0, 15) + mem)
    write("gva", "hello-stack", struct.pack("<QQB", GVA_MIN + 0xfff8, 0, 15) + mem)

    regs = struct.pack("<I", 3) + struct.pack("<32I", 0, 16, 17, *([0] * 29)) + b"\0" * 4 + \
        struct.pack("<32Q", 1, entry, 0x202, *([0] * 29))
    # 5 pages of guest memory: the four tables and the program's first page.
    vp_memory = struct.pack("<QQQQII", 0x1000000, 0x5000, 0, 0x1100000, 8, 0)
    write("command", "none", command_page(0))
    write("command", "run-vp", command_page(1, b"", vp_memory))
    write("command", "get-registers", command_page(2, regs))
    write("command", "set-registers", command_page(3, regs))
    write("command", "translate-gva",
          command_page(4, struct.pack("<QIIQ", entry, 1, 0, 0), vp_memory) +
          mem + b"\0" * (0x5000 - len(mem)))
    write("command", "unknown", command_page(7))
    print("fuzz_seeds: wrote %s" % os.path.relpath(CORPUS, ROOT))


if __name__ == "__main__":
    main()
