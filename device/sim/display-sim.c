/*
 * SPDX-License-Identifier: GPL-3.0-or-later
 * display-sim — runs the edoc-display firmware in simavr for tests and the demo.
 *
 * Copyright 2026 the edoc-gateway authors.
 * This program links libsimavr and libsimavrparts, which are GPL-3.0-or-later;
 * the resulting binary is therefore distributed under the GNU General Public
 * License version 3 or later. It is a test tool and is not shipped on the device.
 *
 * Usage: display-sim --elf FILE [--lcd FILE]
 *   stdout: first line "PTY <path>" once the firmware's UART is bridged to a pty
 *   --lcd:  rewritten (temp file + rename) with the 4 LCD rows, then
 *           "LED g=<0|1> a=<0|1> r=<0|1>" and "BEEP <count>", whenever they change
 *   stdin:  "BTN <1|2> <short|long>" presses a button (100 ms or 1200 ms);
 *           "RESET" resets the MCU (the firmware then sends BOOT);
 *           "STATS" prints "STATS cycles=<n> slept=<n>" on stdout: simulated cycles so far and
 *           how many of them the MCU spent asleep (tests check that idle firmware sleeps);
 *           "wdt=<n> wdt_cycle=<n>": watchdog resets so far and the cycle of the last one
 *   "HANG": the MCU locks up: it jumps to avr-libc's _exit (CLI; RJMP .), where a return
 *           from main, abort() or a corrupted return address ends up. Interrupts off and
 *           no WDR: only the hardware watchdog can bring it back. Prints "HANG cycle=<n>".
 *   SIGTERM/SIGINT: exits at once with _exit(0) (uart_pty_stop() would hang)
 *
 * Wiring mirrors device/display-firmware/board.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "avr_ioport.h"
#include "hd44780.h"
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_time.h"
#include "uart_pty.h"

#define CHECK_USEC 10000          /* how often (sim time) we look at stdin and the LCD */
#define LED_PERSIST_USEC 700000   /* a blinking LED (500 ms half-period) reads as lit */
#define SHORT_PRESS_USEC 100000
#define LONG_PRESS_USEC 1200000

static avr_t *avr;
static hd44780_t lcd;
static uart_pty_t uart;
static const char *lcd_path;

/* LED pins PC0..PC2, buzzer PC3 */
static int led_level[3];
static avr_cycle_count_t led_last_on[3];
static int buzzer_level;
static unsigned beep_count;

/* Cycles spent in SLEEP: an idle firmware that sleeps shows almost all of them here. */
static avr_cycle_count_t slept_cycles;
static FILE *out;

static void (*simavr_sleep)(struct avr_t *, avr_cycle_count_t);

/* simavr calls this for each stretch the MCU sleeps, then advances the clock by howLong + 1. */
static void count_sleep(struct avr_t *a, avr_cycle_count_t howLong)
{
	slept_cycles += howLong + 1;
	simavr_sleep(a, howLong);
}

/* Watchdog resets, seen as simavr swapping avr->run for its reset callback (see main loop). */
static unsigned wdt_resets;
static avr_cycle_count_t wdt_last_cycle;
/* Flash byte address of the firmware's "CLI; RJMP ." (avr-libc _exit), or -1. */
static long hang_addr = -1;

static avr_irq_t *button_irq[2];
static int button_busy[2];

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static void on_portc(struct avr_irq_t *irq, uint32_t value, void *param)
{
	int pin = (int)(intptr_t)param;
	if (pin < 3) {
		led_level[pin] = value ? 1 : 0;
		if (value)
			led_last_on[pin] = avr->cycle;
	} else {
		if (value && !buzzer_level)
			beep_count++;
		buzzer_level = value ? 1 : 0;
	}
	(void)irq;
}

static avr_cycle_count_t release_button(struct avr_t *a, avr_cycle_count_t when, void *param)
{
	int b = (int)(intptr_t)param;
	avr_raise_irq(button_irq[b], 1); /* released: the pull-up reads high */
	button_busy[b] = 0;
	(void)a;
	(void)when;
	return 0;
}

static void press_button(int b, int long_press)
{
	if (button_busy[b])
		return; /* one press at a time per button, as a finger would */
	button_busy[b] = 1;
	avr_raise_irq(button_irq[b], 0);
	avr_cycle_timer_register_usec(avr, long_press ? LONG_PRESS_USEC : SHORT_PRESS_USEC,
				      release_button, (void *)(intptr_t)b);
}

/* simavr's reset clears the PIN registers, so the buttons would read low (pressed), and
 * raising the pin IRQ to the 1 it already holds is filtered out: drop the remembered value
 * first (no cycle runs in between, so the firmware never sees a low level). */
static void after_reset(void)
{
	for (int i = 0; i < 2; i++) {
		button_irq[i]->value = 0;
		avr_raise_irq(button_irq[i], 1);
		button_busy[i] = 0;
	}
}

static void handle_stdin_line(const char *l)
{
	int b;
	char kind[8];
	if (!strcmp(l, "RESET")) {
		/* A reset of the MCU alone (brown-out, watchdog): the LCD keeps its contents. */
		avr_reset(avr);
		after_reset();
		return;
	}
	if (!strcmp(l, "HANG")) {
		if (hang_addr < 0) {
			fprintf(stderr, "display-sim: no CLI; RJMP . in the firmware, cannot HANG\n");
			return;
		}
		/* Only the program counter moves: the CPU then executes the firmware's own CLI and
		 * spins. A pending interrupt may still be taken first; its RETI comes back here. */
		avr->pc = (avr_flashaddr_t)hang_addr;
		avr->state = cpu_Running;
		fprintf(out, "HANG cycle=%llu\n", (unsigned long long)avr->cycle);
		fflush(out);
		return;
	}
	if (!strcmp(l, "STATS")) {
		fprintf(out, "STATS cycles=%llu slept=%llu wdt=%u wdt_cycle=%llu\n",
			(unsigned long long)avr->cycle, (unsigned long long)slept_cycles, wdt_resets,
			(unsigned long long)wdt_last_cycle);
		fflush(out);
		return;
	}
	if (sscanf(l, "BTN %d %7s", &b, kind) == 2 && (b == 1 || b == 2) &&
	    (!strcmp(kind, "short") || !strcmp(kind, "long")))
		press_button(b - 1, kind[0] == 'l');
	else
		fprintf(stderr, "display-sim: ignored stdin line: %s\n", l);
}

static void poll_stdin(void)
{
	static char buf[128];
	static size_t len;
	static int closed;
	if (closed)
		return;
	struct pollfd p = { .fd = 0, .events = POLLIN };
	if (poll(&p, 1, 0) <= 0)
		return;
	ssize_t n = read(0, buf + len, sizeof buf - 1 - len);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			closed = 1; /* keep running: SIGTERM or the parent's death ends us */
		return;
	}
	len += (size_t)n;
	char *nl;
	while ((nl = memchr(buf, '\n', len))) {
		*nl = 0;
		handle_stdin_line(buf);
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len);
	}
	if (len == sizeof buf - 1)
		len = 0; /* garbage without newlines: drop it */
}

/* Renders what a person would see; returns the length written to out. */
static int render(char *out, size_t size)
{
	/* Rows are read at their DDRAM addresses: rows 2 and 3 continue rows 0 and 1. */
	static const int row_addr[4] = { 0x00, 0x40, 0x14, 0x54 };
	int n = 0;
	for (int r = 0; r < 4; r++) {
		for (int c = 0; c < 20; c++) {
			uint8_t ch = lcd.vram[row_addr[r] + c];
			out[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
		}
		out[n++] = '\n';
	}
	int lit[3];
	avr_cycle_count_t persist = avr_usec_to_cycles(avr, LED_PERSIST_USEC);
	for (int i = 0; i < 3; i++)
		lit[i] = led_level[i] || (led_last_on[i] && avr->cycle - led_last_on[i] < persist);
	n += snprintf(out + n, size - (size_t)n, "LED g=%d a=%d r=%d\nBEEP %u\n", lit[0], lit[1],
		      lit[2], beep_count);
	return n;
}

static void update_lcd_file(void)
{
	static char last[256];
	static int last_len = -1;
	char now[256];
	int n = render(now, sizeof now);
	if (n == last_len && !memcmp(now, last, (size_t)n))
		return;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", lcd_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	ssize_t w = write(fd, now, (size_t)n);
	close(fd);
	/* rename is atomic: a reader sees the old file or the new one, never half */
	if (w == n && rename(tmp, lcd_path) == 0) {
		memcpy(last, now, (size_t)n);
		last_len = n;
	}
}

/* avr-libc's _exit is CLI (0x94f8) followed by RJMP . (0xcfff); every avr-libc program has it. */
static long find_hang_addr(const elf_firmware_t *fw)
{
	for (uint32_t a = 0; a + 3 < fw->flashsize; a += 2) {
		const uint8_t *f = fw->flash + a;
		if (f[0] == 0xf8 && f[1] == 0x94 && f[2] == 0xff && f[3] == 0xcf)
			return (long)a;
	}
	return -1;
}

static void wire_lcd(void)
{
	hd44780_init(avr, &lcd, 20, 4);
	for (int i = 0; i < 4; i++)
		avr_connect_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('B'), i),
				lcd.irq + IRQ_HD44780_D4 + i);
	avr_connect_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('B'), 4), lcd.irq + IRQ_HD44780_RS);
	avr_connect_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('B'), 5), lcd.irq + IRQ_HD44780_E);
	avr_raise_irq(lcd.irq + IRQ_HD44780_RW, 0); /* RW is tied to GND on the board */
}

static void wire_io(void)
{
	for (int i = 0; i < 4; i++)
		avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('C'), i), on_portc,
					(void *)(intptr_t)i);
	for (int b = 0; b < 2; b++) {
		button_irq[b] = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 2 + b);
		avr_raise_irq(button_irq[b], 1);
	}
}

int main(int argc, char **argv)
{
	const char *elf = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--elf") && i + 1 < argc)
			elf = argv[++i];
		else if (!strcmp(argv[i], "--lcd") && i + 1 < argc)
			lcd_path = argv[++i];
		else {
			fprintf(stderr, "usage: display-sim --elf FILE [--lcd FILE]\n");
			return 2;
		}
	}
	if (!elf) {
		fprintf(stderr, "usage: display-sim --elf FILE [--lcd FILE]\n");
		return 2;
	}
	/* Die with the test that started us, even if it never sends SIGTERM. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);

	/* simavr and its parts chat on stdout; our stdout carries only "PTY <path>". */
	int out_fd = dup(1);
	int devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	out = fdopen(out_fd, "w");

	elf_firmware_t fw;
	memset(&fw, 0, sizeof fw);
	if (elf_read_firmware(elf, &fw) != 0) {
		fprintf(stderr, "display-sim: cannot read %s\n", elf);
		return 1;
	}
	avr = avr_make_mcu_by_name("atmega328p");
	if (!avr) {
		fprintf(stderr, "display-sim: simavr lacks atmega328p\n");
		return 1;
	}
	avr_init(avr);
	avr_load_firmware(avr, &fw);
	hang_addr = find_hang_addr(&fw);
	avr->frequency = 16000000;
	simavr_sleep = avr->sleep; /* keeps it paced to wall-clock time */
	avr->sleep = count_sleep;

	wire_lcd();
	wire_io();
	uart_pty_init(avr, &uart);
	uart_pty_connect(&uart, '0');

	fprintf(out, "PTY %s\n", uart.pty.slavename);
	fflush(out);

	avr_cycle_count_t next_check = 0;
	avr_cycle_count_t step = avr_usec_to_cycles(avr, CHECK_USEC);
	/* When the watchdog times out with WDE set, simavr (1.6) swaps avr->run for a callback
	 * that performs the reset on the next step; seeing the swap is how we count them. */
	avr_run_t normal_run = avr->run;
	for (;;) {
		int state = avr_run(avr);
		if (avr->run != normal_run && avr->run != NULL) {
			wdt_resets++;
			wdt_last_cycle = avr->cycle;
			avr_run(avr); /* the reset itself; avr->run is restored by it */
			after_reset();
			if (avr->run != normal_run) {
				fprintf(stderr, "display-sim: unexpected simavr run hook\n");
				_exit(1);
			}
		}
		if (state == cpu_Done || state == cpu_Crashed) {
			fprintf(stderr, "display-sim: firmware stopped (state %d)\n", state);
			_exit(1);
		}
		if (avr->cycle >= next_check) {
			next_check = avr->cycle + step;
			poll_stdin();
			if (lcd_path)
				update_lcd_file();
		}
	}
}
