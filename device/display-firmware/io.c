/*
 * Everything time-based lives in one 1 ms timer interrupt so the main loop can sleep:
 * LED blink phase, buzzer duration and button debounce/press timing. The ISR only
 * sets flags; the main loop does the talking (the UART is not touched here).
 */
#include <avr/interrupt.h>
#include <util/atomic.h>
#include "board.h"
#include "io.h"

#define BLINK_HALF_MS 500
#define DEBOUNCE_MS 20
#define LONG_PRESS_MS 800

static const uint8_t led_bit[3] = { LED_GREEN, LED_AMBER, LED_RED };

static volatile uint8_t led_mode[3];
static volatile uint16_t beep_left; /* ms of sound still to make */
static volatile uint8_t events;

struct button {
	uint8_t mask;    /* pin in BTN_PIN */
	uint8_t stable;  /* debounced state, 1 = pressed */
	uint8_t count;   /* ms the raw state has differed from stable */
	uint16_t held;   /* ms held since the debounced press */
	uint8_t long_sent;
	uint8_t ev_short, ev_long;
};

static struct button buttons[2] = {
	{ BTN1, 0, 0, 0, 0, EV_BTN1_SHORT, EV_BTN1_LONG },
	{ BTN2, 0, 0, 0, 0, EV_BTN2_SHORT, EV_BTN2_LONG },
};

static uint16_t blink_ms;

static void tick_button(struct button *b)
{
	uint8_t raw = (BTN_PIN & b->mask) ? 0 : 1; /* active low */
	if (raw != b->stable) {
		if (++b->count >= DEBOUNCE_MS) {
			b->stable = raw;
			b->count = 0;
			if (raw) {
				b->held = 0;
				b->long_sent = 0;
			} else if (!b->long_sent) {
				events |= b->ev_short; /* released before the long threshold */
			}
		}
	} else {
		b->count = 0;
	}
	/* A long press is reported while still held, so the user gets feedback
	 * without having to guess when to let go. */
	if (b->stable && !b->long_sent && ++b->held >= LONG_PRESS_MS) {
		b->long_sent = 1;
		events |= b->ev_long;
	}
}

ISR(TIMER0_COMPA_vect)
{
	if (++blink_ms >= 2 * BLINK_HALF_MS)
		blink_ms = 0;
	uint8_t phase_on = blink_ms < BLINK_HALF_MS;
	uint8_t out = OUT_PORT & ~(LED_GREEN | LED_AMBER | LED_RED | BUZZER);
	for (uint8_t i = 0; i < 3; i++) {
		uint8_t m = led_mode[i];
		if (m == LED_ON || (m == LED_BLINK && phase_on))
			out |= led_bit[i];
	}
	if (beep_left) {
		beep_left--;
		if (beep_left)
			out |= BUZZER;
	}
	OUT_PORT = out;
	tick_button(&buttons[0]);
	tick_button(&buttons[1]);
}

void io_init(void)
{
	OUT_DDR |= LED_GREEN | LED_AMBER | LED_RED | BUZZER;
	OUT_PORT &= ~(LED_GREEN | LED_AMBER | LED_RED | BUZZER);
	BTN_PORT |= BTN1 | BTN2; /* pull-ups: a released button reads 1 */
	/* Timer0 CTC: 16 MHz / 64 / 250 = 1 kHz */
	TCCR0A = _BV(WGM01);
	OCR0A = 249;
	TCCR0B = _BV(CS01) | _BV(CS00);
	TIMSK0 = _BV(OCIE0A);
}

void io_led(uint8_t led, uint8_t mode)
{
	if (led < 3)
		led_mode[led] = mode; /* one byte: atomic; the ISR applies it within 1 ms */
}

void io_beep(uint16_t ms)
{
	ATOMIC_BLOCK(ATOMIC_RESTORESTATE)
	{
		beep_left = ms + 1; /* the first tick only starts the sound */
	}
}

uint8_t io_take_events(void)
{
	uint8_t e;
	ATOMIC_BLOCK(ATOMIC_RESTORESTATE)
	{
		e = events;
		events = 0;
	}
	return e;
}
