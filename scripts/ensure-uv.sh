#!/usr/bin/env bash
# Installs a pinned uv into .tools/ from the package index when it is not there yet, then prints
# its path. Needs only python3 (with venv, or with pip as a fallback).
set -euo pipefail
UV_VERSION="${UV_VERSION:-0.13.9}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
for candidate in "$tools/venv/bin/uv" "$tools/pip-target/bin/uv"; do
  if [ -x "$candidate" ] && "$candidate" --version 2>/dev/null | grep -q "uv $UV_VERSION"; then
    echo "$candidate"; exit 0
  fi
done
mkdir -p "$tools"
echo "installing uv $UV_VERSION into $tools" >&2
if python3 -m venv "$tools/venv" >/dev/null 2>&1 && [ -x "$tools/venv/bin/pip" ]; then
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION" >&2
  echo "$tools/venv/bin/uv"
else
  rm -rf "$tools/venv"
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools/pip-target" \
    "uv==$UV_VERSION" >&2
  echo "$tools/pip-target/bin/uv"
fi
