/* LEDs (with blink), buzzer and buttons, all driven by a 1 kHz tick (Timer0). */
#ifndef IO_H
#define IO_H

#include <stdint.h>

enum { LED_G = 0, LED_A = 1, LED_R = 2 };
enum { LED_OFF = 0, LED_ON = 1, LED_BLINK = 2 };

/* Button events reported by io_take_events(): bit (2*(button-1) + long). */
#define EV_BTN1_SHORT 0x01
#define EV_BTN1_LONG 0x02
#define EV_BTN2_SHORT 0x04
#define EV_BTN2_LONG 0x08

void io_init(void);
void io_led(uint8_t led, uint8_t mode);
void io_beep(uint16_t ms);
/* Returns and clears the pending button events. */
uint8_t io_take_events(void);

#endif
