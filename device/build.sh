#!/usr/bin/env bash
# Builds the display firmware (device/build/edoc-display.elf) and, when simavr's
# development files are present, its simulator harness (device/build/display-sim).
# Usage: device/build.sh [--firmware-only]      (npm run device:build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build"
mkdir -p "$out"

# Test files and the demo may run this at the same moment: each run writes its own temp files
# and renames them into place, so nobody ever loads half an ELF.
tmp=".$$.tmp"
trap 'rm -f "$out"/*"$tmp"' EXIT

fw="$here/display-firmware"
avr-gcc -mmcu=atmega328p -DF_CPU=16000000UL -Os -std=gnu99 -Wall -Wextra -Werror \
  -ffunction-sections -fdata-sections -Wl,--gc-sections \
  -o "$out/edoc-display.elf$tmp" "$fw"/main.c "$fw"/lcd.c "$fw"/uart.c "$fw"/io.c "$fw"/protocol.c
mv "$out/edoc-display.elf$tmp" "$out/edoc-display.elf"
avr-size "$out/edoc-display.elf" >&2 || true

if [[ "${1:-}" == "--firmware-only" ]]; then exit 0; fi

# libsimavr (GPL-3) is only linked into this test tool, never into the gateway.
if pkg-config --exists simavr simavrparts 2>/dev/null; then
  flags="$(pkg-config --cflags --libs simavr simavrparts)"
else
  flags="-I/usr/include/simavr -I/usr/include/simavr/parts -lsimavr -lsimavrparts"
fi
# shellcheck disable=SC2086
gcc -O2 -std=gnu99 -Wall -o "$out/display-sim$tmp" "$here/sim/display-sim.c" \
  $flags -lelf -lpthread -lutil
mv "$out/display-sim$tmp" "$out/display-sim"
