/*
 * HD44780 driver, 4-bit, write-only. Timing comes from the datasheet rather than the
 * busy flag because RW is tied low; the waits are short busy-loops (tens of µs), so
 * the UART receive interrupt keeps running underneath.
 */
#include <util/delay.h>
#include "board.h"
#include "lcd.h"

/* DDRAM start of each row on a 20x4 (rows 2 and 3 continue rows 0 and 1). */
static const uint8_t row_addr[LCD_ROWS] = { 0x00, 0x40, 0x14, 0x54 };

static void pulse_nibble(uint8_t nibble, uint8_t rs)
{
	uint8_t v = (LCD_PORT & ~(LCD_DATA_MASK | LCD_RS | LCD_E)) | (nibble & 0x0F);
	if (rs)
		v |= LCD_RS;
	LCD_PORT = v;
	_delay_us(1);
	LCD_PORT = v | LCD_E;
	_delay_us(1); /* E high >= 450 ns */
	LCD_PORT = v;
	_delay_us(1);
}

static void write_byte(uint8_t b, uint8_t rs)
{
	pulse_nibble(b >> 4, rs);
	pulse_nibble(b & 0x0F, rs);
	_delay_us(50); /* 37 µs execution time plus margin */
}

static void command(uint8_t c)
{
	write_byte(c, 0);
}

void lcd_init(void)
{
	LCD_DDR |= LCD_DATA_MASK | LCD_RS | LCD_E;
	LCD_PORT &= ~(LCD_DATA_MASK | LCD_RS | LCD_E);
	_delay_ms(50); /* power-on: Vcc must settle before the first instruction */
	/* The controller may be in 8-bit mode or half-way through a 4-bit byte after a
	 * reset of the MCU alone: three "8-bit" function sets resynchronise it. */
	pulse_nibble(0x3, 0);
	_delay_ms(5);
	pulse_nibble(0x3, 0);
	_delay_us(150);
	pulse_nibble(0x3, 0);
	_delay_us(150);
	pulse_nibble(0x2, 0); /* now 4-bit */
	_delay_us(150);
	command(0x28); /* 4-bit, 2 "lines" (= 4 rows on a 20x4), 5x8 font */
	command(0x08); /* display off while we set up */
	command(0x01); /* clear */
	_delay_ms(2);  /* clear takes 1.52 ms */
	command(0x06); /* increment, no shift */
	command(0x0C); /* display on, no cursor */
	lcd_clear();
}

void lcd_row(uint8_t r, const char *text, uint8_t len)
{
	if (r >= LCD_ROWS)
		return;
	command(0x80 | row_addr[r]);
	for (uint8_t i = 0; i < LCD_COLS; i++)
		write_byte(i < len ? (uint8_t)text[i] : ' ', 1);
}

void lcd_clear(void)
{
	/* Writing spaces row by row instead of relying on the clear instruction alone:
	 * the result is the same on glass, and simavr's HD44780 model only wipes the
	 * first 80 bytes of its VRAM, which leaves parts of rows 1 and 3 behind. */
	for (uint8_t r = 0; r < LCD_ROWS; r++)
		lcd_row(r, "", 0);
}
