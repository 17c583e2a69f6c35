// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 7 - Linux's sidecar driver: /dev/sidecar.
 *
 * In labs 0-6 linux-stub was the sidecar's client. Here the client is a
 * module in a stock Debian kernel, booted by the same shim with maxcpus=1,
 * so Linux starts none of the CPUs the sidecar holds. The driver does what
 * linux-stub/sidecar_client.c does, the Linux way:
 *
 *   find the output page: the shim appended "sidecar=<physical address>" to
 *     Linux's command line. Linux keeps that line in saved_command_line but
 *     does not export it to modules, so /init passes the same text to us
 *     as a module parameter: insmod sidecar.ko sidecar=0x...;
 *   map the pages with memremap(MEMREMAP_WB): the shim's e820 map calls
 *     them reserved, so they are not Linux's RAM, and they must be mapped
 *     write-back, as the sidecar maps them; then check everything before
 *     using it, as the sidecar checks us;
 *   number the CPUs as linux-stub does, in MADT order (ACPI 6.5 5.2.12),
 *     and find Linux's own number for each APIC ID;
 *   run the command protocol of include/sidecar.h for user space (the VMM
 *     is sidecarctl, a program): write the command page, IDLE -> RUN with
 *     release order, the request IPI, wait for IDLE, copy the reply;
 *   keep each VP's guest memory: physically contiguous pages (at most
 *     SIDECAR_VP_MEMORY_MAX; the sidecar maps them wherever they are, while
 *     a command runs), filled by user space through
 *     an ioctl and described to the sidecar by the driver alone.
 *
 * Conversion ends outside the driver: REMOVE waits until the CPU has stored
 * REMOVED and parked, and then sysfs (echo 1 > /sys/devices/system/cpu/cpuN/
 * online) makes Linux start it with its own INIT-SIPI-SIPI.
 *
 * The driver waits by polling (usleep_range) rather than for a response
 * IPI: Linux lets only its own boot code claim a fixed interrupt vector
 * (alloc_intr_gate() is __init), and a VMM's round trip is short.
 *
 * Implement: sidecar_submit() and sidecar_request_remove().
 * Tests: make run RUN='sidecarctl run 5 hello; sidecarctl online 5'.
 */
#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/smp.h>

#include "sidecar_ioctl.h"

#define STOP_TIMEOUT_MS 2000 /* a STOP (or what follows a timeout) gets 2 s */

static unsigned long output_pa;
module_param_named(sidecar, output_pa, ulong, 0444);
MODULE_PARM_DESC(sidecar, "physical address of the sidecar's output page (the kernel's sidecar=)");

/* One CPU of the machine, in MADT order. */
struct sidecar_cpu {
	u32 apic_id, node;
	u32 linux_cpu;       /* SIDECAR_IOC_NO_LINUX_CPU: Linux does not know it */
	bool sidecar;        /* the rest only for sidecar CPUs: */
	u8 vector;           /* the node's request vector, checked */
	u32 *status;         /* &control->cpu_status[slot] */
	struct sidecar_command_page *page;
	struct mutex lock;   /* one command at a time; guards the memory below */
	struct page *memory; /* the VP's guest memory and the sidecar's scratch */
	struct page *scratch;
};

static struct sidecar_cpu cpus[SIDECAR_MAX_CPUS];
static u32 ncpus;
static struct sidecar_output *output;
static struct {
	struct sidecar_control *control;
	void *command_pages;
} nodes[SIDECAR_MAX_NODES];
static u32 node_count, started, failed;

/* ---- the protocol ----------------------------------------------------------- */

/*
 * The request IPI: fixed delivery mode, physical destination mode, the APIC
 * ID in the destination field (SDM vol. 3A 10.6.1, the ICR). Linux drives a
 * small xAPIC machine in logical flat mode, where the sidecar CPUs have no
 * logical ID, so its own send_IPI functions could not reach them.
 */
static void sidecar_send_ipi(u32 apic_id, u8 vector)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->wait_icr_idle();
	apic->icr_write(APIC_DEST_PHYSICAL | APIC_DM_FIXED | vector, apic_id);
	local_irq_restore(flags);
}

static u32 cpu_status(const struct sidecar_cpu *c)
{
	return smp_load_acquire(c->status); /* acquire: the reply is visible after */
}

/* Wait until the status is one of want (a mask of BIT(status)) or the
 * deadline (jiffies) passes; with interruptible, a signal ends it too. */
static u32 sidecar_wait(const struct sidecar_cpu *c, u32 want, unsigned long deadline,
			bool interruptible)
{
	for (;;) {
		u32 s = cpu_status(c);

		if (s < 32 && (BIT(s) & want))
			return s;
		if (time_after(jiffies, deadline) || (interruptible && signal_pending(current)))
			return s;
		usleep_range(20, 100);
	}
}

/* Hand the CPU its command: the page is written, IDLE -> RUN, the IPI. */
static int sidecar_submit(struct sidecar_cpu *c, const struct sidecar_ioc_command *cmd)
{
	// TODO(lab 7): only if IDLE: write the command page, IDLE -> RUN (cmpxchg, release), the IPI
	pr_err("sidecar: lab 7: %s() is not implemented yet\n", __func__);
	return -ENOSYS;
}

/* Ask a running RUN_VP to return: RUN -> STOP and the IPI, which pulls the
 * CPU out of the guest. -EAGAIN if it was not running. */
static int sidecar_stop(struct sidecar_cpu *c)
{
	if (cmpxchg_release(c->status, CPU_STATUS_RUN, CPU_STATUS_STOP) != CPU_STATUS_RUN)
		return -EAGAIN;
	sidecar_send_ipi(c->apic_id, c->vector);
	return 0;
}

/* One command, start to finish; called with c->lock held. */
static int sidecar_command(struct sidecar_cpu *c, struct sidecar_ioc_command *cmd)
{
	bool run = cmd->command == SIDECAR_CMD_RUN_VP;
	u32 ms = cmd->timeout_ms ? cmd->timeout_ms : SIDECAR_IOC_DEFAULT_TIMEOUT_MS;
	u32 done = BIT(CPU_STATUS_IDLE) | BIT(CPU_STATUS_REMOVED);
	u32 s;
	int r;

	if ((run || cmd->command == SIDECAR_CMD_TRANSLATE_GVA) && !c->memory)
		return -ENOMEM; /* no guest memory yet: SIDECAR_IOC_LOAD first */
	r = sidecar_submit(c, cmd);
	if (r) {
		cmd->status = cpu_status(c); /* why it was refused */
		return r;
	}
	s = sidecar_wait(c, done, jiffies + msecs_to_jiffies(ms), run);
	if (s != CPU_STATUS_IDLE && s != CPU_STATUS_REMOVED && run) {
		/* Time is up (or a signal came): stop the VP, as linux-stub does. */
		sidecar_stop(c);
		s = sidecar_wait(c, done, jiffies + msecs_to_jiffies(STOP_TIMEOUT_MS), false);
	}
	cmd->status = s;
	if (s == CPU_STATUS_REMOVED)
		return -ENODEV; /* REMOVE took the CPU meanwhile */
	if (s != CPU_STATUS_IDLE)
		return -ETIMEDOUT;
	/* The reply is shared memory: copy it once, then it is ours. */
	cmd->error = READ_ONCE(c->page->error);
	memcpy(cmd->error_text, c->page->error_text, sizeof(cmd->error_text));
	cmd->error_text[sizeof(cmd->error_text) - 1] = '\0';
	memcpy(cmd->request, c->page->request.raw, sizeof(cmd->request));
	return 0;
}

/*
 * Ask the CPU to leave the sidecar, as lab 6's sidecar_remove() asks it:
 * REMOVE may replace IDLE (asleep in its halt loop) or RUN/STOP (busy with
 * a command, perhaps in a guest: the IPI pulls it out, and its acknowledge-
 * ment leaves REMOVE in place). The cmpxchg loop makes a race with the
 * sidecar's own RUN -> IDLE safe. The caller then waits for REMOVED: the
 * CPU has tidied up and parked with interrupts off, ready for Linux's
 * INIT-SIPI-SIPI.
 */
static int sidecar_request_remove(struct sidecar_cpu *c)
{
	// TODO(lab 7): cmpxchg loop IDLE/RUN/STOP -> REMOVE (release); then the request IPI
	pr_err("sidecar: lab 7: %s() is not implemented yet\n", __func__);
	return -ENOSYS;
}

/* ---- guest memory ------------------------------------------------------------ */

#define GUEST_ORDER get_order(SIDECAR_IOC_GUEST_BYTES)
#define SCRATCH_ORDER get_order(SIDECAR_IOC_SCRATCH_PAGES * PAGE_SIZE)

/* Called with c->lock held, when the sidecar no longer uses the memory. */
static void free_guest_memory(struct sidecar_cpu *c)
{
	if (c->memory)
		__free_pages(c->memory, GUEST_ORDER);
	if (c->scratch)
		__free_pages(c->scratch, SCRATCH_ORDER);
	c->memory = c->scratch = NULL;
}

/* Allocate (once) and fill the VP's guest memory. The CPU is idle and we
 * hold its lock, so the sidecar is not using it. */
static int sidecar_load(struct sidecar_cpu *c, const struct sidecar_ioc_load *l)
{
	/* Physically contiguous (kernel/vp.c needs one range); DMA32 keeps it
	 * below 4 GiB, which the sidecar no longer needs but costs nothing. */
	gfp_t gfp = GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO;

	if (l->size > SIDECAR_IOC_GUEST_BYTES)
		return -EINVAL;
	if (cpu_status(c) != CPU_STATUS_IDLE)
		return -EBUSY;
	if (!c->memory) {
		c->memory = alloc_pages(gfp, GUEST_ORDER);
		c->scratch = alloc_pages(gfp, SCRATCH_ORDER);
		if (!c->memory || !c->scratch) {
			free_guest_memory(c);
			return -ENOMEM;
		}
	}
	memset(page_address(c->memory), 0, SIDECAR_IOC_GUEST_BYTES);
	if (copy_from_user(page_address(c->memory), u64_to_user_ptr(l->data), l->size))
		return -EFAULT;
	return 0;
}

/* ---- /dev/sidecar ------------------------------------------------------------ */

static struct sidecar_cpu *sidecar_cpu_of(u32 index, bool must_be_sidecar)
{
	if (index >= ncpus || (must_be_sidecar && !cpus[index].sidecar))
		return NULL;
	return &cpus[index];
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
	for (i = 0; i < ncpus; i++) {
		struct sidecar_cpu *c = &cpus[i];

		table[i] = (struct sidecar_ioc_cpu){
			.apic_id = c->apic_id,
			.node = c->node,
			.flags = c->sidecar ? SIDECAR_IOC_CPU_SIDECAR : 0,
			.status = c->sidecar ? cpu_status(c) : CPU_STATUS_REMOVED,
			.linux_cpu = c->linux_cpu,
		};
	}
	if (copy_to_user(u64_to_user_ptr(head.cpus), table,
			 min(head.capacity, ncpus) * sizeof(*table)) ||
	    copy_to_user(arg, &head, sizeof(head)))
		r = -EFAULT;
	kfree(table);
	return r;
}

static long ioctl_command(void __user *arg)
{
	struct sidecar_ioc_command *cmd = kmalloc(sizeof(*cmd), GFP_KERNEL);
	struct sidecar_cpu *c;
	long r;

	if (!cmd)
		return -ENOMEM;
	r = -EFAULT;
	if (copy_from_user(cmd, arg, sizeof(*cmd)))
		goto out;
	r = -EINVAL;
	c = sidecar_cpu_of(cmd->cpu, true);
	if (!c)
		goto out;
	r = -EINTR;
	if (mutex_lock_interruptible(&c->lock))
		goto out;
	r = sidecar_command(c, cmd);
	mutex_unlock(&c->lock);
	/* The reply and the status go back even when the command failed. */
	if (copy_to_user(arg, cmd, sizeof(*cmd)))
		r = -EFAULT;
out:
	kfree(cmd);
	return r;
}

static long ioctl_load(void __user *arg)
{
	struct sidecar_ioc_load l;
	struct sidecar_cpu *c;
	long r;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	c = sidecar_cpu_of(l.cpu, true);
	if (!c)
		return -EINVAL;
	if (mutex_lock_interruptible(&c->lock))
		return -EINTR;
	r = sidecar_load(c, &l);
	mutex_unlock(&c->lock);
	return r;
}

static long ioctl_stop_remove(unsigned int nr, void __user *arg)
{
	struct sidecar_ioc_cpu_request q;
	struct sidecar_cpu *c;
	unsigned long deadline;
	int r;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	c = sidecar_cpu_of(q.cpu, true);
	if (!c)
		return -EINVAL;
	if (nr == SIDECAR_IOC_STOP)
		return sidecar_stop(c);
	deadline = jiffies + msecs_to_jiffies(q.timeout_ms ? q.timeout_ms : STOP_TIMEOUT_MS);
	r = sidecar_request_remove(c);
	if (r)
		return r;
	if (sidecar_wait(c, BIT(CPU_STATUS_REMOVED), deadline, false) != CPU_STATUS_REMOVED)
		return -ETIMEDOUT;
	/* Gone for good: its guest memory can go too, once no command holds it. */
	mutex_lock(&c->lock);
	free_guest_memory(c);
	mutex_unlock(&c->lock);
	return 0;
}

/* ---- make bench: round trips, the sidecar's against Linux's own ----------- */

#define BENCH_ROUND_TIMEOUT_NS (100 * NSEC_PER_MSEC)

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

/*
 * Both round trips are waited for the same way, spinning: Linux's
 * smp_call_function_single(..., wait = 1) spins until the other CPU ran
 * the function (csd_lock_wait); here we spin until the sidecar CPU stores
 * IDLE again. The sidecar's command is NONE, which it just acknowledges.
 */
static int bench_round_trips(struct sidecar_cpu *c, struct sidecar_ioc_bench *b, u64 *ns)
{
	static const struct sidecar_ioc_command none = {.command = SIDECAR_CMD_NONE};
	u32 i, self;
	int r;

	for (i = 0; i < b->rounds; i++) {
		u64 start = ktime_get_ns();

		r = sidecar_submit(c, &none);
		if (r)
			return r;
		while (cpu_status(c) != CPU_STATUS_IDLE) {
			if (ktime_get_ns() - start > BENCH_ROUND_TIMEOUT_NS)
				return -ETIMEDOUT;
			cpu_relax();
		}
		ns[i] = ktime_get_ns() - start;
	}
	bench_summary(ns, b->rounds, b->sidecar_ns);

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
	r = -EINTR;
	if (!mutex_lock_interruptible(&c->lock)) {
		r = bench_round_trips(c, &b, ns);
		mutex_unlock(&c->lock);
	}
	kfree(ns);
	if (!r && copy_to_user(arg, &b, sizeof(b)))
		r = -EFAULT;
	return r;
}

static long sidecar_ioctl(struct file *file, unsigned int nr, unsigned long arg)
{
	void __user *p = (void __user *)arg;

	switch (nr) {
	case SIDECAR_IOC_INFO:
		return ioctl_info(p);
	case SIDECAR_IOC_LOAD:
		return ioctl_load(p);
	case SIDECAR_IOC_COMMAND:
		return ioctl_command(p);
	case SIDECAR_IOC_STOP:
	case SIDECAR_IOC_REMOVE:
		return ioctl_stop_remove(nr, p);
	case SIDECAR_IOC_BENCH:
		return ioctl_bench(p);
	}
	return -ENOTTY;
}

static const struct file_operations sidecar_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = sidecar_ioctl,
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
	*c = (struct sidecar_cpu){.apic_id = apic_id, .linux_cpu = SIDECAR_IOC_NO_LINUX_CPU};
	mutex_init(&c->lock);
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
	if (!r)
		r = misc_register(&sidecar_misc);
	if (r)
		goto fail;
	pr_info("sidecar: %u CPUs in %u nodes, %u sidecar CPUs idle, %u failed; /dev/sidecar\n",
		ncpus, node_count, started, failed);
	return 0;
fail:
	sidecar_unmap();
	return r;
}

static void __exit sidecar_exit(void)
{
	u32 i;

	misc_deregister(&sidecar_misc);
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
MODULE_LICENSE("GPL"); /* the apic driver is exported to GPL modules only */
MODULE_DESCRIPTION("Sidecar OS: the client of the sidecar kernel (lab 7)");
