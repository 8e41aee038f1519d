/*
 * edoc-display: the gateway's status display (spec/serial.md, protocol v1).
 * The host owns all screen content; this firmware only executes commands, reports
 * button presses and announces resets with BOOT.
 */
#include <avr/interrupt.h>
#include <avr/sleep.h>
#include "board.h"
#include "io.h"
#include "lcd.h"
#include "protocol.h"
#include "uart.h"

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
	set_sleep_mode(SLEEP_MODE_IDLE); /* IDLE keeps the UART and Timer0 running */
	sei();
	uart_line("BOOT");

	for (;;) {
		uint8_t b, overrun = 0;
		while (uart_getc(&b, &overrun)) {
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
