/*
 * console.c - the serial console (a 16550 UART at COM1, I/O port 0x3f8).
 *
 * Polled, not interrupt driven: a boot-time program has nothing better to do
 * while a byte goes out, and polling works before any interrupt is set up.
 * Register layout from the PC16550D datasheet: THR/RBR at +0, IER +1,
 * FCR +2, LCR +3, MCR +4, LSR +5 (bit 0 data ready, bit 5 THR empty).
 */
#include "console.h"
#include "x86.h"

#define COM1 0x3f8
#define UART_LSR_DATA_READY 0x01
#define UART_LSR_THR_EMPTY 0x20

static volatile uint32_t console_lock;

void console_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB on: the next two bytes set the divisor */
	outb(COM1 + 0, 0x01); /* 115200 baud = 115200 / 1 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8 data bits, no parity, 1 stop bit */
	outb(COM1 + 2, 0xc7); /* FIFOs on and cleared, 14-byte threshold */
	outb(COM1 + 4, 0x03); /* DTR and RTS */
}

static void putc_raw(char c)
{
	for (int spins = 0; spins < 100000 && !(inb(COM1 + 5) & UART_LSR_THR_EMPTY); spins++)
		;
	outb(COM1, (uint8_t)c);
}

static void lock(void)
{
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&console_lock, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
}

static void unlock(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

static void write_unlocked(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

void console_write(const char *s, size_t n)
{
	lock();
	write_unlocked(s, n);
	unlock();
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int console_getc(void)
{
	if (!(inb(COM1 + 5) & UART_LSR_DATA_READY))
		return -1;
	return inb(COM1);
}
