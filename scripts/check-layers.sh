#!/usr/bin/env bash
# The pure modules stay pure: ADTWire, DTDL, TwinQuery and EventRoutes take values and return
# values, so they import nothing but each other and the C library (for gmtime_r and libm), never
# Foundation (and so never FoundationNetworking) nor any I/O module (NIO, PostgresNIO,
# Hummingbird, libcurl).
# That a module imports only targets it declares is checked by the build itself
# (--explicit-target-dependency-import-check error, in scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [ADTWire]="Glibc Musl Darwin"
  [DTDL]="ADTWire Glibc Musl Darwin"
  [TwinQuery]=""
  [EventRoutes]="ADTWire"
)
status=0
for module in "${!allowed[@]}"; do
  while IFS= read -r line; do
    file=${line%%:*}
    imported=$(sed -E 's/^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)*import[[:space:]]+(class |struct |enum |func |var |let |protocol |typealias )?([A-Za-z_][A-Za-z0-9_]*).*/\4/' <<<"${line#*:}")
    if [[ " ${allowed[$module]} " != *" $imported "* ]]; then
      echo "error: $file imports $imported; the pure module $module may import only: ${allowed[$module]:-nothing}" >&2
      status=1
    fi
  done < <(grep -rHE '^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)*import[[:space:]]' "Sources/$module" --include='*.swift' | sed -E 's/^([^:]+):/\1:/')
done
if [ "$status" -eq 0 ]; then echo "layers: ADTWire, DTDL, TwinQuery and EventRoutes import no I/O module"; fi
# Foundation below domain below executables, no declared dependency left unused, and
# docs/ARCHITECTURE.md's graph the same as Package.swift's.
python3 scripts/architecture-graph.py --check || status=1
exit "$status"
