"""lab_mutants.py - deliberately broken solutions: the mistakes students make.

Each Mutant is one small edit of one file in solutions/: `old` (which must
occur exactly once in the file, so a mutant cannot silently stop applying
when the solution changes) becomes `new`. tools/mutants.py applies each to a
copy of solutions/, builds it, runs the graded tests of `labs` (the mutated
lab, and later labs where the mistake only shows there) and records which
tests catch it. The results are the "common mistakes" section of the
instructor's guide (book/10-instructors.md).

`expect` is what the last full run found: "caught", or "missed" for a
mistake no test sees (most are mistakes QEMU's emulated hardware forgives,
a missing delay or fence, which only a reviewer reading the code finds;
book/10-instructors.md lists them). The tool reports, and fails on, any
mutant whose verdict changed: a test that stopped catching a mistake, or
a new test that catches one.

Instructor-only: this file shows the solutions' code; `make student-release`
leaves it out.
"""


class Mutant:
    def __init__(self, name, lab, path, old, new, why, labs=None, expect="caught"):
        self.name, self.lab, self.path, self.old, self.new = name, lab, path, old, new
        self.why, self.expect = why, expect
        self.labs = labs or (lab,)


S = "solutions/"
MUTANTS = [
    # --- lab 0: parsing what GRUB and the firmware left --------------------
    Mutant("mb2-no-padding", 0, S + "00-boot/mb2_walk.c",
           "off += ALIGN_UP(tag->size, MB2_TAG_ALIGN);", "off += tag->size;",
           "forgets that tags start on 8-byte boundaries (size excludes padding)"),
    Mutant("mb2-no-overrun-check", 0, S + "00-boot/mb2_walk.c",
           "if (tag->size > total - off)", "if (0)",
           "trusts a tag's size: a tag running past total_size is read through"),
    Mutant("madt-ignores-enabled", 0, S + "00-boot/madt_walk.c",
           "if (flags & MADT_ENABLED) {", "if (1) {",
           "counts disabled processors (Enabled flag, ACPI Table 5.23 bit 0)"),
    Mutant("madt-length-off-by-one", 0, S + "00-boot/madt_walk.c",
           "e->length > end - p)", "e->length > end - p + 1)",
           "off-by-one in the bounds check: an entry may run one byte past the table"),
    Mutant("madt-no-x2apic", 0, S + "00-boot/madt_walk.c",
           "} else if (e->type == MADT_LOCAL_X2APIC) {", "} else if (0) {",
           "skips Processor Local x2APIC structures (type 9)"),
    Mutant("bzimage-no-hdrs", 0, S + "00-boot/bzimage.c",
           "if (h->header != SETUP_HDRS_MAGIC)", "if (0)",
           "does not check the \"HdrS\" magic"),
    Mutant("bzimage-setup-sects-zero", 0, S + "00-boot/bzimage.c",
           "h->setup_sects ? h->setup_sects : 4", "h->setup_sects",
           "forgets that setup_sects = 0 means 4"),
    # --- lab 1: starting APs ------------------------------------------------
    Mutant("one-sipi", 1, S + "01-apstart/startup.c",
           "for (int i = 0; i < 2; i++) {", "for (int i = 0; i < 1; i++) {",
           "sends one SIPI instead of two"),
    Mutant("no-init-delay", 1, S + "01-apstart/startup.c",
           "\tudelay(ap_start_delays.after_init_us);\n", "",
           "no 10 ms wait between INIT and the first SIPI"),
    Mutant("init-wait-per-cpu", 1, S + "01-apstart/startup.c",
           "ICR_DELIVERY_TIMEOUT_US) == 0;\n\tudelay(ap_start_delays.after_init_us);",
           "ICR_DELIVERY_TIMEOUT_US) == 0,\n\t\tudelay(ap_start_delays.after_init_us);",
           "starting several CPUs at once, waits 10 ms after each INIT instead of once "
           "after all: the nodes start one after another"),
    Mutant("sipi-vector-wrong", 1, S + "01-apstart/startup.c",
           "(uint32_t)(trampoline_page >> 12)", "(uint32_t)(trampoline_page >> 8)",
           "SIPI vector = address >> 8 instead of the page number (>> 12)"),
    Mutant("apic-id-register", 1, S + "01-apstart/trampoline.asm",
           "\tmov ebx, edx\n", "\tmov ebx, ecx\n",
           "wrong APIC ID register: CPUID.0BH:ECX (level and type) instead of EDX"),
    Mutant("fanout-not-atomic", 1, S + "01-apstart/fanout.c",
           "uint32_t slot = __atomic_fetch_add(&node->next_slot, 1, __ATOMIC_ACQ_REL);",
           "uint32_t slot = node->next_slot; node->next_slot = slot + 1;",
           "claims a slot with a plain read and write: two CPUs may start the same AP",
           expect="missed"),
    Mutant("fanout-one-each", 1, S + "01-apstart/fanout.c",
           "\t\tap_start_and_wait(node->cpus[slot]);\n",
           "\t\tap_start_and_wait(node->cpus[slot]);\n\t\treturn;\n",
           "each CPU starts one more and stops: a chain, not a fan-out"),
    Mutant("init-to-one-only", 1, S + "01-apstart/startup.c",
           "delivered[c] = lapic_send_icr(apic_ids[c],",
           "delivered[c] = lapic_send_icr(apic_ids[0],",
           "starting several CPUs at once, sends INIT to the first only: the others get SIPIs "
           "they ignore"),
    Mutant("fanout-no-help", 1, S + "01-apstart/fanout.c",
           "for (uint32_t k = 0; k < params->node_count; k++)", "for (uint32_t k = 0; k < 1; k++)",
           "a CPU whose node is done does not help the others (only timing shows it)"),
    # --- lab 2: the halt loop ---------------------------------------------------
    Mutant("sti-hlt-race", 2, S + "02-halt/halt.c",
           "__asm__ volatile(\"cli\" ::: \"memory\");", "__asm__ volatile(\"sti\" ::: \"memory\");",
           "checks the status with interrupts on: an IPI between the check and hlt is lost",
           labs=(2, 3)),
    Mutant("poll-not-halt", 2, S + "02-halt/halt.c",
           "safe_halt(); /* \"sti; hlt\" (include/halt.h) */",
           "__asm__ volatile(\"sti; pause\" ::: \"memory\");",
           "spins (pause) instead of halting"),
    Mutant("status-relaxed", 2, S + "02-halt/halt.c",
           "\t\tuint32_t s = __atomic_load_n(status, __ATOMIC_ACQUIRE);\n\t\t/* STOP too",
           "\t\tuint32_t s = *(volatile uint32_t *)status;\n\t\t/* STOP too",
           "a plain volatile load instead of an acquire load", expect="missed"),
    Mutant("stop-not-run", 2, S + "02-halt/halt.c",
           "\t\tif (s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) {\n\t\t\t__asm__ volatile(\"sti\"",
           "\t\tif (s == CPU_STATUS_RUN) {\n\t\t\t__asm__ volatile(\"sti\"",
           "does not run a command whose STOP came before the CPU started it: "
           "that command is never answered", labs=(2, 3)),
    Mutant("apic-not-enabled", 2, S + "02-halt/cpu_init.c",
           "lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SIDECAR_SPURIOUS_VECTOR);", "",
           "never software-enables the local APIC (SVR bit 8): no IPI arrives", labs=(2, 3)),
    # --- lab 3: IPIs --------------------------------------------------------------
    Mutant("no-eoi", 3, S + "03-ipi/ipi.c", "\tlapic_eoi();\n", "",
           "no EOI: the vector stays in service and blocks the next wake-up"),
    # The whole body is replaced: the IPI goes first and is the only one
    # (an edit that only adds an IPI in front leaves the correct one after
    # the store, and then the CPU is woken anyway).
    Mutant("ipi-before-status", 3, S + "03-ipi/wake.c",
           "\tuint32_t expected = CPU_STATUS_IDLE;\n"
           "\tif (!__atomic_compare_exchange_n(&control->cpu_status[slot], &expected, CPU_STATUS_RUN,\n"
           "\t\t\t\t\t false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))\n"
           "\t\treturn -1; /* not idle: busy, failed, or not a sidecar CPU */\n"
           "\treturn ipi_send(apic_id, (uint8_t)control->request_vector);\n",
           "\tuint32_t expected = CPU_STATUS_IDLE;\n"
           "\tint r = ipi_send(apic_id, (uint8_t)control->request_vector);\n"
           "\tif (!__atomic_compare_exchange_n(&control->cpu_status[slot], &expected, CPU_STATUS_RUN,\n"
           "\t\t\t\t\t false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))\n"
           "\t\treturn -1;\n"
           "\treturn r;\n",
           "sends the request IPI before storing RUN, and only then: the CPU may wake, "
           "see IDLE and sleep again"),
    Mutant("wake-without-cas", 3, S + "03-ipi/wake.c",
           "if (!__atomic_compare_exchange_n(&control->cpu_status[slot], &expected, CPU_STATUS_RUN,\n"
           "\t\t\t\t\t false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))",
           "__atomic_store_n(&control->cpu_status[slot], CPU_STATUS_RUN, __ATOMIC_RELEASE);\n"
           "\tif (expected != CPU_STATUS_IDLE)",
           "stores RUN without checking the CPU was IDLE"),
    Mutant("low-vector-allowed", 3, S + "03-ipi/ipi.c", "if (vector < 32)", "if (0)",
           "does not refuse vectors 0-31"),
    Mutant("no-needs-attention", 3, S + "03-ipi/wake.c",
           "__atomic_store_n(&c->needs_attention, 1, __ATOMIC_RELEASE);", "",
           "does not raise needs_attention when a command is done", labs=(3, 5)),
    Mutant("ack-plain-store", 3, S + "03-ipi/wake.c",
           "\twhile ((s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) &&",
           "\t__atomic_store_n(&c->cpu_status[pc->slot], CPU_STATUS_IDLE, __ATOMIC_RELEASE);\n"
           "\twhile (0 &&",
           "acknowledges with a plain store: a REMOVE stored meanwhile is overwritten",
           labs=(3, 6)),
    # --- lab 4: commands and the VP -------------------------------------------------
    Mutant("decode-operand-size", 4, S + "04-command/decode.c",
           "(operand16 ? 2 : 4)", "4", "ignores the 66 operand-size prefix"),
    Mutant("decode-imm-length", 4, S + "04-command/decode.c",
           "port = code[i++];", "port = code[i];",
           "forgets the imm8 in the instruction length of in/out imm8"),
    Mutant("gva-no-canonical", 4, S + "04-command/gva.c",
           "if (high != 0 && high != -1)", "if (0)",
           "does not refuse non-canonical guest addresses"),
    Mutant("gva-index-shift", 4, S + "04-command/gva.c",
           "(12 + 9 * (level - 1))", "(12 + 9 * level)",
           "off by one level in the page-table index"),
    Mutant("gva-table-unchecked", 4, S + "04-command/gva.c",
           "if (table % 4096 || table >= m->size || m->size - table < 4096)",
           "if (table % 4096)",
           "trusts the guest's page tables: a table outside guest memory is read"),
    Mutant("register-count-off-by-one", 4, S + "04-command/registers.c",
           "if (count > SIDECAR_MAX_REGISTERS)", "if (count > SIDECAR_MAX_REGISTERS + 1)",
           "off-by-one in the register count check"),
    Mutant("register-name-unchecked", 4, S + "04-command/registers.c",
           "if (names[i] >= VP_REGISTER_COUNT)", "if (0)",
           "does not check register names: an index past the register file"),
    # --- lab 5: NUMA ------------------------------------------------------------
    Mutant("policy-drops-bsp", 5, S + "05-numa/policy.c",
           "\t\tif (i == bsp)\n\t\t\tmain_cpu[i] = true;\n", "",
           "does not always keep the BSP for the main kernel"),
    Mutant("placement-any-node", 5, S + "05-numa/placement.c",
           "if (r->node != node || r->base >= end ||", "if (r->base >= end ||",
           "takes the first memory range of any node and calls it local"),
    Mutant("response-vector-first", 5, S + "05-numa/attention.c",
           "__atomic_store_n(&control->response_cpu, apic_id, __ATOMIC_RELAXED);\n"
           "\t__atomic_store_n(&control->response_vector, vector, __ATOMIC_RELEASE);",
           "__atomic_store_n(&control->response_vector, vector, __ATOMIC_RELAXED);\n"
           "\t__atomic_store_n(&control->response_cpu, apic_id, __ATOMIC_RELAXED);",
           "turns response IPIs on before naming the CPU", expect="missed"),
    Mutant("attention-not-cleared", 5, S + "05-numa/attention.c",
           "__atomic_exchange_n(&control->needs_attention, 0, __ATOMIC_ACQ_REL);", "",
           "never clears needs_attention"),
    # --- lab 6: conversion ---------------------------------------------------------
    Mutant("convert-any-state", 6, S + "06-convert/convert.c",
           "if (s != CPU_STATUS_IDLE && s != CPU_STATUS_RUN && s != CPU_STATUS_STOP)",
           "if (0)", "converts a CPU in any state (twice, or one that never started)"),
    Mutant("convert-no-ipi", 6, S + "06-convert/convert.c",
           "return ipi_send(apic_id, (uint8_t)control->request_vector);", "return 0;",
           "stores REMOVE but sends no IPI: the halted CPU never sees it"),
    Mutant("remove-no-removed", 6, S + "06-convert/remove.c",
           "__atomic_store_n(&c->cpu_status[pc->slot], CPU_STATUS_REMOVED, __ATOMIC_RELEASE);",
           "", "parks without storing REMOVED: the client never learns it left"),
    Mutant("park-with-interrupts", 6, S + "06-convert/remove.c",
           "\t\t__asm__ volatile(\"cli; hlt\" ::: \"memory\");",
           "\t\t__asm__ volatile(\"sti; hlt\" ::: \"memory\");",
           "parks with interrupts on", expect="missed"),
    # --- lab 7: real Linux -------------------------------------------------------
    Mutant("driver-no-ipi", 7, S + "07-linux/sidecar_drv.c",
           "\t\treturn -ENODEV;\n\t}\n\tsidecar_send_ipi(c);\n\tpoll_soon();\n",
           "\t\treturn -ENODEV;\n\t}\n\tpoll_soon();\n",
           "START stores RUN but sends no request IPI"),
    Mutant("response-no-wake", 7, S + "07-linux/sidecar_drv.c",
           "\t\t\tsidecar_proto_take_attention(nodes[n].control);\n\twake_up_all(&sidecar_wq);\n",
           "\t\t\tsidecar_proto_take_attention(nodes[n].control);\n",
           "the response interrupt is counted but wakes nobody: every wait runs to its timeout"),
    Mutant("hotplug-no-remove", 7, S + "07-linux/sidecar_drv.c",
           "\tatomic_set(&c->vp, VP_GONE); /* START fails from now on */\n",
           "\treturn 0;\n\tatomic_set(&c->vp, VP_GONE); /* START fails from now on */\n",
           "the hot-plug callback lets Linux INIT a CPU the sidecar still runs"),
    # One-line deletions (tools/mutants.py --delete-lines 7): the first two
    # were caught before issue 17's tests, the rest only since.
    Mutant("hotplug-no-gone", 7, S + "07-linux/sidecar_drv.c",
           "\tatomic_set(&c->vp, VP_GONE); /* START fails from now on */\n", "",
           "the hot-plug callback removes the CPU but leaves it BUSY: its VMM reads REMOVED "
           "as an answer instead of hearing POLLHUP"),
    Mutant("poll-gone-falls-through", 7, S + "07-linux/sidecar_drv.c",
           "\tcase VP_GONE:\n\t\treturn EPOLLHUP;\n", "\tcase VP_GONE:\n",
           "poll() on a CPU that left falls into the BUSY case: POLLIN, then read() fails"),
    Mutant("responses-not-counted", 7, S + "07-linux/sidecar_drv.c",
           "\tatomic64_inc(&responses);\n", "",
           "the response interrupt is handled but not counted: INFO's count stays 0 while "
           "/proc/interrupts' grows"),
    Mutant("release-no-stop", 7, S + "07-linux/sidecar_drv.c",
           "\t\tsidecar_stop(c);\n\t\tif (sidecar_proto_finished",
           "\t\tif (sidecar_proto_finished",
           "closing a file whose guest runs does not stop it: the CPU stays BUSY for good"),
    Mutant("converted-cpu-removed-again", 7, S + "07-linux/sidecar_drv.c",
           "\tif (atomic_read(&c->vp) == VP_GONE && cpu_status(c) == CPU_STATUS_REMOVED)\n"
           "\t\treturn 0; /* converted before: it is coming back online */\n", "",
           "a converted CPU coming back online goes through the removal again (deleting only "
           "the return makes the if guard the next line, the GONE, as hotplug-no-gone does)"),
    Mutant("hotplug-stop-no-ipi", 7, S + "07-linux/sidecar_drv.c",
           "\tif (sidecar_proto_stop(c->status)) {\n\t\tsidecar_send_ipi(c);\n",
           "\tif (sidecar_proto_stop(c->status)) {\n",
           "the hot-plug callback stores STOP without the IPI: the guest runs on until the "
           "REMOVE's IPI, 2 s later"),
    Mutant("remove-time-not-kept", 7, S + "07-linux/sidecar_drv.c",
           "\tc->remove_us = (u32)div_u64(ktime_get_ns() - t0, NSEC_PER_USEC);\n", "",
           "the hot-plug callback does not record how long the removal took (INFO says 0 us)"),
    Mutant("poll-timer-not-rearmed", 7, S + "07-linux/sidecar_drv.c",
           "\t\t\tmod_timer(&poll_timer, jiffies + 1);\n", "",
           "polling, the timer ticks once per START: a STOP from another process is never "
           "noticed"),
    Mutant("unload-keeps-responses", 7, S + "07-linux/sidecar_drv.c",
           "\tsidecar_serve_nodes(0, 0); /* no more response IPIs to a vector we give back */\n"
           "\tsidecar_irq_free();\n\tdel_timer_sync(&poll_timer);\n\tfor (i = 0;",
           "\tsidecar_irq_free();\n\tdel_timer_sync(&poll_timer);\n\tfor (i = 0;",
           "rmmod gives the IRQ back but the sidecar still sends responses to its vector"),
    Mutant("timeout-never-stops", 7, S + "07-linux/sidecarctl.c",
           "\t\t\t} else if (now >= v->deadline) {\n\t\t\t\trun_timed_out(v, now);\n",
           "\t\t\t} else if (now >= v->deadline) {\n",
           "drive() never stops a run at its timeout: sidecarctl spins until the guest exits"),
    Mutant("run-usage-unchecked", 7, S + "07-linux/sidecarctl.c",
           "\t\treturn error(\"%s\", usage);\n\tif (argc == 4",
           "\tif (argc == 4",
           "sidecarctl run with too few words reads past argv instead of printing its usage"),
]
