#!/usr/bin/env bash
# Installs the system packages the project needs, if missing: PostgreSQL (server and client),
# libcurl's and libmosquitto's development files (outgoing HTTP; the MQTT event endpoint), the
# mosquitto broker (the MQTT tests run one on loopback), and Python with venv (for the SDK
# conformance suite).
# Debian/Ubuntu, as root or with sudo.
set -euo pipefail

# pkg-config lets SwiftPM find libcurl (Package.swift: CCurl).
packages=(postgresql libcurl4-openssl-dev libmosquitto-dev mosquitto pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Any python3 that can make a virtual environment will do (Debian's needs python3-venv).
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
