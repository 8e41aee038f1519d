/* Protocol v1 (spec/serial.md): line assembly and command dispatch. */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include <stdint.h>

#define LINE_MAX 64 /* bytes before the newline; '\r' before it is tolerated */

/* Feeds one received byte; a complete line is executed and answered in place. */
void protocol_feed(uint8_t b);
/* The receive ring dropped bytes: the line being assembled can no longer be trusted. */
void protocol_overrun(void);
/* Runs one complete command line (no newline) and sends its answer. */
void protocol_execute(const char *line, uint8_t len);

#endif
