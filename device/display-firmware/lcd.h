/* HD44780 20x4 in 4-bit mode, write-only (RW tied low). */
#ifndef LCD_H
#define LCD_H

#include <stdint.h>

void lcd_init(void);
/* Writes row r (0..3): text is copied up to the width and padded with spaces. */
void lcd_row(uint8_t r, const char *text, uint8_t len);
/* Blanks all rows by writing spaces (see lcd.c for why not only the clear command). */
void lcd_clear(void);

#endif
