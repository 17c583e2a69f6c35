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
    def __init__(self, name, lab, path, old, new, why, labs=None, expect="caught",
                 equivalent=None):
        self.name, self.lab, self.path, self.old, self.new = name, lab, path, old, new
        self.why, self.expect = why, expect
        self.labs = labs or (lab,)
        # Why the mistake changes nothing on this machine (an x86 ordering,
        # a state INIT already leaves): run, but not scored.
        self.equivalent = equivalent
        if equivalent:
            self.expect = "missed"


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
           "a plain volatile load instead of an acquire load",
           equivalent="on x86-64 both compile to the same `mov`; only a weaker memory model "
                      "would tell"),
    Mutant("stop-not-run", 2, S + "02-halt/halt.c",
           "\t\tif (s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) {\n\t\t\t__asm__ volatile(\"sti\"",
           "\t\tif (s == CPU_STATUS_RUN) {\n\t\t\t__asm__ volatile(\"sti\"",
           "does not run a command whose STOP came before the CPU started it: "
           "that command is never answered", labs=(2, 3)),
    Mutant("apic-not-enabled", 2, S + "02-halt/cpu_init.c",
           "lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SIDECAR_SPURIOUS_VECTOR);", "",
           "never software-enables the local APIC (SVR bit 8): no IPI arrives", labs=(2, 3)),
    Mutant("no-wake-starter", 2, S + "02-halt/sleep.c",
           "\tif (ticks_per_ms && pc->starter_apic_id != bsp_apic_id)\n",
           "\tif (0)\n",
           "a CPU that is up never wakes its starter, which sleeps to its deadline"),
    Mutant("sleep-spins", 2, S + "02-halt/sleep.c",
           "\tif (!sleeper())\n\t\treturn false;\n", "\treturn false;\n",
           "never sleeps: every starter spins through its waits"),
    Mutant("sleep-check-interrupts-on", 2, S + "02-halt/sleep.c",
           "\tfor (;;) {\n\t\tcli();\n\t\tif (watch", "\tfor (;;) {\n\t\tif (watch",
           "checks the watched word with interrupts on: a wake between the check and the "
           "halt is lost, and the starter sleeps to its deadline"),
    Mutant("lint-unmasked", 2, S + "02-halt/cpu_init.c",
           "\tlapic_write(LAPIC_LVT_LINT0, LVT_MASKED);\n\tlapic_write(LAPIC_LVT_LINT1, LVT_MASKED);\n",
           "",
           "leaves LINT0 and LINT1 as INIT left them",
           equivalent="a sidecar CPU is always fresh from INIT, which leaves every LVT "
                      "entry masked (SDM vol. 3A 10.4.7.1, 10.4.7.3)"),
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
    Mutant("no-needs-attention", 3, S + "03-ipi/ipi.c",
           "__atomic_store_n(&c->needs_attention, 1, __ATOMIC_RELEASE);", "",
           "does not raise needs_attention when a command is done", labs=(3, 5)),
    Mutant("ack-plain-store", 3, S + "03-ipi/ipi.c",
           "\twhile ((s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) &&",
           "\t__atomic_store_n(&c->cpu_status[pc->slot], CPU_STATUS_IDLE, __ATOMIC_RELEASE);\n"
           "\twhile (0 &&",
           "acknowledges with a plain store: a REMOVE stored meanwhile is overwritten",
           labs=(3, 6)),
    Mutant("stop-no-ipi", 3, S + "03-ipi/wake.c",
           "\treturn ipi_send(apic_id, (uint8_t)vector) ? -1 : 0;\n", "\treturn 0;\n",
           "STOP stores STOP but sends no IPI: a running guest is never pulled out",
           labs=(3, 4)),
    Mutant("client-wait-interrupts-on", 3, S + "03-ipi/wake.c",
           "\tuint64_t flags = irq_save(); /* given back as they were */\n\tbool there;\n"
           "\tfor (;;) {\n\t\tcli();\n\t\tthere = sidecar_proto_status(&control->cpu_status[slot]) == status;\n"
           "\t\tif (there || timer_ns() >= deadline_ns)\n\t\t\tbreak;\n"
           "\t\tsmp_wait(); /* a response IPI or the tick wakes us */\n\t}\n\tirq_restore(flags);\n",
           "\tbool there;\n"
           "\tfor (;;) {\n\t\tthere = sidecar_proto_status(&control->cpu_status[slot]) == status;\n"
           "\t\tif (there || timer_ns() >= deadline_ns)\n\t\t\tbreak;\n"
           "\t\tsmp_wait(); /* a response IPI or the tick wakes us */\n\t}\n",
           "the client looks with interrupts on: a response between the look and the halt "
           "is lost until the next tick", labs=(3, 5)),
    Mutant("mailbox-posted-first", 3, S + "03-ipi/mailbox.c",
           "\tm->work = work;\n\tm->arg = arg;\n\t__atomic_store_n(&m->posted, done + 1, __ATOMIC_RELEASE);\n",
           "\t__atomic_store_n(&m->posted, done + 1, __ATOMIC_RELEASE);\n\tm->work = work;\n\tm->arg = arg;\n",
           "announces the work before writing it: the serving CPU may run the old one",
           labs=(3, 5), expect="missed"),
    Mutant("mailbox-overwrites", 3, S + "03-ipi/mailbox.c",
           "\tif (__atomic_load_n(&m->posted, __ATOMIC_RELAXED) != done)\n\t\treturn -1; /* the last work is not finished */\n",
           "",
           "posts over unfinished work"),
    Mutant("mailbox-serve-no-cli", 3, S + "03-ipi/mailbox.c",
           "\tfor (;;) {\n\t\tcli();\n\t\tuint32_t posted",
           "\tfor (;;) {\n\t\tuint32_t posted",
           "looks for work with interrupts on: a post between the look and the halt waits "
           "for the next tick", labs=(3, 5)),
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
    Mutant("split-ignored", 5, S + "05-numa/policy.c",
           "\t\tuint32_t chunks = split ? (cpus + split - 1) / split : 1;\n",
           "\t\tuint32_t chunks = 1;\n",
           "ignores split=: every NUMA node stays one sidecar node"),
    Mutant("claim-not-atomic", 5, S + "05-numa/attention.c",
           "\t    !__atomic_compare_exchange_n(&node_server[node], &none, (int)cpu, false,\n"
           "\t\t\t\t\t __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))\n",
           "\t    (node_server[node] != -1 || (node_server[node] = (int)cpu, 0)))\n",
           "claims a node with a load and a store: two CPUs claiming at once both win",
           equivalent="linux-stub claims nodes on its BSP only, one after another: two "
                      "claims never race here (Linux's driver would be another matter)"),
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
    Mutant("take-no-forget", 6, S + "06-convert/take.c",
           "\t\tsidecar_forget(c->cpu); /* parked: no more sidecar commands for it, ever */\n",
           "", "keeps a converted CPU in the sidecar's tables: commands still go to it"),
    Mutant("take-no-wait", 6, S + "06-convert/take.c",
           "\t\tif (c->result == 0 &&\n\t\t    !client_wait_status(",
           "\t\tif (0 &&\n\t\t    !client_wait_status(",
           "starts the CPU without waiting for REMOVED: the INIT may hit a CPU still "
           "running the sidecar"),
    Mutant("take-stops-at-first-failure", 6, S + "06-convert/take.c",
           "\t\tif (c->result)\n\t\t\tkprintf(\"error: cpu %u cannot be removed",
           "\t\tif (c->result)\n\t\t\treturn -1;\n\t\tif (c->result)\n\t\t\tkprintf(\"error: cpu %u cannot be removed",
           "gives up on every CPU after the first refusal, leaving the REMOVEs already "
           "sent unanswered"),
    Mutant("nmi-lvts-unmasked", 6, S + "06-convert/remove.c",
           "\tif (max_lvt >= 4)\n\t\tlapic_write(LAPIC_LVT_PERF, LVT_MASKED);\n", "",
           "leaves the performance-counter LVT as it was",
           equivalent="INIT left the entry masked and nothing in the sidecar unmasks it "
                      "(SDM vol. 3A 10.4.7.1, 10.4.7.3)"),
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


# How each mistake shows in the tests that catch it, or why none does: the
# third column of the instructor guide's tables (tools/mutants.py
# --update-guide writes them, with the tests of the last run in the second).
NOTES = {
    "mb2-no-padding":
        "multiboot2 unit suite, and every boot (the shim stops: `mb2: tag type 0 at offset 20 "
        "has size 1 < 8`)",
    "mb2-no-overrun-check":
        "multiboot2 unit suite (`walk_rejects_tag_past_total_size`)",
    "madt-ignores-enabled":
        "MADT unit suite (`skips_disabled_cpus`)",
    "madt-no-x2apic":
        "MADT unit suite",
    "madt-length-off-by-one":
        "MADT unit suite (`rejects_entry_one_byte_past_table`)",
    "bzimage-no-hdrs":
        "bzImage unit suite (`rejects_missing_hdrs`)",
    "bzimage-setup-sects-zero":
        "bzImage unit suite (`setup_sects_zero_means_four`)",
    "sipi-vector-wrong":
        "every boot test: every AP is marked failed; the 64- and 255-CPU boots time out (each "
        "AP waits out its start timeout)",
    "apic-id-register":
        "every boot test, the same way: no AP finds its slot",
    "init-to-one-only":
        "\"8 CPUs, 2 nodes\", \"64 CPUs, 4 nodes\" and \"4 nodes start together\": the other "
        "nodes' first CPUs never start",
    "init-wait-per-cpu":
        "\"4 nodes start together\": in the ICR trace the BSP's INITs to the nodes' first CPUs "
        "are 10 ms apart each",
    "one-sipi":
        "\"INIT, 10 ms, SIPI, 200 us, SIPI to every AP\": the ICR trace (the shim's "
        "`trace_icr`) shows one SIPI; QEMU's APs never miss the first, so no boot fails",
    "no-init-delay":
        "the ICR trace test: the first SIPI a few microseconds after the INIT; QEMU itself "
        "needs no delay",
    "fanout-not-atomic":
        "**not caught**: the race needs two CPUs between the read and the write at once, which "
        "these boots did not produce",
    "fanout-one-each":
        "\"32 CPUs in one node start in a fan-out, not a chain\": following the timeline's "
        "starters back to the BSP takes about 15 steps, a fan-out about 5 (the bring-up times "
        "alone are within noise under TCG)",
    "fanout-no-help":
        "\"a CPU whose node is done helps start the others\": with nodes of 13 and 3 CPUs "
        "(`tools/qemu.py --node-cpus 13,3`) no CPU has a starter of the other node but the BSP; "
        "on nodes of equal size helping changes only the timing",
    "poll-not-halt":
        "`idle CPUs do not spin`: its bound on the 32-CPU machine's own CPU time (halting costs "
        "about 0.05 s); the difference between the machines alone can pass on a loaded two-core "
        "host, where both spin and both fill the host (2 CPUs 8.2 s, 32 CPUs 4.6 s). With the "
        "host at a load of 70, the spinning 32-CPU machine did not finish its 5 s sleep within "
        "the 120 s timeout",
    "apic-not-enabled":
        "not by lab 2's tests (halted CPUs are all they check); every lab 3 test: `cpu 3 did "
        "not answer within 1 s`",
    "sti-hlt-race":
        "lab 3's \"no lost wake-up with the halt's race window open\": with the shim's "
        "`race_windows` every sidecar CPU spins 1 ms before it halts (`include/halt.h`), so the "
        "wake-up lands in the window every round; without it, 20,000 back-to-back wake-ups of "
        "one CPU lost none under TCG",
    "stop-not-run":
        "lab 3's \"a wake-up stopped before the CPU looks is still answered\": `wake all 50 "
        "stop` stops each wake-up at once, and with `race_windows` the CPU looks 1 ms late, so "
        "it finds STOP (also the host thread test `tests/host/protocol_threads.c`)",
    "no-eoi":
        "the 1000-round stress test (the first wake-up works, the second is held back; `wake "
        "one CPU` passes)",
    "ack-plain-store":
        "lab 6's `REMOVE while a VP runs`: the REMOVE stored meanwhile is overwritten (`cpu 3 "
        "did not leave the sidecar within 2 s`)",
    "ipi-before-status":
        "the stress test (`cpu 1 did not answer within 1 s (status 2)`: the CPU woke, saw IDLE "
        "and slept again) and `waking a CPU that is not the sidecar's is refused` (its one "
        "wake-up is lost)",
    "wake-without-cas":
        "the host suite \"ipi\" (`wake_refuses_a_cpu_that_is_not_idle`): linux-stub checks the "
        "status itself before it calls `sidecar_wake`, so only a direct call exercises the "
        "refusal",
    "low-vector-allowed":
        "the host suite \"ipi\" (`send_refuses_vectors_below_32`, against a fake local APIC); "
        "in a boot nothing sends one",
    "no-needs-attention":
        "the host suite \"ipi\" (`acknowledge_run_is_idle_and_raises_attention`); no boot: "
        "linux-stub's collector scans every waiting CPU whether the flag is up or not",
    "decode-operand-size":
        "exit decoding unit suite (`in ax, 0x80: size 4, expected 2`)",
    "decode-imm-length":
        "exit decoding unit suite",
    "gva-no-canonical":
        "guest page walk unit suite, and `bad requests are refused`",
    "gva-index-shift":
        "the page-walk suite and four boot tests (hello, escape, registers, bad requests)",
    "gva-table-unchecked":
        "guest page walk unit suite",
    "register-count-off-by-one":
        "register requests unit suite, and `bad requests are refused` (33 registers)",
    "register-name-unchecked":
        "register requests unit suite, and `bad requests are refused`",
    "policy-drops-bsp":
        "policy unit suite (`default_keeps_the_bsp_too`)",
    "placement-any-node":
        "policy unit suite, and the two boots that print `local yes`/`no`",
    "attention-not-cleared":
        "policy unit suite (`collect_marks_the_idle`)",
    "response-vector-first":
        "**not caught**: a window of two stores, on x86, during boot",
    "convert-no-ipi":
        "all five tests: the CPU sleeps on (`did not leave the sidecar within 2 s (status 4)`)",
    "remove-no-removed":
        "all five tests, the same way",
    "convert-any-state":
        "the host suite \"remove\" (`remove_refuses_the_other_states`); no boot: linux-stub "
        "refuses those itself (`already linux-stub's`, `never started`) before it calls "
        "`sidecar_remove`",
    "park-with-interrupts":
        "**not caught**: its local APIC is off, so in QEMU no interrupt reaches it; on hardware "
        "one that does (a legacy PIC line, say) would run a sidecar handler on a CPU that has "
        "left the sidecar",
    "no-wake-starter":
        "the ICR trace shows no `FIXED 0xef` from the started AP back to its starter; nothing "
        "else fails: the starter's timer ends its wait at the deadline",
    "sleep-spins":
        "`wait_for()` (kernel/ap.c) sees a CPU that could sleep (its own IDT, its APIC on) "
        "spin, and says so: `sidecar: cpu N spun through its wait`",
    "sleep-check-interrupts-on":
        "with `race_windows` the wake IPI lands between the look and the halt and is taken "
        "there; `wait_for()` sees the starter wake at its deadline long after its CPU was up "
        "(`slept to its deadline`), and `safe_halt()` says it was called with interrupts on",
    "stop-no-ipi":
        "lab 4's runs with a timeout: the guest is never pulled out, and the STOP waits out its "
        "2 s (`did not answer STOP within 2 s`)",
    "client-wait-interrupts-on":
        "`safe_halt()` is called with interrupts on in `smp_wait()` on a node's CPU of "
        "linux-stub's (lab 5's runs there), says so, and every boot that shows that line fails; "
        "under TCG the answer is only late by a tick",
    "mailbox-posted-first":
        "the serving CPU halts until the IPI, which comes after both stores, so it never sees "
        "the new number before the work; only a CPU that is awake looking at that moment could "
        "(a window of two stores)",
    "mailbox-overwrites":
        "the host suite \"ipi\" (`post_refuses_a_mailbox_whose_work_is_not_done`); in a boot "
        "every post is joined before the next",
    "mailbox-serve-no-cli":
        "`safe_halt()` is called with interrupts on after the first piece of work, and says so: "
        "lab 5's boots with a CPU of linux-stub's in every node fail on that line",
    "split-ignored":
        "\"split=4: sidecar nodes of 4 CPUs, each with its first CPU kept\", and the numa "
        "suite's split tests",
    "take-no-forget":
        "\"a converted CPU refuses sidecar commands\": the run goes to a CPU that is "
        "linux-stub's now",
    "take-no-wait":
        "`sidecar_forget()` (linux-stub) is asked to forget a CPU that has not said REMOVED, "
        "and says so; every boot that shows that line fails (in QEMU the early INIT itself "
        "goes unnoticed)",
    "take-stops-at-first-failure":
        "\"one convert naming a CPU twice\": the second REMOVE of the same CPU is refused, and "
        "the first CPU is never started",
    "driver-no-ipi":
        "every boot: the first register command waits out its 2 s (`cpu 1 did not answer "
        "SET_VP_REGISTERS in 2000 ms`)",
    "response-no-wake":
        "every boot: nothing ends a wait but its timeout, and the hot-plug callback gives up on "
        "cpu 7",
    "hotplug-no-remove":
        "the second boot: no `its running command was stopped`, no `left the sidecar` line; "
        "Linux's INIT takes the CPU from under its running guest",
    "hotplug-no-gone":
        "the second boot: the VMM reads REMOVED as an answer (`left the sidecar during RUN_VP`, "
        "not `during its run`), and `check 2 online` gets 5 of 9",
    "poll-gone-falls-through":
        "the second boot: POLLIN, then `read` fails (`collecting RUN_VP: the CPU left the "
        "sidecar`)",
    "responses-not-counted":
        "the first boot: `status` says 0 responses where `/proc/interrupts` says 202",
    "release-no-stop":
        "the first boot: `check: cpu 3: 38 of 39` (a new file cannot have the CPU)",
    "converted-cpu-removed-again":
        "the second boot: dmesg says CPUs 5 and 7 left the sidecar twice",
    "hotplug-stop-no-ipi":
        "the second boot: `its running command was stopped (it is run)`, 2 s later",
    "remove-time-not-kept":
        "the second and third boots: `left the sidecar in 0 us`",
    "poll-timer-not-rearmed":
        "the third boot: a STOP from another process is noticed only when `run all`'s commands "
        "tick the timer again",
    "unload-keeps-responses":
        "the third boot: `No irq handler for vector` on the console",
    "timeout-never-stops":
        "the first boot: `run 1 spin timeout=300` never ends, and the boot times out",
    "run-usage-unchecked":
        "the first boot: no `error: usage: run ...`",
}
