/*
 * edoc-display: the gateway's status display (spec/serial.md, protocol v1).
 * The host owns all screen content; this firmware only executes commands, reports
 * button presses and announces resets with BOOT.
 */
#include <avr/interrupt.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include "board.h"
#include "io.h"
#include "lcd.h"
#include "protocol.h"
#include "uart.h"

/* The watchdog's period. The longest legitimate stretch without a pass through the main loop
 * after init is a few milliseconds (CLR: 84 LCD writes of ~55 us; a 64-byte answer at 115200
 * baud: 5.6 ms), and lcd_init's ~60 ms of waits run before the dog is armed. 500 ms (nominal;
 * the 128 kHz watchdog oscillator drifts with voltage and temperature) leaves two orders of
 * magnitude of margin and still brings a hung display back before the host gives up on it
 * (three 500 ms answer timeouts). */
#define WDT_PERIOD WDTO_500MS

/*
 * Runs before main and before .data/.bss are set up. After a watchdog reset the ATmega328P
 * keeps the watchdog running at its shortest period (16 ms) with WDRF set, and WDE cannot be
 * cleared while WDRF is: without this, the ~60 ms lcd_init would be cut short by another
 * reset, forever. So clear MCUSR first, then switch the dog off until init is done.
 */
static void wdt_off_at_reset(void) __attribute__((naked, used, section(".init3")));
static void wdt_off_at_reset(void)
{
	MCUSR = 0;
	wdt_disable();
}

static void send_button_events(uint8_t ev)
{
	if (ev & EV_BTN1_SHORT)
		uart_line("BTN 1 short");
	if (ev & EV_BTN1_LONG)
		uart_line("BTN 1 long");
	if (ev & EV_BTN2_SHORT)
		uart_line("BTN 2 short");
	if (ev & EV_BTN2_LONG)
		uart_line("BTN 2 long");
}

int main(void)
{
	io_init();
	uart_init();
	lcd_init();
	wdt_enable(WDT_PERIOD);
	set_sleep_mode(SLEEP_MODE_IDLE); /* IDLE keeps the UART and Timer0 running */
	sei();
	uart_line("BOOT");

	for (;;) {
		uint8_t b, overrun = 0;
		/* Fed once per pass and once per byte handled: every pass is progress, and a host
		 * that streams bytes without pause keeps us in the inner loop, which is progress too.
		 * Only code that stops coming back here (a lock-up with interrupts off, a runaway
		 * jump) starves the dog, and that is what it is for. */
		wdt_reset();
		while (uart_getc(&b, &overrun)) {
			wdt_reset();
			if (overrun)
				protocol_overrun();
			overrun = 0;
			protocol_feed(b);
		}
		if (overrun)
			protocol_overrun();
		send_button_events(io_take_events());

		/* Sleep until the next interrupt (a byte or the 1 ms tick). Interrupts stay
		 * off between the check and SLEEP, and SEI's one-instruction delay means a
		 * byte arriving in between still wakes us. Besides saving power this keeps
		 * simavr at wall-clock speed instead of racing ahead. */
		cli();
		if (!uart_rx_pending()) {
			sleep_enable();
			sei();
			sleep_cpu();
			sleep_disable();
		}
		sei();
	}
}
