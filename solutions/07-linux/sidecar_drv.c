// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 7 - Linux's sidecar driver: /dev/sidecar.
 *
 * Runs in Linux, a kernel module: its load on any CPU, the response interrupt
 * in hard-IRQ context, the ioctls and poll in a process, the hot-plug callback
 * under the CPU hot-plug lock.
 *
 * In labs 0-6 linux-stub was the sidecar's client. Here the client is a
 * module in a stock Debian kernel, booted by the same shim with maxcpus=1,
 * so Linux starts none of the CPUs the sidecar holds. It runs on Linux's
 * CPUs, in three places: the VMM's system calls (ioctl, mmap, poll, read),
 * the response interrupt, and Linux's CPU hot-plug. It does what
 * linux-stub/sidecar_client.c does, the way OpenHCL's driver does it
 * (microsoft/OHCL-Linux-Kernel, drivers/hv/mshv_vtl_sidecar.c):
 *
 *   find the pages: the shim appended "sidecar=<physical address>" to
 *     Linux's command line; /init hands it to us as a module parameter
 *     (insmod sidecar.ko sidecar=0x...); memremap(MEMREMAP_WB) them (e820
 *     calls them reserved: they are not Linux's RAM) and check everything;
 *   keep each VP's guest memory: physically contiguous pages (at most
 *     SIDECAR_VP_MEMORY_MAX; the sidecar maps them wherever they are, while
 *     a command runs), described to the sidecar by the driver alone;
 *   a response interrupt: a real Linux IRQ, allocated in a small IRQ domain
 *     whose parent is x86's vector domain, so Linux picks a free vector on
 *     one of its CPUs; its vector and that CPU's APIC ID go into every
 *     control page's response fields. The sidecar's response IPI is then an
 *     ordinary interrupt: /proc/interrupts counts it, and its handler wakes
 *     the wait queue every waiter sleeps on. If no IRQ can be had the driver
 *     says so once and polls (a timer wakes the queue every jiffy);
 *   zero copy, asynchronous: one open file is one VP. The VMM mmaps the
 *     CPU's command page and its guest memory, writes a request there,
 *     START sets the command off and returns, poll() says when it is done,
 *     read() collects it. Which command a CPU runs is claimed with one
 *     compare-and-swap on the driver's own state (FREE -> BUSY), as
 *     OpenHCL's vp_state is: no lock is held while a VP runs;
 *   safe onlining: a CPU hot-plug callback, run by Linux before it starts a
 *     CPU, takes the CPU from the sidecar (stop, REMOVE, wait for REMOVED)
 *     or refuses, so echo 1 > /sys/devices/system/cpu/cpuN/online never
 *     sends INIT to a CPU the sidecar is still running.
 *
 * Every move of a CPU's cpu_status is a function of include/sidecar_protocol.h.
 *
 * Implement: sidecar_response(), sidecar_irq_setup(), sidecar_start(),
 *   sidecar_poll() and sidecar_cpu_prepare().
 * Tests: make grade LAB=7 (make run RUN='sidecarctl run all hello;
 *   grep sidecar /proc/interrupts; echo 1 > /sys/devices/system/cpu/cpu5/online').
 */
#include <linux/acpi.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/apic.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <asm/smp.h>

#include "sidecar_ioctl.h"
#include "sidecar_protocol.h"

#define STOP_TIMEOUT_MS 2000   /* a STOP gets 2 s to end a running command */
#define REMOVE_TIMEOUT_MS 2000 /* a REMOVE gets 2 s to reach REMOVED */

static unsigned long output_pa;
module_param_named(sidecar, output_pa, ulong, 0444);
MODULE_PARM_DESC(sidecar, "physical address of the sidecar's output page (the kernel's sidecar=)");
static bool use_irq = true;
module_param_named(irq, use_irq, bool, 0444);
MODULE_PARM_DESC(irq, "take responses by interrupt (default); 0: poll for them");

/*
 * The driver's claim on a sidecar CPU, changed only by compare-and-swap
 * (OpenHCL's vp_state: AVAIL, ASYNC, REMOVED):
 *   FREE -> BUSY   START, by the one file that selected the CPU
 *   BUSY -> FREE   read() collects a finished command
 *   any  -> GONE   the hot-plug callback; from then on the CPU is Linux's
 */
enum vp_state { VP_FREE, VP_BUSY, VP_GONE };

/* One CPU of the machine, in MADT order. */
struct sidecar_cpu {
	u32 index, apic_id, node;
	u32 linux_cpu;       /* SIDECAR_IOC_NO_LINUX_CPU: Linux does not know it */
	bool sidecar;        /* the rest only for sidecar CPUs: */
	u8 vector;           /* the node's request vector, checked */
	u32 *status;         /* &control->cpu_status[slot] */
	struct sidecar_command_page *page;
	phys_addr_t page_pa;
	atomic_t vp;         /* enum vp_state */
	struct file *owner;  /* the file that selected it (cmpxchg), or NULL */
	struct page *memory; /* the VP's guest memory and the sidecar's scratch: */
	struct page *scratch; /* allocated at the first SELECT, kept until unload */
	u32 remove_us;       /* how long the hot-plug callback took */
};

static struct sidecar_cpu cpus[SIDECAR_MAX_CPUS];
static u32 ncpus;
static struct sidecar_output *output;
static struct {
	struct sidecar_control *control;
	void *command_pages;
	phys_addr_t command_pa;
} nodes[SIDECAR_MAX_NODES];
static u32 node_count, started, failed;
static DEFINE_MUTEX(memory_lock); /* SELECT's allocation of guest memory */

/* Everyone who waits for a sidecar CPU sleeps here; the response interrupt
 * (or, polling, the timer) wakes them all and each looks at its own CPU. */
static DECLARE_WAIT_QUEUE_HEAD(sidecar_wq);
static int response_irq;        /* Linux's IRQ number; 0: we poll */
static u32 response_vector, response_apic;
static atomic64_t responses;
static struct timer_list poll_timer;
static int hotplug_state = -1;

/* ---- the protocol ----------------------------------------------------------- */

/*
 * The request IPI: fixed delivery mode, physical destination mode, the APIC
 * ID in the destination field (SDM vol. 3A 10.6.1, the ICR). Linux drives a
 * small xAPIC machine in logical flat mode, where the sidecar CPUs have no
 * logical ID, so its own send_IPI functions could not reach them.
 */
static void sidecar_send_ipi(const struct sidecar_cpu *c)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->wait_icr_idle();
	apic->icr_write(APIC_DEST_PHYSICAL | APIC_DM_FIXED | c->vector, c->apic_id);
	local_irq_restore(flags);
}

static u32 cpu_status(const struct sidecar_cpu *c)
{
	return sidecar_proto_status(c->status);
}

static bool status_in(u32 s, u32 want)
{
	return s < 32 && (BIT(s) & want);
}

/* Polling (no response interrupt): wake the queue every jiffy while a
 * command is outstanding. */
static void poll_tick(struct timer_list *unused)
{
	u32 i;

	wake_up_all(&sidecar_wq);
	for (i = 0; i < ncpus; i++)
		if (atomic_read(&cpus[i].vp) == VP_BUSY) {
			mod_timer(&poll_timer, jiffies + 1);
			return;
		}
}

static void poll_soon(void)
{
	if (!response_irq && !timer_pending(&poll_timer))
		mod_timer(&poll_timer, jiffies + 1);
}

/* Wait until the status is one of want (a mask of BIT(status)) or the
 * timeout passes; return the status seen last. Asleep on the wait queue:
 * the response interrupt ends the sleep, or, polling, each jiffy does. */
static u32 sidecar_wait(const struct sidecar_cpu *c, u32 want, unsigned int ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);

	for (;;) {
		u32 s = cpu_status(c);
		long left = (long)(deadline - jiffies);

		if (status_in(s, want) || left <= 0)
			return s;
		wait_event_timeout(sidecar_wq, status_in(cpu_status(c), want),
				   response_irq ? left : 1);
	}
}

/*
 * The response interrupt: some sidecar CPU finished a command (or parked)
 * and sent us the vector of our IRQ. Which one does not matter here: clear
 * each node's needs_attention (lab 5's rule: before anyone looks, so a CPU
 * finishing meanwhile raises it again) and wake every waiter; each checks
 * its own CPU's status. The vector is ours alone, so it is always handled.
 */
static irqreturn_t sidecar_response(int irq, void *unused)
{
	// BEGIN LAB 7: let every waiter see the answers that came, missing none that comes meanwhile
	u32 n;

	atomic64_inc(&responses);
	for (n = 0; n < node_count; n++)
		if (nodes[n].control)
			sidecar_proto_take_attention(nodes[n].control);
	wake_up_all(&sidecar_wq);
	return IRQ_HANDLED;
	//> return IRQ_NONE;
	// END LAB 7
}

/* ---- the response IRQ -------------------------------------------------------- */

/*
 * Our IRQ domain: one interrupt, a child of x86's vector domain
 * (arch/x86/kernel/apic/vector.c), as the IOAPIC's and MSI's domains are.
 * The parent chooses a vector on the CPU we ask for and acknowledges it
 * (EOI to the local APIC); our chip only passes that on. It has no
 * irq_set_affinity: the sidecar CPUs were told one vector and one APIC ID,
 * so the interrupt must never move (writing /proc/irq/N/smp_affinity fails).
 */
static struct irq_chip sidecar_irq_chip = {
	.name = "sidecar",
	.irq_ack = irq_chip_ack_parent,
	.irq_retrigger = irq_chip_retrigger_hierarchy,
};

static int sidecar_domain_alloc(struct irq_domain *d, unsigned int virq, unsigned int nr,
				void *arg)
{
	int r = irq_domain_alloc_irqs_parent(d, virq, nr, arg);

	if (r)
		return r;
	/* An IPI is an edge: handle_edge_irq acks (EOIs) it, then runs us. */
	irq_domain_set_info(d, virq, 0, &sidecar_irq_chip, NULL, handle_edge_irq, NULL, "edge");
	return 0;
}

static const struct irq_domain_ops sidecar_domain_ops = {
	.alloc = sidecar_domain_alloc,
	.free = irq_domain_free_irqs_common,
};

static struct fwnode_handle *sidecar_fwnode;
static struct irq_domain *sidecar_domain;

static void sidecar_irq_free(void)
{
	if (response_irq > 0) {
		free_irq(response_irq, NULL);
		irq_dispose_mapping(response_irq);
	}
	if (sidecar_domain)
		irq_domain_remove(sidecar_domain);
	if (sidecar_fwnode)
		irq_domain_free_fwnode(sidecar_fwnode);
	response_irq = 0;
	sidecar_domain = NULL;
	sidecar_fwnode = NULL;
}

/*
 * Allocate the IRQ on Linux's boot CPU (x86 never takes CPU 0 offline, so
 * the interrupt never has to move), request it, and read back where it
 * landed: irqd_cfg() gives the vector; the APIC ID is that CPU's physical
 * one, cpu_physical_id(), because the sidecar sends in physical destination
 * mode (irqd_cfg's dest_apicid is in Linux's own mode, logical on a small
 * xAPIC machine). Returns 0 or a negative error; the caller falls back.
 */
static int sidecar_irq_setup(void)
{
	// BEGIN LAB 7: an IRQ on CPU 0 whose vector the sidecar may send: 0 and the vector, or why not
	struct irq_affinity_desc affinity = {};
	struct irq_alloc_info info = {};
	unsigned int target = cpumask_first(cpu_online_mask);
	struct irq_data *d;
	int irq, r;

	sidecar_fwnode = irq_domain_alloc_named_fwnode("sidecar");
	if (!sidecar_fwnode)
		return -ENOMEM;
	sidecar_domain = irq_domain_create_hierarchy(x86_vector_domain, 0, 1, sidecar_fwnode,
						     &sidecar_domain_ops, NULL);
	if (!sidecar_domain)
		return -ENOMEM;
	cpumask_copy(&affinity.mask, cpumask_of(target));
	info.mask = cpumask_of(target); /* the vector domain allocates on this CPU */
	irq = __irq_domain_alloc_irqs(sidecar_domain, -1, 1, cpu_to_node(target), &info, false,
				      &affinity);
	if (irq <= 0)
		return irq < 0 ? irq : -ENOSPC;
	r = request_irq(irq, sidecar_response, IRQF_NOBALANCING, "sidecar", NULL);
	if (r) {
		irq_dispose_mapping(irq);
		return r;
	}
	response_irq = irq;
	/* request_irq() activated it: now the vector is final. */
	d = irq_get_irq_data(irq);
	if (!d || !irqd_cfg(d))
		return -ENXIO;
	response_vector = irqd_cfg(d)->vector;
	response_apic = cpu_physical_id(cpumask_first(irq_data_get_effective_affinity_mask(d)));
	return 0;
	//> (void)sidecar_response; /* request_irq(..., sidecar_response, ...) */
	//> return -ENOSYS;
	// END LAB 7
}

/* Tell every node where to send its responses (vector 0: nowhere). */
static void sidecar_serve_nodes(u32 apic_id, u32 vector)
{
	u32 n;

	for (n = 0; n < node_count; n++)
		if (nodes[n].control)
			sidecar_proto_serve(nodes[n].control, apic_id, vector);
}

static void sidecar_responses_on(void)
{
	int r;

	if (!use_irq) {
		pr_warn("sidecar: irq=0: polling for completion every jiffy, no response "
			"interrupt\n");
		return;
	}
	r = sidecar_irq_setup();
	if (r) {
		sidecar_irq_free();
		pr_warn("sidecar: no response interrupt (error %d): polling for completion every "
			"jiffy instead\n", r);
		return;
	}
	sidecar_serve_nodes(response_apic, response_vector);
	pr_info("sidecar: responses arrive on irq %d, vector 0x%x, cpu apic %u\n", response_irq,
		response_vector, response_apic);
}

/* ---- one command: START, poll, read, STOP ------------------------------------- */

/*
 * Start the command the VMM asked for on c: claim the CPU (FREE -> BUSY;
 * -EBUSY, the page untouched, if a command is outstanding), fill in what
 * only the driver may say (the command, the guest memory), IDLE -> RUN and
 * the request IPI. Returns at once; the answer comes by poll() and read().
 */
static int sidecar_start(struct sidecar_cpu *c, const struct sidecar_ioc_start *s)
{
	// BEGIN LAB 7: start the command on a CPU only this file holds, or refuse with the errno due
	struct sidecar_command_page *page = c->page;
	int was = atomic_cmpxchg(&c->vp, VP_FREE, VP_BUSY);

	if (was != VP_FREE)
		return was == VP_GONE ? -ENODEV : -EBUSY;
	/* The CPU is IDLE (a command is collected only once it is): it does not
	 * read the page now, so these plain writes are ordered by the release
	 * of the status move below. */
	WRITE_ONCE(page->command, s->command);
	WRITE_ONCE(page->error, 0);
	page->memory = (struct sidecar_vp_memory){
		.base = page_to_phys(c->memory),
		.size = SIDECAR_IOC_GUEST_BYTES,
		.page_table = s->page_table,
		.scratch = page_to_phys(c->scratch),
		.scratch_pages = SIDECAR_IOC_SCRATCH_PAGES,
	};
	if (!sidecar_proto_start(c->status)) {
		/* Not IDLE: FAILED, or the hot-plug callback got there first. */
		atomic_cmpxchg(&c->vp, VP_BUSY, VP_FREE);
		return -ENODEV;
	}
	sidecar_send_ipi(c);
	poll_soon();
	return 0;
	//> (void)poll_soon; /* polling: the timer must run while a command is out */
	//> pr_err("sidecar: lab 7: %s() is not implemented yet\n", __func__);
	//> return -ENOSYS;
	// END LAB 7
}

/* Nothing more to wait for on c: its command finished, or it left. */
static bool sidecar_settled(const struct sidecar_cpu *c)
{
	return atomic_read(&c->vp) != VP_BUSY || sidecar_proto_finished(cpu_status(c));
}

/*
 * poll(): POLLIN when the command started on this file's CPU has finished
 * (read() collects it), POLLHUP once the CPU has left the sidecar, nothing
 * while it runs. poll_wait() puts the caller on the queue the response
 * interrupt wakes.
 */
static __poll_t sidecar_poll(struct file *f, poll_table *wait)
{
	// BEGIN LAB 7: say whether the file's command has finished, or its CPU has left
	struct sidecar_cpu *c = f->private_data;

	if (!c)
		return EPOLLERR;
	poll_wait(f, &sidecar_wq, wait);
	switch (atomic_read(&c->vp)) {
	case VP_GONE:
		return EPOLLHUP;
	case VP_BUSY:
		return sidecar_proto_finished(cpu_status(c)) ? EPOLLIN | EPOLLRDNORM : 0;
	}
	return 0;
	//> return EPOLLERR;
	// END LAB 7
}

/* read(): wait for the started command to finish (EAGAIN with O_NONBLOCK),
 * collect it (BUSY -> FREE) and return the CPU's status as a uint32_t. */
static ssize_t sidecar_read(struct file *f, char __user *buf, size_t n, loff_t *pos)
{
	struct sidecar_cpu *c = f->private_data;
	u32 s;
	int r;

	if (!c)
		return -EBADFD;
	if (n < sizeof(u32))
		return -EINVAL;
	for (;;) {
		int vp = atomic_read(&c->vp);

		if (vp == VP_GONE)
			return -ENODEV;
		if (vp == VP_FREE)
			return -ENOMSG; /* nothing was started */
		s = cpu_status(c);
		if (sidecar_proto_finished(s)) {
			if (atomic_cmpxchg(&c->vp, VP_BUSY, VP_FREE) == VP_BUSY)
				break;
			continue; /* another reader, or the hot-plug callback, moved first */
		}
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		r = wait_event_interruptible(sidecar_wq, sidecar_settled(c));
		if (r)
			return r;
	}
	if (put_user(s, (u32 __user *)buf))
		return -EFAULT;
	return sizeof(u32);
}

/* Ask a running RUN_VP to return: RUN -> STOP and the IPI, which pulls the
 * CPU out of the guest. -EAGAIN if it was not running. Any file, any thread:
 * it touches only the status word. */
static int sidecar_stop(struct sidecar_cpu *c)
{
	if (!sidecar_proto_stop(c->status))
		return -EAGAIN;
	sidecar_send_ipi(c);
	return 0;
}

/* ---- safe onlining: the CPU hot-plug callback ---------------------------------- */

static struct sidecar_cpu *sidecar_cpu_of_linux(unsigned int l)
{
	u32 i;

	for (i = 0; i < ncpus; i++)
		if (cpus[i].sidecar && cpus[i].linux_cpu == l)
			return &cpus[i];
	return NULL;
}

/*
 * Linux is about to start its CPU l (kernel/cpu.c: a CPUHP_BP_PREPARE_DYN
 * state, run on the CPU that brings it up, before bringup_cpu()'s
 * INIT-SIPI-SIPI). If l is still the sidecar's, take it: no new command
 * (GONE), stop the running one, REMOVE, wait for REMOVED - the CPU has
 * tidied up and parked with interrupts off. A nonzero return keeps the CPU
 * offline; the write to .../online fails with it. A CPU that already left
 * (a converted CPU coming back online) passes straight through.
 */
static int sidecar_cpu_prepare(unsigned int l)
{
	struct sidecar_cpu *c = sidecar_cpu_of_linux(l);
	u64 t0 = ktime_get_ns();
	u32 s;

	if (!c)
		return 0; /* not a sidecar CPU: Linux's from the start */
	if (atomic_read(&c->vp) == VP_GONE && cpu_status(c) == CPU_STATUS_REMOVED)
		return 0; /* converted before: it is coming back online */
	// BEGIN LAB 7: let Linux start the CPU only once it has left the sidecar; refuse if it cannot
	atomic_set(&c->vp, VP_GONE); /* START fails from now on */
	if (sidecar_proto_stop(c->status)) {
		sidecar_send_ipi(c);
		s = sidecar_wait(c, BIT(CPU_STATUS_IDLE) | BIT(CPU_STATUS_REMOVED), STOP_TIMEOUT_MS);
		pr_info("sidecar: cpu %u: its running command was stopped (it is %s)\n", c->index,
			sidecar_status_word(s));
	}
	switch (sidecar_proto_remove(c->status)) {
	case SIDECAR_REMOVE_ASKED:
		sidecar_send_ipi(c);
		break;
	case SIDECAR_REMOVE_ALREADY:
		break;
	case SIDECAR_REMOVE_NO_CPU:
		pr_warn("sidecar: cpu %u (apic %u) never started in the sidecar: Linux may start it\n",
			c->index, c->apic_id);
		return 0;
	}
	s = sidecar_wait(c, BIT(CPU_STATUS_REMOVED), REMOVE_TIMEOUT_MS);
	if (s != CPU_STATUS_REMOVED) {
		pr_err("sidecar: cpu %u (apic %u) did not leave the sidecar in %u ms (it is %s): "
		       "linux cpu %u stays offline\n", c->index, c->apic_id, REMOVE_TIMEOUT_MS,
		       sidecar_status_word(s), l);
		return -ETIMEDOUT;
	}
	//> (void)s;
	//> pr_err("sidecar: lab 7: %s() is not implemented yet: linux cpu %u stays offline\n", __func__, l);
	//> return -ENOSYS;
	// END LAB 7
	c->remove_us = (u32)div_u64(ktime_get_ns() - t0, NSEC_PER_USEC);
	pr_info("sidecar: cpu %u (apic %u) left the sidecar in %u us: Linux starts it as cpu %u\n",
		c->index, c->apic_id, c->remove_us, l);
	return 0;
}

/* ---- guest memory ------------------------------------------------------------ */

#define GUEST_ORDER get_order(SIDECAR_IOC_GUEST_BYTES)
#define SCRATCH_ORDER get_order(SIDECAR_IOC_SCRATCH_PAGES * PAGE_SIZE)

/* At unload, when neither the sidecar nor a mapping uses it any more. */
static void free_guest_memory(struct sidecar_cpu *c)
{
	if (c->memory)
		__free_pages(c->memory, GUEST_ORDER);
	if (c->scratch)
		__free_pages(c->scratch, SCRATCH_ORDER);
	c->memory = c->scratch = NULL;
}

/* Physically contiguous, as kernel/vp.c requires (one range; anywhere in
 * memory, since the sidecar maps it only while a command runs). It stays
 * until the module goes: a mapping of it may outlive the file. */
static int alloc_guest_memory(struct sidecar_cpu *c)
{
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
	int r = 0;

	mutex_lock(&memory_lock);
	if (!c->memory) {
		c->memory = alloc_pages(gfp, GUEST_ORDER);
		c->scratch = alloc_pages(gfp, SCRATCH_ORDER);
		if (!c->memory || !c->scratch) {
			free_guest_memory(c);
			r = -ENOMEM;
		}
	}
	mutex_unlock(&memory_lock);
	return r;
}

/* ---- /dev/sidecar ------------------------------------------------------------ */

static struct sidecar_cpu *sidecar_cpu_of(u32 index, bool must_be_sidecar)
{
	if (index >= ncpus || (must_be_sidecar && !cpus[index].sidecar))
		return NULL;
	return &cpus[index];
}

static u32 cpu_flags(struct sidecar_cpu *c)
{
	int vp = atomic_read(&c->vp);

	if (!c->sidecar)
		return 0;
	return SIDECAR_IOC_CPU_SIDECAR | (vp == VP_BUSY ? SIDECAR_IOC_CPU_BUSY : 0) |
	       (vp == VP_GONE ? SIDECAR_IOC_CPU_GONE : 0);
}

static long ioctl_info(void __user *arg)
{
	struct sidecar_ioc_info head, *info = &head;
	struct sidecar_ioc_cpu *table;
	long r = 0;
	u32 i;

	if (copy_from_user(&head, arg, sizeof(head)))
		return -EFAULT;
	table = kcalloc(ncpus ? ncpus : 1, sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	info->node_count = node_count;
	info->cpu_count = ncpus;
	info->started = started;
	info->failed = failed;
	info->irq = response_irq;
	info->vector = response_vector;
	info->irq_apic = response_apic;
	info->responses = atomic64_read(&responses);
	for (i = 0; i < ncpus; i++) {
		struct sidecar_cpu *c = &cpus[i];

		table[i] = (struct sidecar_ioc_cpu){
			.apic_id = c->apic_id,
			.node = c->node,
			.flags = cpu_flags(c),
			.status = c->sidecar ? cpu_status(c) : CPU_STATUS_REMOVED,
			.linux_cpu = c->linux_cpu,
			.remove_us = c->remove_us,
		};
	}
	if (copy_to_user(u64_to_user_ptr(head.cpus), table,
			 min(head.capacity, ncpus) * sizeof(*table)) ||
	    copy_to_user(arg, &head, sizeof(head)))
		r = -EFAULT;
	kfree(table);
	return r;
}

/* SELECT: this file becomes the one handle on a sidecar CPU (cmpxchg on its
 * owner: a second file gets -EBUSY and never sees the page). */
static long ioctl_select(struct file *f, void __user *arg)
{
	struct sidecar_ioc_cpu_request q;
	struct sidecar_cpu *c;
	int r;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	c = sidecar_cpu_of(q.cpu, true);
	if (!c)
		return -EINVAL;
	if (f->private_data)
		return -EALREADY;
	if (atomic_read(&c->vp) == VP_GONE)
		return -ENODEV;
	r = alloc_guest_memory(c);
	if (r)
		return r;
	if (cmpxchg(&c->owner, NULL, f) != NULL)
		return -EBUSY;
	f->private_data = c;
	return 0;
}

static long ioctl_start(struct file *f, void __user *arg)
{
	struct sidecar_ioc_start s;
	struct sidecar_cpu *c = f->private_data;

	if (!c)
		return -EBADFD;
	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	/* The sidecar checks the command itself, as it checks the whole page. */
	return sidecar_start(c, &s);
}

static long ioctl_stop(void __user *arg)
{
	struct sidecar_ioc_cpu_request q;
	struct sidecar_cpu *c;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	c = sidecar_cpu_of(q.cpu, true);
	if (!c)
		return -EINVAL;
	return sidecar_stop(c);
}

/* mmap(): offset SIDECAR_MAP_COMMAND is the command page, SIDECAR_MAP_GUEST
 * the guest memory; shared mappings only (the sidecar must see the writes). */
static int sidecar_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct sidecar_cpu *c = f->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;
	unsigned long offset = vma->vm_pgoff << PAGE_SHIFT;
	unsigned long pfn;

	if (!c)
		return -EBADFD;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (offset == SIDECAR_MAP_COMMAND && size == SIDECAR_PAGE)
		pfn = PHYS_PFN(c->page_pa);
	else if (offset == SIDECAR_MAP_GUEST && size <= SIDECAR_IOC_GUEST_BYTES)
		pfn = page_to_pfn(c->memory);
	else
		return -EINVAL;
	return remap_pfn_range(vma, vma->vm_start, pfn, size, vma->vm_page_prot);
}

/* misc_open() left our struct miscdevice in private_data: a new file has
 * no CPU until SELECT gives it one. */
static int sidecar_open(struct inode *inode, struct file *f)
{
	f->private_data = NULL;
	return 0;
}

static int sidecar_release(struct inode *inode, struct file *f)
{
	struct sidecar_cpu *c = f->private_data;

	if (!c)
		return 0;
	/* A command the VMM left behind is stopped and collected here; one
	 * that will not stop keeps the CPU BUSY (no START succeeds). */
	if (atomic_read(&c->vp) == VP_BUSY) {
		sidecar_stop(c);
		if (sidecar_proto_finished(sidecar_wait(c, BIT(CPU_STATUS_IDLE) |
							BIT(CPU_STATUS_REMOVED), STOP_TIMEOUT_MS)))
			atomic_cmpxchg(&c->vp, VP_BUSY, VP_FREE);
		else
			pr_warn("sidecar: cpu %u did not stop when its file was closed: it stays "
				"busy\n", c->index);
	}
	cmpxchg(&c->owner, f, NULL);
	return 0;
}

/* ---- make bench: round trips, the sidecar's against Linux's own ----------- */

#define BENCH_ROUND_TIMEOUT_MS 100

enum bench_wait { BENCH_SPIN, BENCH_IRQ, BENCH_POLL };

static void bench_nothing(void *unused)
{
}

static int bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void bench_summary(u64 *ns, u32 n, u64 out[3])
{
	sort(ns, n, sizeof(*ns), bench_cmp, NULL);
	out[0] = ns[0];
	out[1] = ns[n / 2];
	out[2] = ns[n - 1];
}

/* One no-op command (NONE: the sidecar just acknowledges), waited for:
 * spinning on the status, asleep until the response interrupt, or as the
 * driver once polled, usleep_range() between looks. */
static int bench_round(struct sidecar_cpu *c, enum bench_wait how, u64 *ns)
{
	u64 start = ktime_get_ns(), limit = BENCH_ROUND_TIMEOUT_MS * NSEC_PER_MSEC;

	WRITE_ONCE(c->page->command, SIDECAR_CMD_NONE);
	if (!sidecar_proto_start(c->status))
		return -EBUSY;
	sidecar_send_ipi(c);
	while (cpu_status(c) != CPU_STATUS_IDLE) {
		if (ktime_get_ns() - start > limit)
			return -ETIMEDOUT;
		if (how == BENCH_IRQ)
			wait_event_timeout(sidecar_wq, cpu_status(c) == CPU_STATUS_IDLE,
					   msecs_to_jiffies(BENCH_ROUND_TIMEOUT_MS));
		else if (how == BENCH_POLL)
			usleep_range(20, 100);
		else
			cpu_relax();
	}
	*ns = ktime_get_ns() - start;
	return 0;
}

static int bench_rounds(struct sidecar_cpu *c, enum bench_wait how, u64 *ns, u32 rounds,
			u64 out[3])
{
	u32 i;
	int r;

	for (i = 0; i < rounds; i++) {
		r = bench_round(c, how, &ns[i]);
		if (r)
			return r;
	}
	bench_summary(ns, rounds, out);
	return 0;
}

/* Linux's own: smp_call_function_single(..., wait = 1) spins until the
 * other CPU ran the function (csd_lock_wait). */
static int bench_linux(struct sidecar_ioc_bench *b, u64 *ns)
{
	u32 i, self;
	int r;

	self = get_cpu();
	b->linux_cpu = cpumask_any_but(cpu_online_mask, self);
	put_cpu();
	if (b->linux_cpu >= nr_cpu_ids)
		return -ENODEV; /* Linux runs on one CPU only: nothing to call */
	for (i = 0; i < b->rounds; i++) {
		u64 start = ktime_get_ns();

		r = smp_call_function_single(b->linux_cpu, bench_nothing, NULL, 1);
		if (r)
			return r;
		ns[i] = ktime_get_ns() - start;
	}
	bench_summary(ns, b->rounds, b->linux_ns);
	return 0;
}

static long ioctl_bench(void __user *arg)
{
	struct sidecar_ioc_bench b;
	struct sidecar_cpu *c;
	u64 *ns;
	long r;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	c = sidecar_cpu_of(b.cpu, true);
	if (!c || b.rounds == 0 || b.rounds > SIDECAR_IOC_BENCH_MAX_ROUNDS)
		return -EINVAL;
	ns = kmalloc_array(b.rounds, sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;
	/* The bench is a user of the CPU like a VMM: it claims it first, and
	 * only a CPU that no file has selected (sidecar_ioctl.h). */
	r = -EBUSY;
	if (!READ_ONCE(c->owner) && atomic_cmpxchg(&c->vp, VP_FREE, VP_BUSY) == VP_FREE) {
		r = bench_rounds(c, BENCH_SPIN, ns, b.rounds, b.spin_ns);
		if (!r && response_irq)
			r = bench_rounds(c, BENCH_IRQ, ns, b.rounds, b.irq_ns);
		if (!r)
			r = bench_rounds(c, BENCH_POLL, ns, b.rounds, b.poll_ns);
		atomic_cmpxchg(&c->vp, VP_BUSY, VP_FREE);
	}
	if (!r)
		r = bench_linux(&b, ns);
	kfree(ns);
	if (!r && copy_to_user(arg, &b, sizeof(b)))
		r = -EFAULT;
	return r;
}

static long sidecar_ioctl(struct file *f, unsigned int nr, unsigned long arg)
{
	void __user *p = (void __user *)arg;

	switch (nr) {
	case SIDECAR_IOC_INFO:
		return ioctl_info(p);
	case SIDECAR_IOC_SELECT:
		return ioctl_select(f, p);
	case SIDECAR_IOC_START:
		return ioctl_start(f, p);
	case SIDECAR_IOC_STOP:
		return ioctl_stop(p);
	case SIDECAR_IOC_BENCH:
		return ioctl_bench(p);
	}
	return -ENOTTY;
}

static const struct file_operations sidecar_fops = {
	.owner = THIS_MODULE,
	.open = sidecar_open,
	.unlocked_ioctl = sidecar_ioctl,
	.mmap = sidecar_mmap,
	.poll = sidecar_poll,
	.read = sidecar_read,
	.release = sidecar_release,
};

static struct miscdevice sidecar_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sidecar",
	.fops = &sidecar_fops,
	.mode = 0600,
};

/* ---- finding and checking the pages ------------------------------------------ */

static void sidecar_unmap(void)
{
	u32 n;

	for (n = 0; n < SIDECAR_MAX_NODES; n++) {
		if (nodes[n].control)
			memunmap(nodes[n].control);
		if (nodes[n].command_pages)
			memunmap(nodes[n].command_pages);
		nodes[n].control = nodes[n].command_pages = NULL;
	}
	if (output)
		memunmap(output);
	output = NULL;
}

/* Map and check each node's control page and command pages, as
 * linux-stub/sidecar_client.c checks them. */
static int sidecar_map_nodes(void)
{
	u32 n;

	for (n = 0; n < node_count; n++) {
		const struct sidecar_output_node *on = &output->nodes[n];
		u64 control_pa = READ_ONCE(on->control_page);
		u64 commands_pa = READ_ONCE(on->command_pages);
		u32 count = READ_ONCE(on->cpu_count);
		struct sidecar_control *c;

		if (!control_pa)
			continue; /* a node with no sidecar CPU */
		if (count == 0 || count > SIDECAR_CONTROL_MAX_CPUS || !commands_pa ||
		    (control_pa | commands_pa) & (SIDECAR_PAGE - 1)) {
			pr_err("sidecar: node %u: control page 0x%llx, %u command pages at "
			       "0x%llx?\n", n, control_pa, count, commands_pa);
			return -EINVAL;
		}
		c = memremap(control_pa, SIDECAR_PAGE, MEMREMAP_WB);
		nodes[n].control = c;
		nodes[n].command_pa = commands_pa;
		nodes[n].command_pages = memremap(commands_pa, (size_t)count * SIDECAR_PAGE,
						  MEMREMAP_WB);
		if (!c || !nodes[n].command_pages) {
			pr_err("sidecar: node %u: cannot map its pages at 0x%llx\n", n, control_pa);
			return -ENOMEM;
		}
		if (READ_ONCE(c->index) != n || READ_ONCE(c->cpu_count) != count) {
			pr_err("sidecar: node %u's control page at 0x%llx says node %u, %u CPUs\n",
			       n, control_pa, c->index, c->cpu_count);
			return -EINVAL;
		}
		if (READ_ONCE(c->request_vector) < 32 || READ_ONCE(c->request_vector) > 0xfe) {
			pr_err("sidecar: node %u: request vector %u is not 32..254\n", n,
			       c->request_vector);
			return -EINVAL;
		}
	}
	return 0;
}

/* Add a CPU (by APIC ID) to cpus[], with what the output page says of it. */
static void sidecar_add_cpu(u32 apic_id)
{
	struct sidecar_cpu *c;
	u32 i, l;

	for (i = 0; i < ncpus; i++)
		if (cpus[i].apic_id == apic_id)
			return; /* ACPI 5.2.12.12: listed as both APIC and x2APIC */
	if (ncpus == SIDECAR_MAX_CPUS)
		return;
	c = &cpus[ncpus++];
	*c = (struct sidecar_cpu){.index = ncpus - 1, .apic_id = apic_id,
				  .linux_cpu = SIDECAR_IOC_NO_LINUX_CPU};
	atomic_set(&c->vp, VP_FREE);
	for_each_possible_cpu(l)
		if (cpu_physical_id(l) == apic_id)
			c->linux_cpu = l;
	for (i = 0; i < READ_ONCE(output->cpu_count) && i < SIDECAR_MAX_CPUS; i++) {
		u32 node = READ_ONCE(output->cpus[i].node);
		u32 slot = READ_ONCE(output->cpus[i].slot);
		struct sidecar_control *control;

		if (READ_ONCE(output->cpus[i].apic_id) != apic_id || node >= node_count)
			continue;
		c->node = node;
		control = nodes[node].control;
		if (!READ_ONCE(output->cpus[i].sidecar) || !control ||
		    slot >= READ_ONCE(output->nodes[node].cpu_count))
			return;
		c->sidecar = true;
		c->vector = (u8)READ_ONCE(control->request_vector);
		c->status = &control->cpu_status[slot];
		c->page = nodes[node].command_pages + (size_t)slot * SIDECAR_PAGE;
		c->page_pa = nodes[node].command_pa + (phys_addr_t)slot * SIDECAR_PAGE;
		return;
	}
}

/* The CPUs in MADT order - enabled Local APIC and Local x2APIC structures
 * (ACPI 6.5 5.2.12.2, 5.2.12.12) - which is linux-stub's CPU index; then any
 * CPU only the output page lists. */
static int sidecar_find_cpus(void)
{
	struct acpi_table_header *madt;
	u32 off, i;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_MADT, 0, &madt))) {
		pr_err("sidecar: no ACPI MADT\n");
		return -ENODEV;
	}
	for (off = sizeof(struct acpi_table_madt); off + 2 <= madt->length;) {
		struct acpi_subtable_header *h = (void *)madt + off;

		if (h->length < 2 || off + h->length > madt->length)
			break;
		if (h->type == ACPI_MADT_TYPE_LOCAL_APIC && h->length >= 8) {
			struct acpi_madt_local_apic *a = (void *)h;

			if (a->lapic_flags & ACPI_MADT_ENABLED)
				sidecar_add_cpu(a->id);
		} else if (h->type == ACPI_MADT_TYPE_LOCAL_X2APIC && h->length >= 16) {
			struct acpi_madt_local_x2apic *a = (void *)h;

			if (a->lapic_flags & ACPI_MADT_ENABLED)
				sidecar_add_cpu(a->local_apic_id);
		}
		off += h->length;
	}
	acpi_put_table(madt);
	for (i = 0; i < READ_ONCE(output->cpu_count) && i < SIDECAR_MAX_CPUS; i++)
		sidecar_add_cpu(READ_ONCE(output->cpus[i].apic_id));
	return 0;
}

static int __init sidecar_init(void)
{
	int r;

	if (!output_pa || output_pa & (SIDECAR_PAGE - 1)) {
		pr_err("sidecar: sidecar=0x%lx: give the kernel's sidecar= (insmod sidecar.ko "
		       "sidecar=<output page>)\n", output_pa);
		return -EINVAL;
	}
	output = memremap(output_pa, SIDECAR_OUTPUT_PAGES * SIDECAR_PAGE, MEMREMAP_WB);
	if (!output) {
		pr_err("sidecar: cannot map the output page at 0x%lx\n", output_pa);
		return -ENOMEM;
	}
	r = -EINVAL;
	node_count = READ_ONCE(output->node_count);
	if (output->error[0]) {
		pr_err("sidecar: the sidecar reported: %.128s\n", output->error);
		goto fail;
	}
	if (node_count == 0 || node_count > SIDECAR_MAX_NODES || output->cpu_count == 0 ||
	    output->cpu_count > SIDECAR_MAX_CPUS) {
		pr_err("sidecar: output page at 0x%lx: %u nodes, %u CPUs?\n", output_pa, node_count,
		       output->cpu_count);
		goto fail;
	}
	started = READ_ONCE(output->started);
	failed = READ_ONCE(output->failed);
	r = sidecar_map_nodes();
	if (!r)
		r = sidecar_find_cpus();
	if (r)
		goto fail;
	timer_setup(&poll_timer, poll_tick, 0);
	sidecar_responses_on();
	/* Before Linux starts a CPU, ask us (kernel/cpu.c, CPUHP_BP_PREPARE_DYN:
	 * run on the CPU doing the bring-up, no call now for the online ones). */
	r = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "sidecar:remove", sidecar_cpu_prepare,
				      NULL);
	if (r < 0) {
		pr_err("sidecar: cannot register the CPU hot-plug callback: error %d\n", r);
		goto fail_irq;
	}
	hotplug_state = r;
	r = misc_register(&sidecar_misc);
	if (r)
		goto fail_hotplug;
	pr_info("sidecar: %u CPUs in %u nodes, %u sidecar CPUs idle, %u failed; /dev/sidecar\n",
		ncpus, node_count, started, failed);
	return 0;
fail_hotplug:
	cpuhp_remove_state_nocalls(hotplug_state);
fail_irq:
	sidecar_serve_nodes(0, 0);
	sidecar_irq_free();
	del_timer_sync(&poll_timer);
fail:
	sidecar_unmap();
	return r;
}

static void __exit sidecar_exit(void)
{
	u32 i;

	misc_deregister(&sidecar_misc);
	cpuhp_remove_state_nocalls(hotplug_state);
	sidecar_serve_nodes(0, 0); /* no more response IPIs to a vector we give back */
	sidecar_irq_free();
	del_timer_sync(&poll_timer);
	for (i = 0; i < ncpus; i++) {
		struct sidecar_cpu *c = &cpus[i];
		u32 s = c->sidecar ? cpu_status(c) : CPU_STATUS_REMOVED;

		/* Memory a CPU may still be running a VP in must never be reused. */
		if (c->memory && (s == CPU_STATUS_RUN || s == CPU_STATUS_STOP))
			pr_warn("sidecar: cpu %u is still running: leaking its guest memory\n", i);
		else
			free_guest_memory(c);
	}
	sidecar_unmap();
}

module_init(sidecar_init);
module_exit(sidecar_exit);
MODULE_LICENSE("GPL"); /* the apic driver and the IRQ domain calls are exported to GPL modules only */
MODULE_DESCRIPTION("Sidecar OS: the client of the sidecar kernel (lab 7)");
