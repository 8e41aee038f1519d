/*
 * The MCU has a 2-byte hardware receive buffer, so every byte is moved into a ring by
 * the RX interrupt; the main loop can then spend a millisecond writing the LCD without
 * losing input. The host keeps one short command in flight, so 128 bytes is ample;
 * if it is ever exceeded, bytes are dropped (never written past the ring) and the
 * line is answered with an error.
 */
#include <avr/interrupt.h>
#include "board.h"
#include "uart.h"

#define RX_SIZE 128 /* power of two: index wrap is a mask */
#define RX_MASK (RX_SIZE - 1)

static volatile uint8_t rx_buf[RX_SIZE];
static volatile uint8_t rx_head; /* written by the ISR */
static volatile uint8_t rx_tail; /* written by the main loop */
static volatile uint8_t rx_overrun;

ISR(USART_RX_vect)
{
	uint8_t status = UCSR0A;
	uint8_t b = UDR0; /* always read: clears the interrupt */
	uint8_t next = (uint8_t)((rx_head + 1) & RX_MASK);
	if (next == rx_tail || (status & (_BV(DOR0) | _BV(FE0)))) {
		rx_overrun = 1;
		return;
	}
	rx_buf[rx_head] = b;
	rx_head = next;
}

void uart_init(void)
{
	/* U2X: 16 MHz / (8 * (16 + 1)) = 117647 baud, 2.1 % off 115200 — within the
	 * receiver's tolerance, whereas the 1x divider would be 3.5 % off. */
	UCSR0A = _BV(U2X0);
	UBRR0H = 0;
	UBRR0L = 16;
	UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
	UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

uint8_t uart_rx_pending(void)
{
	return rx_head != rx_tail || rx_overrun;
}

uint8_t uart_getc(uint8_t *b, uint8_t *overrun)
{
	if (rx_overrun) {
		rx_overrun = 0;
		*overrun = 1;
	}
	if (rx_head == rx_tail)
		return 0;
	*b = rx_buf[rx_tail];
	rx_tail = (uint8_t)((rx_tail + 1) & RX_MASK);
	return 1;
}

static void putc_blocking(char c)
{
	while (!(UCSR0A & _BV(UDRE0)))
		;
	UDR0 = (uint8_t)c;
}

void uart_puts(const char *s)
{
	while (*s)
		putc_blocking(*s++);
}

void uart_line(const char *s)
{
	uart_puts(s);
	putc_blocking('\n');
}
