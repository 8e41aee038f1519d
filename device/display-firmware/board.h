/*
 * edoc-display firmware — board wiring (ATmega328P @ 16 MHz).
 *
 * The LCD pins follow the layout simavr's hd44780 part and the avr-libc LCD example
 * use (D4..D7 on the low nibble of one port, RS and E next to them), so the same
 * ELF runs on the bench board and in device/sim/display-sim without a remap.
 *
 *   PB0..PB3  HD44780 D4..D7 (4-bit mode)
 *   PB4       HD44780 RS
 *   PB5       HD44780 E
 *   (RW)      tied to GND: we never read the busy flag, we wait the datasheet times
 *   PC0       green LED  (active high, 330 ohm)
 *   PC1       amber LED  (active high)
 *   PC2       red LED    (active high)
 *   PC3       active buzzer (high = sound, via an NPN if it draws > 20 mA)
 *   PD0/PD1   UART RX/TX to the gateway, 115200 8N1
 *   PD2       button 1 to GND (internal pull-up, active low)
 *   PD3       button 2 to GND (internal pull-up, active low)
 */
#ifndef BOARD_H
#define BOARD_H

#include <avr/io.h>

/* The UART divider (uart.c), the 1 kHz Timer0 tick (io.c) and the LCD delays are worked out
 * for a 16 MHz crystal. At 8 MHz, 115200 baud would be 3.5 % off (beyond what the receiver
 * tolerates) and every timing would halve, so refuse to build rather than misbehave. */
#if !defined(F_CPU) || F_CPU != 16000000UL
#error "edoc-display is timed for F_CPU=16000000UL (see device/build.sh)"
#endif

#define FW_VERSION "1.0.0"
#define LCD_COLS 20
#define LCD_ROWS 4

#define LCD_PORT PORTB
#define LCD_DDR DDRB
#define LCD_DATA_MASK 0x0F
#define LCD_RS _BV(PB4)
#define LCD_E _BV(PB5)

#define OUT_PORT PORTC
#define OUT_DDR DDRC
#define LED_GREEN _BV(PC0)
#define LED_AMBER _BV(PC1)
#define LED_RED _BV(PC2)
#define BUZZER _BV(PC3)

#define BTN_PORT PORTD
#define BTN_PIN PIND
#define BTN1 _BV(PD2)
#define BTN2 _BV(PD3)

#endif
