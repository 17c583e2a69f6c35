# Sidecar OS - the build.
#
#   make run                 the complete system (built from solutions/) in QEMU
#   make test                every test: unit, boot, skeleton discrimination
#   make qemu [LAB knobs]    your tree (labs/) in QEMU;   make qemu-gdb: same, under gdb
#   make grade LAB=N         grade your lab N;            make labs: skeletons from solutions
#   make book | bench | deps | clean
#
# Knobs: SMP= NODES= MEM= (MiB) ACCEL=tcg|kvm KERNEL=<bzImage> SHIM_ARGS= RUN='cmd; cmd'
#        (the text of RUN, SHIM_ARGS, LINUX_ARGS, KERNEL, CPU reaches the guest as typed)
#        CPU=<QEMU -cpu model> (e.g. qemu64,+smep,+smap: the sidecar's guests get SMEP/SMAP)
#        SOLUTION=1 (build with solutions/ instead of labs/) TIMEOUT= (seconds, with RUN)
#        SIDECAR=0 (boot without the sidecar kernel: lab 0's chain only)
#        MEMORYLESS_NODE=<n> (with NODES=: node n gets CPUs but no memory)
#        LINUX_ARGS= (lab 7: Debian's kernel command line; see the lab 7 section)
#        QUICK=1 (make bench: a short run)
#        X2APIC=1|0 (1: -cpu ...,x2apic=on on QEMU >= 9; default: only when SMP > 255)
#        QEMU=<binary> TOPOLOGY=sockets=S,cores=C,threads=T (sparse APIC IDs)
#        IOMMU=0|1 (lab 7: QEMU's Intel IOMMU with interrupt remapping; default: x2APIC shapes)
#
# Everything built goes under build/: build/<tree>/ for the images of one
# tree of lab files (student = labs/, solution = solutions/, pristine = the
# skeleton regenerated from solutions/), build/tools/ for host programs.

SMP      ?= 4
NODES    ?= 1
MEM      ?= 512
ACCEL    ?= tcg
SOLUTION ?= 0
# LAB=0 boots lab 0's chain only (GRUB -> shim -> linux-stub), without the sidecar.
SIDECAR  ?= $(if $(filter 0,$(LAB)),0,1)
KERNEL   ?=
SHIM_ARGS ?=
RUN      ?=
# Above 255 CPUs SeaBIOS alone walks the CPUs for a minute or more under TCG.
TIMEOUT  ?= $(if $(shell [ "$(SMP)" -gt 255 ] 2>/dev/null && echo big),900,120)
LAB      ?=

ifeq ($(SOLUTION),1)
TREE   ?= solution
LABSRC ?= solutions
else
TREE   ?= student
LABSRC ?= labs
endif

B  := build/$(TREE)
BT := build/tools

CC      := gcc
NASM    := nasm
LD      := ld
OBJCOPY := objcopy
# Debian's Python, where Debian's pytest and matplotlib are (tools/deps.sh),
# whatever other python3 comes first in PATH.
PYTHON  := /usr/bin/python3

# Freestanding x86-64: no libc, no red zone (interrupts would clobber it), no
# SSE (the FPU/SSE registers hold the guest's state while the sidecar runs:
# kernel/fpu.c saves them only at a VP's exit), frame pointers for backtraces, and code
# below 2 GiB so 32-bit absolute addresses work (-mcmodel=small, no PIE).
KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-omit-frame-pointer -mcmodel=small -fno-builtin \
	-fno-asynchronous-unwind-tables -Iinclude
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	--build-id=none
NASMFLAGS := -f elf64 -g -F dwarf

# Warnings are errors everywhere but in the students' own files: a lab's
# skeleton (unused parameters) or a half-written function must still build,
# with its warnings shown. The solutions build with -Werror like the rest.
LAB_WFLAGS := $(if $(filter solutions,$(LABSRC)),,-Wno-error -Wno-unused-parameter)

# Host builds (unit tests, tools): the parsers are the very same files.
HCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror $(LAB_WFLAGS) -DHOSTED -Iinclude
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# --- sources ----------------------------------------------------------------

# The library, in two halves (lib/README.md): lib/portable/ is plain C that
# also builds on the host (the unit tests, the fuzzers, sidecarctl link the
# very same files); lib/runtime/ is the x86 runtime (console, local APIC,
# timer, traps), of which each image links its own copy, with its own state.
# lib/portable/vmm_core.c, the VMM's core, is apart: it needs a guest table
# (linux-stub/guests.asm, or the unit tests' own), which the fuzzers lack.
LIB_VMM      := lib/portable/vmm_core.c
LIB_PORTABLE := $(filter-out $(LIB_VMM),$(sort $(wildcard lib/portable/*.c)))
LIB_KERNEL   := $(LIB_PORTABLE) $(LIB_VMM) $(sort $(wildcard lib/runtime/*.c lib/runtime/*.asm))

# The students' files (or the solutions, or the pristine skeleton). The C
# files go into an archive so each image takes only what it calls; the
# trampoline is assembled on its own as a flat binary.
# Lab 7 is a Linux module and a user-space tool: built by its own rules below.
LAB_C   := $(sort $(filter-out $(LABSRC)/07-%,$(wildcard $(LABSRC)/*/*.c)))
LAB_TRAMPOLINE := $(wildcard $(LABSRC)/01-*/trampoline.asm)

SHIM_SRC   := shim/entry.asm $(wildcard shim/*.c)
STUB_SRC   := linux-stub/head.asm linux-stub/irq.asm linux-stub/guests.asm \
	linux-stub/trampoline.asm $(wildcard linux-stub/*.c)
KERNEL_SRC := $(wildcard kernel/*.asm) $(wildcard kernel/*.c)

obj = $(patsubst %,$(B)/obj/%.o,$(1))

LIB_A := $(B)/lib.a
LAB_A := $(B)/lab.a
LIBS  := --start-group $(LIB_A) $(LAB_A) --end-group

SHIM_ELF   := $(B)/shim.elf
STUB_ELF   := $(B)/linux-stub.elf
STUB_BZ    := $(B)/linux-stub.bzImage
KERNEL_ELF := $(B)/sidecar.elf
KERNEL_BIN := $(B)/sidecar.bin
TRAMPOLINE := $(B)/trampoline.bin

.PHONY: all images tools deps run qemu qemu-gdb test unit unit-build grade labs check-labs book bench \
	clean compile_commands.json
.DEFAULT_GOAL := all

all: images tools
images: $(SHIM_ELF) $(STUB_BZ) $(KERNEL_BIN)
tools: $(BT)/mklab $(BT)/mkbzimage

# --- images -----------------------------------------------------------------

$(B)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) $(KWARN) -Ikernel -MMD -MP -c $< -o $@

$(call obj,$(LAB_C)): KWARN := $(LAB_WFLAGS)

$(B)/obj/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) $< -o $@

$(LIB_A): $(call obj,$(LIB_KERNEL))
	@rm -f $@
	@$(AR) rcs $@ $^

$(LAB_A): $(call obj,$(LAB_C))
	@rm -f $@
	@$(AR) rcs $@ $^

$(SHIM_ELF): $(call obj,$(SHIM_SRC)) $(LIB_A) $(LAB_A) shim/shim.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -T shim/shim.ld $(call obj,$(SHIM_SRC)) $(LIBS) -o $@

$(STUB_ELF): $(call obj,$(STUB_SRC)) $(LIB_A) $(LAB_A) linux-stub/stub.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -T linux-stub/stub.ld $(call obj,$(STUB_SRC)) $(LIBS) -o $@

# The sidecar kernel: the trampoline (a flat binary, lab 1) is carried inside
# the image (kernel/trampoline_blob.asm), which is itself flattened for the shim to copy.
$(TRAMPOLINE): $(LAB_TRAMPOLINE)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f bin $< -o $@

# Both the sidecar and linux-stub carry it (linux-stub starts its own CPUs).
$(B)/obj/kernel/trampoline_blob.asm.o $(B)/obj/linux-stub/trampoline.asm.o: $(B)/obj/%.asm.o: %.asm \
		$(TRAMPOLINE)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -DTRAMPOLINE_BIN='"$(TRAMPOLINE)"' $< -o $@

$(KERNEL_ELF): $(call obj,$(KERNEL_SRC)) $(LIB_A) $(LAB_A) kernel/kernel.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -T kernel/kernel.ld $(call obj,$(KERNEL_SRC)) $(LIBS) -o $@

$(KERNEL_BIN): $(KERNEL_ELF)
	@$(OBJCOPY) -O binary $< $@

# The VMM's guest programs (lab 4): flat binaries, carried inside linux-stub
# by linux-stub/guests.asm as kernel/trampoline_blob.asm carries the trampoline.
GUESTS     := $(basename $(notdir $(wildcard linux-stub/guests/*.asm linux-stub/guests/*.c)))
GUEST_BINS := $(patsubst %,$(B)/guests/%.bin,$(GUESTS))

$(B)/guests/%.bin: linux-stub/guests/%.asm linux-stub/guests/trap.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f bin -i linux-stub/guests/ $< -o $@

# Guests in C (linux-stub/guests/rt/guest.h): freestanding, the compiler's
# default SSE code, static, linked at the guest load address (512 GiB up:
# above the 2 GiB the small code model assumes, hence -mcmodel=large), no
# stack protector (its canary is read through FS, which a guest does not
# set up), sqrt as an instruction (-fno-math-errno: no libm).
GUEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-pic -fno-pie \
	-static -mcmodel=large -fno-stack-protector -fno-math-errno -fno-asynchronous-unwind-tables \
	-fno-builtin-memcpy -Ilinux-stub/guests/rt
GUEST_RT := linux-stub/guests/rt/runtime.c linux-stub/guests/rt/start.asm linux-stub/guests/rt/guest.ld \
	linux-stub/guests/rt/guest.h

$(B)/guests/%.bin: linux-stub/guests/%.c $(GUEST_RT)
	@mkdir -p $(dir $@)
	@echo "  GUEST   $<"
	@$(NASM) -f elf64 linux-stub/guests/rt/start.asm -o $(B)/guests/$*.start.o
	@$(CC) $(GUEST_CFLAGS) -Wl,-T,linux-stub/guests/rt/guest.ld -Wl,--build-id=none -Wl,-z,noexecstack \
		-Wl,--no-warn-rwx-segments $(B)/guests/$*.start.o $< linux-stub/guests/rt/runtime.c \
		-o $(B)/guests/$*.elf
	@$(OBJCOPY) -O binary $(B)/guests/$*.elf $@

$(B)/obj/linux-stub/guests.asm.o: linux-stub/guests.asm $(GUEST_BINS)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -DGUEST_DIR='"$(B)/guests"' $< -o $@

$(B)/linux-stub.setup: linux-stub/setup.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f bin $< -o $@

# The bzImage: setup sectors + the flat 64-bit code, with syssize and
# init_size (code + .bss, from the linker's symbols) filled in.
$(STUB_BZ): $(STUB_ELF) $(B)/linux-stub.setup $(BT)/mkbzimage
	@echo "  BZIMAGE $@"
	@$(OBJCOPY) -O binary $(STUB_ELF) $(B)/linux-stub.code
	@$(BT)/mkbzimage $(B)/linux-stub.setup $(B)/linux-stub.code \
		$$(( 0x$$(nm $(STUB_ELF) | awk '$$3 == "image_end" {print $$1}') - 0x1000000 )) $@

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# --- host tools -------------------------------------------------------------

$(BT)/%: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror $< -o $@

# --- running ----------------------------------------------------------------

# The free-text knobs (RUN, SHIM_ARGS, LINUX_ARGS, KERNEL, CPU, QEMU, TOPOLOGY; TEST and
# SUBMISSION below) never pass through a shell line, nor through make's own
# expansion: their text as typed ($(value ...)) goes to the tools in the
# environment (SIDECAR_RUN, ...; tools/qemu.py --from-env), so quotes, $,
# backquotes and semicolons reach the guest as they are and nothing of them
# runs on the host. make would also export a command-line variable to every
# recipe by expanding it - running a $(shell ...) in it - so it must not.
FREE_TEXT := RUN SHIM_ARGS LINUX_ARGS KERNEL CPU QEMU TOPOLOGY TEST SUBMISSION
$(foreach v,$(FREE_TEXT),$(if $(filter command line,$(origin $(v))),$(eval unexport $(v))))
qemu qemu-gdb qemu-linux: export SIDECAR_RUN = $(value RUN)
qemu qemu-gdb qemu-linux: export SIDECAR_SHIM_ARGS = $(value SHIM_ARGS)
qemu qemu-gdb: export SIDECAR_KERNEL = $(value KERNEL)
qemu qemu-gdb qemu-linux: export SIDECAR_CPU = $(value CPU)
qemu qemu-gdb qemu-linux: export SIDECAR_QEMU = $(value QEMU)
qemu qemu-gdb: export SIDECAR_TOPOLOGY = $(value TOPOLOGY)
qemu-linux: export SIDECAR_KERNEL_ARGS = $(value LINUX_ARGS)

QEMU_ARGS = --smp $(SMP) --nodes $(NODES) --mem $(MEM) --accel $(ACCEL) \
	$(if $(MEMORYLESS_NODE),--memoryless-node $(MEMORYLESS_NODE)) \
	--shim $(SHIM_ELF) $(if $(filter 1,$(SIDECAR)),--sidecar $(KERNEL_BIN)) --kernel $(STUB_BZ) \
	--timeout $(TIMEOUT) --from-env \
	$(if $(filter 1,$(X2APIC)),--x2apic on,$(if $(filter 0,$(X2APIC)),--x2apic off))

# QEMU 10 from Debian's bookworm-backports, unpacked into build/qemu10 (never
# installed): x2APIC under TCG, more than 255 CPUs (tools/fetch-qemu.sh).
# The script returns at once when it is there.
NEED_QEMU10 = $(if $(QEMU),,$(if $(filter 1,$(X2APIC))$(shell [ "$(SMP)" -gt 255 ] 2>/dev/null && echo y),qemu10))
.PHONY: qemu10
qemu10:
	@sh tools/fetch-qemu.sh build/qemu10

qemu: images $(NEED_QEMU10)
	@$(PYTHON) tools/qemu.py $(QEMU_ARGS)

qemu-gdb: images $(NEED_QEMU10)
	@$(PYTHON) tools/qemu.py $(QEMU_ARGS) --gdb --symbols $(SHIM_ELF) $(KERNEL_ELF) $(STUB_ELF)

# The complete system, always from the solutions: Debian's kernel beside the
# sidecar (lab 7, at the end of this file). `make qemu SOLUTION=1` boots
# linux-stub instead.
run: deps
	@$(MAKE) --no-print-directory SOLUTION=1 qemu-linux

# --- tests and grading --------------------------------------------------------

PRISTINE := build/pristine/labs

# The untouched skeleton, regenerated from solutions/ (for the discrimination check).
$(PRISTINE): $(BT)/mklab $(wildcard solutions/*/*)
	@rm -rf $@ && mkdir -p $@
	$(BT)/mklab --tree solutions $@

# Host unit tests link the portable library and the lab files that run on
# the host (lab 0's parsers, lab 4's decoder, page walk and register copy);
# the others need the hardware.
LAB_HOST := $(wildcard $(LABSRC)/00-*/*.c) \
	$(wildcard $(LABSRC)/03-*/*.c) \
	$(wildcard $(LABSRC)/04-*/*.c) $(wildcard $(LABSRC)/05-*/*.c) $(LABSRC)/06-convert/convert.c
unit-bin = build/$(1)/unit-tests
$(call unit-bin,$(TREE)): $(LIB_PORTABLE) $(LAB_HOST) kernel/vp_regs.c $(wildcard tests/unit/*.c tests/unit/*.h) $(BT)/mklab \
		$(LIB_VMM) include/vmm_core.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) $(HCFLAGS) -Itests/unit -Ikernel -Ilinux-stub $(LIB_PORTABLE) $(LAB_HOST) kernel/vp_regs.c \
		$(LIB_VMM) tests/unit/*.c -o $@ $(CHECK_LIBS)

unit-build: $(call unit-bin,$(TREE))

unit: unit-build
	$(call unit-bin,$(TREE))

test: deps
	@$(PYTHON) tools/test.py

# Lab 7's tests boot Debian's kernel: build it (and fetch it) only for them.
# RESULTS=: where Gradescope's results.json goes; EXTRA_TESTS=: hidden tests
# (files written like tests/lab_tests.py). Book chapter 11 has the details.
RESULTS ?= build/grade/results.json
EXTRA_TESTS ?=
# TEST=<words>: only the tests whose names hold all the words (any case).
grade: export SIDECAR_TEST = $(value TEST)
grade: images unit-build qemu10 $(if $(filter-out 7,$(LAB)),,linux)
	@$(PYTHON) tools/grade.py --tree $(TREE) $(if $(LAB),--lab $(LAB)) --results $(RESULTS) \
		$(foreach f,$(EXTRA_TESTS),--extra-tests $(f))

# Regenerate labs/*/ sources from solutions/*/ (handouts are kept).
labs: $(BT)/mklab
	$(BT)/mklab --tree solutions labs

check-labs: $(BT)/mklab
	$(BT)/mklab --check solutions labs

book:
	@$(PYTHON) tools/book.py --out build/book

# --- the instructor's kit (book/10-instructors.md) ---------------------------
#
#   make grade-submission SUBMISSION=<labs dir, tree, .tar.gz or .zip> [LAB=N]
#        [EXTRA_TESTS=<hidden tests file>] [RESULTS=<results.json>]
#        the student's lab files only, built and graded in a pristine tree
#   make student-release [SOLVED=0,4]   build/sidecar-os-student.tar.gz: HEAD without
#                           solutions/ (the SOLVED labs handed out done)
#   make gradescope [LAB=N] [EXTRA_TESTS=file]   build/gradescope-autograder.zip
#   make mutants [LAB=N]    which tests catch which deliberately broken solution

.PHONY: grade-submission student-release gradescope mutants
grade-submission: export SIDECAR_SUBMISSION = $(value SUBMISSION)
grade-submission: tools qemu10
	@test -n "$$SIDECAR_SUBMISSION" || { echo "usage: make grade-submission SUBMISSION=<labs dir or archive>"; exit 2; }
	@$(PYTHON) tools/grade-submission.py "$$SIDECAR_SUBMISSION" $(if $(LAB),--lab $(LAB)) \
		$(foreach f,$(EXTRA_TESTS),--extra-tests $(f)) \
		$(if $(filter command line,$(origin RESULTS)),--results $(RESULTS))

student-release:
	@sh tools/student-release.sh build/sidecar-os-student.tar.gz "$(SOLVED)"

# Gradescope's autograder zip: the student release (the graders and tests,
# no solutions), setup.sh and run_autograder, LAB= (graded lab, or all) and
# EXTRA_TESTS= (hidden tests, copied into hidden/).
gradescope: student-release
	@rm -rf build/gradescope && mkdir -p build/gradescope
	@tar -xzf build/sidecar-os-student.tar.gz -C build/gradescope --strip-components=1
	@cp tools/gradescope/setup.sh tools/gradescope/run_autograder build/gradescope/
	@$(if $(LAB),echo $(LAB) > build/gradescope/LAB)
	@$(if $(EXTRA_TESTS),mkdir -p build/gradescope/hidden && cp $(EXTRA_TESTS) build/gradescope/hidden/)
	@rm -f build/gradescope-autograder.zip
	@cd build/gradescope && $(PYTHON) -c 'import os, zipfile; z = zipfile.ZipFile("../gradescope-autograder.zip", "w", zipfile.ZIP_DEFLATED); [z.write(os.path.join(d, f)) for d, _, fs in os.walk(".") for f in fs]; z.close()'
	@echo "gradescope: build/gradescope-autograder.zip (lab $(or $(LAB),all)$(if $(EXTRA_TESTS),; hidden tests: $(EXTRA_TESTS)))"

mutants: tools
	@$(PYTHON) tools/mutants.py $(if $(LAB),--lab $(LAB))

# A student release has no solutions/: the targets that need them say so.
NEED_SOLUTIONS := run test labs check-labs bench mutants student-release gradescope
ifeq ($(wildcard solutions),)
ifneq ($(filter $(NEED_SOLUTIONS),$(MAKECMDGOALS))$(filter 1,$(SOLUTION)),)
$(error not in the student release: $(or $(filter $(NEED_SOLUTIONS),$(MAKECMDGOALS)),SOLUTION=1) \
	needs solutions/, which only the instructor's tree has (make qemu, make qemu-linux and \
	make grade work on your labs/))
endif
endif

# QUICK=1: a short run (CI); SMP= NODES= on the command line: one machine shape.
bench: deps
	@$(PYTHON) tools/bench.py $(if $(filter 1,$(QUICK)),--quick) \
		$(if $(filter command line,$(origin SMP)),--smp $(SMP)) \
		$(if $(filter command line,$(origin NODES)),--nodes $(NODES))

deps:
	@sh tools/deps.sh
	@sh tools/fetch-qemu.sh build/qemu10

compile_commands.json:
	$(MAKE) clean && bear -- $(MAKE) all SOLUTION=1

clean:
	rm -rf build

# --- fuzzing, sanitizers, lint (README "Hardening") ----------------------------
#
#   make fuzz [FUZZ_SECONDS=60]   every libFuzzer harness in tests/fuzz/, in turn
#   make unit-asan                the unit tests under AddressSanitizer and UBSan
#   make protocol-tsan            the command protocol between threads, under TSan
#   make lint                     cppcheck, with tests/lint/cppcheck.supp
#
# The harnesses and the thread test link the solutions' lab files (a student
# can fuzz their own: FUZZSRC=labs). tools/fuzz.py runs each harness from
# its committed seeds (tests/fuzz/corpus/<harness>/, from QEMU's real tables:
# tools/fuzz_seeds.py) and reports executions; a crash fails it.

FUZZ_SECONDS ?= 60
FUZZSRC      ?= $(if $(wildcard solutions),solutions,labs)
FUZZERS      := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FZ           := build/fuzz
SAN_CFLAGS   := -std=gnu11 -O1 -g -Wall -Wextra -Werror -DHOSTED -Iinclude -Ikernel -Itests/host \
	-fno-omit-frame-pointer
# What the command protocol needs on the host (tests/host/sidecar_host.h).
PROTOCOL_SRC := kernel/command.c kernel/vp_regs.c tests/host/sidecar_host.c $(FUZZSRC)/03-ipi/ipi.c \
	$(FUZZSRC)/03-ipi/wake.c \
	$(FUZZSRC)/05-numa/attention.c $(FUZZSRC)/06-convert/convert.c
FUZZ_SRC     := $(LIB_PORTABLE) $(wildcard $(FUZZSRC)/00-*/*.c $(FUZZSRC)/04-*/*.c) \
	tests/unit/lab_host.c $(PROTOCOL_SRC)

$(FZ)/%: tests/fuzz/%.c $(FUZZ_SRC) $(wildcard include/*.h kernel/*.h tests/host/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(SAN_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$< $(FUZZ_SRC) -o $@

.PHONY: fuzz fuzz-build unit-asan protocol-tsan lint
fuzz-build: $(patsubst %,$(FZ)/%,$(FUZZERS))

fuzz: fuzz-build
	@$(PYTHON) tools/fuzz.py --seconds $(FUZZ_SECONDS) $(FUZZERS)

# The command protocol between threads (tests/host/protocol_threads.c).
PROTOCOL_ROUNDS ?= 10000
$(FZ)/protocol-tsan: tests/host/protocol_threads.c $(PROTOCOL_SRC) lib/portable/fmt.c lib/portable/diag.c \
		$(FUZZSRC)/04-command/registers.c $(FUZZSRC)/04-command/gva.c \
		$(wildcard include/*.h kernel/*.h tests/host/*.h)
	@mkdir -p $(dir $@)
	@echo "  TSANCC  $@"
	@clang $(SAN_CFLAGS) -fsanitize=thread $(filter %.c,$^) tests/unit/lab_host.c -o $@ -lpthread

protocol-tsan: $(FZ)/protocol-tsan
	TSAN_OPTIONS=halt_on_error=1 $(FZ)/protocol-tsan $(PROTOCOL_ROUNDS)

# The unit tests again, under AddressSanitizer and UBSan (any report fails).
$(FZ)/unit-asan: $(LIB_PORTABLE) kernel/vp_regs.c $(wildcard $(FUZZSRC)/00-*/*.c $(FUZZSRC)/03-*/*.c $(FUZZSRC)/04-*/*.c $(FUZZSRC)/05-*/*.c) \
		$(FUZZSRC)/06-convert/convert.c \
		$(wildcard tests/unit/*.c tests/unit/*.h include/*.h) $(LIB_VMM)
	@mkdir -p $(dir $@)
	@echo "  ASANCC  $@"
	@$(CC) $(SAN_CFLAGS) -Itests/unit -Ilinux-stub -fsanitize=address,undefined -fno-sanitize-recover=all \
		$(filter %.c,$^) -o $@ $(CHECK_LIBS)

unit-asan: $(FZ)/unit-asan
	ASAN_OPTIONS=detect_leaks=0 $(FZ)/unit-asan

# cppcheck over every C file we build (lab 7's driver needs Linux's headers:
# it is checked by Kbuild). Every suppression says why in the list.
LINT_SRC := lib kernel shim linux-stub/*.c $(wildcard solutions/0[0-6]-*) \
	$(wildcard solutions/07-linux/sidecarctl.c) tools/*.c tests/unit tests/fuzz tests/host
lint:
	@echo "  CPPCHECK (suppressions: tests/lint/cppcheck.supp)"
	@cppcheck --quiet --enable=warning,style,performance,portability --std=c11 \
		-DHOSTED -D__x86_64__ -Iinclude -Ikernel -Ilinux-stub -Ishim -Isolutions/07-linux \
		--suppressions-list=tests/lint/cppcheck.supp --error-exitcode=1 \
		--template='{file}:{line}: {severity} ({id}): {message}' $(LINT_SRC)

# --- lab 7: real Linux ----------------------------------------------------------
#
#   make run [RUN='cmd; cmd']   Debian's kernel, the driver and sidecarctl (solutions/)
#   make qemu-linux [RUN=...]   the same with your tree (labs/07-linux)
#   make linux                  only build: fetch the kernel, the module, the tool, the initrd
#
# Debian's kernel (whatever linux-image-amd64 depends on today) is fetched
# into build/linux by tools/linux/fetch-kernel.sh, which also installs the
# matching linux-headers for Kbuild. The driver and the tool are built per
# tree into $(B)/linux and packed with busybox into an initrd whose /init
# (tools/linux/init) runs RUN's shell commands and leaves QEMU with success
# only if all of them succeeded. Linux gets a bigger machine by default.

LINUX_DIR    := build/linux
LINUX_STAMP  := $(LINUX_DIR)/version
LB           := $(B)/linux
LAB7         := $(LABSRC)/07-linux
LINUX_MODULE := $(LB)/module/sidecar.ko
LINUX_TOOL   := $(LB)/sidecarctl
LINUX_INITRD := $(LB)/initrd.gz
# maxcpus=1: Linux starts no CPU but its BSP (the sidecar holds the others;
# /init starts the ones the policy kept for Linux). panic=-1: a panic
# reboots, which ends QEMU (-no-reboot) at once instead of at TIMEOUT.
LINUX_ARGS   ?= console=ttyS0 maxcpus=1 panic=-1 quiet
LINUX_SMP    := $(if $(filter file,$(origin SMP)),8,$(SMP))
LINUX_NODES  := $(if $(filter file,$(origin NODES)),2,$(NODES))
LINUX_MEM    := $(if $(filter file,$(origin MEM)),1024,$(MEM))
# Linux keeps x2APIC mode (which APIC IDs above 255 need) only with
# interrupt remapping: "x2apic: IRQ remapping doesn't support X2APIC mode",
# then "x2apic disabled", and CPUs above 255 are "bad cpu". So x2APIC shapes
# get QEMU's Intel IOMMU with intremap=on,eim=on (IOMMU=0: not; IOMMU=1: always).
LINUX_IOMMU = $(if $(filter 0,$(IOMMU)),,$(if $(filter 1,$(IOMMU) $(X2APIC))$(shell \
	[ "$(LINUX_SMP)" -gt 255 ] 2>/dev/null && echo y),--iommu))
# A static tool: musl (Debian's musl-tools) makes it small; glibc works too.
TOOL_CC      := $(if $(shell command -v musl-gcc),musl-gcc,$(CC))
TOOL_SRC     := $(LAB7)/sidecarctl.c $(LIB_VMM) lib/portable/cmdline.c lib/portable/diag.c lib/portable/fmt.c \
	lib/portable/parse.c lib/portable/trap_names.c

.PHONY: linux qemu-linux FORCE
FORCE:

linux: $(LINUX_STAMP) $(LINUX_INITRD)

# Asks apt which kernel is current every time; the stamp changes only with it.
$(LINUX_STAMP): FORCE
	@sh tools/linux/fetch-kernel.sh $(LINUX_DIR)

# Kbuild builds in a copy of the sources (it writes its files next to them),
# and must not see our command-line variables. Debian's headers have no
# vmlinux to take BTF type information from: skip that step.
$(LINUX_MODULE): $(LAB7)/sidecar_drv.c $(LAB7)/sidecar_ioctl.h tools/linux/Kbuild include/sidecar.h \
		include/sidecar_protocol.h \
		tools/linux/kinclude/stdint.h $(LINUX_STAMP)
	@mkdir -p $(dir $@)
	@cp $(LAB7)/sidecar_drv.c $(LAB7)/sidecar_ioctl.h tools/linux/Kbuild $(dir $@)
	@echo "  KBUILD  $@"
	@unset MAKEFLAGS MAKEOVERRIDES MFLAGS; $(MAKE) -s -C /lib/modules/$$(cat $(LINUX_STAMP))/build \
		M=$(abspath $(dir $@)) SIDECAR_ROOT=$(CURDIR) CONFIG_DEBUG_INFO_BTF_MODULES= modules

$(LINUX_TOOL): $(TOOL_SRC) $(LAB7)/sidecar_ioctl.h include/sidecar.h include/vmm_core.h \
		$(B)/obj/linux-stub/guests.asm.o
	@mkdir -p $(dir $@)
	@echo "  TOOL    $@ ($(TOOL_CC) -static)"
	@$(TOOL_CC) -static -no-pie -std=gnu11 -O2 -Wall -Wextra -Werror $(LAB_WFLAGS) -DHOSTED -Iinclude -Ilinux-stub \
		-I$(LAB7) $(TOOL_SRC) $(B)/obj/linux-stub/guests.asm.o -Wl,-z,noexecstack -o $@

$(LINUX_INITRD): tools/linux/mkinitrd.sh tools/linux/init tools/linux/cpuhp-times tools/linux/cpu-on-off \
		$(LINUX_MODULE) $(LINUX_TOOL)
	@sh tools/linux/mkinitrd.sh $@ $(LINUX_MODULE) $(LINUX_TOOL)

qemu-linux: $(SHIM_ELF) $(KERNEL_BIN) $(LINUX_STAMP) $(LINUX_INITRD) $(NEED_QEMU10)
	@$(PYTHON) tools/qemu.py --smp $(LINUX_SMP) --nodes $(LINUX_NODES) --mem $(LINUX_MEM) \
		--accel $(ACCEL) $(if $(MEMORYLESS_NODE),--memoryless-node $(MEMORYLESS_NODE)) \
		--shim $(SHIM_ELF) $(if $(filter 1,$(SIDECAR)),--sidecar $(KERNEL_BIN)) \
		--kernel $(LINUX_DIR)/vmlinuz --initrd $(LINUX_INITRD) \
		--timeout $(TIMEOUT) --run-param sidecar.run --from-env $(LINUX_IOMMU) \
		$(if $(filter 1,$(X2APIC)),--x2apic on,$(if $(filter 0,$(X2APIC)),--x2apic off))
