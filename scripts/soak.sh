#!/usr/bin/env bash
# `npm run soak`: the fault suite (test/fault/) with soak counts — EDOC_SOAK=1 raises them (20 SIGKILLs
# of a gateway instead of 5, more documents per axis fault) and the per-file timeout accordingly.
# It spawns the built CLI, so it builds first. Extra arguments go to tap (e.g. a single file).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
EDOC_SOAK=1 exec npx tap --timeout=3600 --reporter=tap "${@:-test/fault/}"
