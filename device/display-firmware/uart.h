/* UART0 at 115200 8N1: interrupt-driven receive into a ring, polled transmit. */
#ifndef UART_H
#define UART_H

#include <stdint.h>

void uart_init(void);
/* Next received byte into *b; returns 0 when the ring is empty. Sets *overrun when
 * bytes were dropped since the last call (the host broke lockstep). */
uint8_t uart_getc(uint8_t *b, uint8_t *overrun);
uint8_t uart_rx_pending(void);
void uart_puts(const char *s);
/* Sends s followed by "\n". */
void uart_line(const char *s);

#endif
