#!/usr/bin/env bash
# Installs what bulletin-print needs on a Debian machine, once: the system libraries WeasyPrint
# uses (Pango; libharfbuzz-subset0, without which font subsetting takes seconds), poppler-utils
# and qpdf for inspecting PDFs, Debian's Chromium and its driver for the tests that drive the editor
# (`serve`) in a real browser, and the package itself with its test tools in .venv/.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig poppler-utils qpdf chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Python 3.11 or newer with venv. Debian's own /usr/bin/python3 is preferred to any other on the
# PATH: it is built with profile-guided and link-time optimisation, and builds run 13–20 % faster on
# it than on a plain self-compiled shared-library build (README, Speed).
usable() { "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
python=/usr/bin/python3
usable "$python" || { [ -x "$python" ] || missing+=(python3); missing+=(python3-venv); }
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's python3 older than 3.11: whichever python3 the PATH gives.
usable "$python" || python=$(command -v python3)
# A venv made from another interpreter is made again.
home=$("$python" -c 'import os, sys; print(os.path.dirname(sys.executable))')
if [ ! -x .venv/bin/python ] || ! grep -qxF "home = $home" .venv/pyvenv.cfg; then
  rm -rf .venv
  "$python" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[test]"
  touch "$stamp"
fi
# Bytecode for the package's own modules, which an editable install leaves uncompiled: where
# PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile them anew (0.1 s a build).
.venv/bin/python -m compileall -q src
