/*
 * Line assembly never writes past LINE_MAX: once a line is too long the rest of it is
 * discarded until the newline, which is answered with a single "ERR too long". Every
 * complete line gets exactly one answer, so the host's lockstep never stalls.
 */
#include <stdlib.h>
#include <string.h>
#include "board.h"
#include "io.h"
#include "lcd.h"
#include "protocol.h"
#include "uart.h"

static char line[LINE_MAX];
static uint8_t line_len;
static uint8_t too_long;
static uint8_t damaged;

void protocol_overrun(void)
{
	damaged = 1;
}

void protocol_feed(uint8_t b)
{
	if (b != '\n') {
		if (line_len < LINE_MAX)
			line[line_len++] = (char)b;
		else
			too_long = 1;
		return;
	}
	if (too_long)
		uart_line("ERR too long");
	else if (damaged)
		uart_line("ERR overrun");
	else
		protocol_execute(line, line_len);
	line_len = 0;
	too_long = 0;
	damaged = 0;
}

/* Parses a decimal number of 1..4 digits filling the whole of s[0..len). */
static uint8_t parse_uint(const char *s, uint8_t len, uint16_t *out)
{
	if (len == 0 || len > 4)
		return 0;
	uint16_t v = 0;
	for (uint8_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = (uint16_t)(v * 10 + (uint16_t)(s[i] - '0'));
	}
	*out = v;
	return 1;
}

static uint8_t is_word(const char *l, uint8_t len, const char *word)
{
	uint8_t n = (uint8_t)strlen(word);
	return len == n && memcmp(l, word, n) == 0;
}

static uint8_t has_prefix(const char *l, uint8_t len, const char *prefix)
{
	uint8_t n = (uint8_t)strlen(prefix);
	return len >= n && memcmp(l, prefix, n) == 0;
}

static void cmd_row(const char *args, uint8_t len)
{
	/* "ROW r" or "ROW r <text>": r is a single digit */
	if (len < 1 || args[0] < '0' || args[0] > '3' || (len > 1 && args[1] != ' ')) {
		uart_line("ERR bad row");
		return;
	}
	uint8_t r = (uint8_t)(args[0] - '0');
	if (len > 2)
		lcd_row(r, args + 2, (uint8_t)(len - 2));
	else
		lcd_row(r, "", 0);
	uart_line("OK");
}

static void cmd_led(const char *args, uint8_t len)
{
	static const char names[3] = { 'g', 'a', 'r' };
	if (len != 3 || args[1] != ' ' || args[2] < '0' || args[2] > '2') {
		uart_line("ERR bad led");
		return;
	}
	const char *p = memchr(names, args[0], sizeof names);
	if (!p) {
		uart_line("ERR bad led");
		return;
	}
	io_led((uint8_t)(p - names), (uint8_t)(args[2] - '0'));
	uart_line("OK");
}

static void cmd_beep(const char *args, uint8_t len)
{
	uint16_t ms;
	if (!parse_uint(args, len, &ms) || ms < 1 || ms > 2000) {
		uart_line("ERR bad beep");
		return;
	}
	io_beep(ms);
	uart_line("OK");
}

void protocol_execute(const char *l, uint8_t len)
{
	if (len > 0 && l[len - 1] == '\r')
		len--; /* tolerate CRLF from a terminal program */
	for (uint8_t i = 0; i < len; i++) {
		if (l[i] < 0x20 || l[i] > 0x7E) {
			uart_line("ERR bad char");
			return;
		}
	}
	if (len == 0)
		uart_line("ERR empty");
	else if (is_word(l, len, "PING"))
		uart_line("PONG");
	else if (is_word(l, len, "HELLO"))
		uart_line("HELLO edoc-display " FW_VERSION " 20x4");
	else if (is_word(l, len, "CLR")) {
		lcd_clear();
		uart_line("OK");
	} else if (has_prefix(l, len, "ROW "))
		cmd_row(l + 4, (uint8_t)(len - 4));
	else if (has_prefix(l, len, "LED "))
		cmd_led(l + 4, (uint8_t)(len - 4));
	else if (has_prefix(l, len, "BEEP "))
		cmd_beep(l + 5, (uint8_t)(len - 5));
	else
		uart_line("ERR unknown command");
}
