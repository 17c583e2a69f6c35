# Sidecar OS - the build.
#
#   make run                 the complete system (built from solutions/) in QEMU
#   make test                every test: unit, boot, skeleton discrimination
#   make qemu [LAB knobs]    your tree (labs/) in QEMU;   make qemu-gdb: same, under gdb
#   make grade LAB=N         grade your lab N;            make labs: skeletons from solutions
#   make book | bench | deps | clean
#
# Knobs: SMP= NODES= MEM= (MiB) ACCEL=tcg|kvm KERNEL=<bzImage> SHIM_ARGS= RUN='cmd; cmd'
#        SOLUTION=1 (build with solutions/ instead of labs/) TIMEOUT= (seconds, with RUN)
#
# Everything built goes under build/: build/<tree>/ for the images of one
# tree of lab files (student = labs/, solution = solutions/, pristine = the
# skeleton regenerated from solutions/), build/tools/ for host programs.

SMP      ?= 4
NODES    ?= 1
MEM      ?= 512
ACCEL    ?= tcg
SOLUTION ?= 0
KERNEL   ?=
SHIM_ARGS ?=
RUN      ?=
TIMEOUT  ?= 120
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
PYTHON  := python3

# Freestanding x86-64: no libc, no red zone (interrupts would clobber it), no
# SSE (we never save its registers), frame pointers for backtraces, and code
# below 2 GiB so 32-bit absolute addresses work (-mcmodel=small, no PIE).
KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
	-ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-omit-frame-pointer -mcmodel=small -fno-builtin \
	-fno-asynchronous-unwind-tables -Iinclude
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	--build-id=none
NASMFLAGS := -f elf64 -g -F dwarf

# Host builds (unit tests, tools): the parsers are the very same files.
HCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -DHOSTED -Iinclude
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# --- sources ----------------------------------------------------------------

# Library code every image links; the first line is also built on the host.
LIB_PORTABLE := lib/fmt.c lib/diag.c lib/parse.c lib/mb2.c lib/acpi.c lib/machine.c \
	lib/e820.c lib/cmdline.c lib/physmem.c
LIB_KERNEL   := $(LIB_PORTABLE) lib/string.c lib/console.c lib/panic.c lib/timer.c \
	lib/trap.c lib/identity.c lib/trap_entry.asm

# The students' files (or the solutions, or the pristine skeleton).
LAB_SRC := $(sort $(wildcard $(LABSRC)/*/*.c) $(wildcard $(LABSRC)/*/*.asm))

SHIM_SRC := shim/entry.asm $(wildcard shim/*.c)
STUB_SRC := linux-stub/head.asm $(wildcard linux-stub/*.c)

obj = $(patsubst %,$(B)/obj/%.o,$(1))

SHIM_OBJ := $(call obj,$(SHIM_SRC) $(LIB_KERNEL) $(LAB_SRC))
STUB_OBJ := $(call obj,$(STUB_SRC) $(LIB_KERNEL) $(LAB_SRC))

SHIM_ELF := $(B)/shim.elf
STUB_ELF := $(B)/linux-stub.elf
STUB_BZ  := $(B)/linux-stub.bzImage

.PHONY: all images tools deps run qemu qemu-gdb test unit grade labs check-labs book bench \
	clean compile_commands.json
.DEFAULT_GOAL := all

all: images tools
images: $(SHIM_ELF) $(STUB_BZ)
tools: $(BT)/mklab $(BT)/mkbzimage

# --- images -----------------------------------------------------------------

$(B)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) $< -o $@

$(SHIM_ELF): $(SHIM_OBJ) shim/shim.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -T shim/shim.ld $(SHIM_OBJ) -o $@

$(STUB_ELF): $(STUB_OBJ) linux-stub/stub.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -T linux-stub/stub.ld $(STUB_OBJ) -o $@

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
	$(CC) -std=gnu11 -O2 -Wall -Wextra $< -o $@

# --- running ----------------------------------------------------------------

QEMU_ARGS = --smp $(SMP) --nodes $(NODES) --mem $(MEM) --accel $(ACCEL) \
	--shim $(SHIM_ELF) --kernel "$(if $(KERNEL),$(KERNEL),$(STUB_BZ))" \
	--shim-args "$(SHIM_ARGS)" --timeout $(TIMEOUT) $(if $(RUN),--run "$(RUN)")

qemu: images
	@$(PYTHON) tools/qemu.py $(QEMU_ARGS)

qemu-gdb: images
	@$(PYTHON) tools/qemu.py $(QEMU_ARGS) --gdb --symbols $(SHIM_ELF) $(STUB_ELF)

# The complete system, always from the solutions.
run: deps
	@$(MAKE) --no-print-directory SOLUTION=1 qemu

# --- tests and grading --------------------------------------------------------

PRISTINE := build/pristine/labs

# The untouched skeleton, regenerated from solutions/ (for the discrimination check).
$(PRISTINE): $(BT)/mklab $(wildcard solutions/*/*)
	@rm -rf $@ && mkdir -p $@
	$(BT)/mklab --tree solutions $@

unit-bin = build/$(1)/unit-tests
$(call unit-bin,$(TREE)): $(LIB_PORTABLE) $(LAB_SRC) $(wildcard tests/unit/*.c tests/unit/*.h) $(BT)/mklab
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -Itests/unit $(LIB_PORTABLE) $(LAB_SRC) \
		tests/unit/*.c -o $@ $(CHECK_LIBS)

unit: $(call unit-bin,$(TREE))
	$(call unit-bin,$(TREE))

test: deps
	@$(PYTHON) tools/test.py

grade: images $(call unit-bin,$(TREE))
	@$(PYTHON) tools/grade.py --tree $(TREE) $(if $(LAB),--lab $(LAB))

# Regenerate labs/*/ sources from solutions/*/ (handouts are kept).
labs: $(BT)/mklab
	$(BT)/mklab --tree solutions labs

check-labs: $(BT)/mklab
	$(BT)/mklab --check solutions labs

book:
	@$(PYTHON) tools/book.py --out build/book

bench: deps
	@$(PYTHON) tools/bench.py

deps:
	@sh tools/deps.sh

compile_commands.json:
	$(MAKE) clean && bear -- $(MAKE) all SOLUTION=1

clean:
	rm -rf build
