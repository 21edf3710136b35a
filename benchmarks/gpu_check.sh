#!/usr/bin/env bash
# The GPU check in one command (see gpu_check.py): under 5 minutes on one CUDA device; where no
# GPU (or no torch) is present it says so and exits 0. Needs the [bench] extra (Kymatio, torch).
set -euo pipefail
cd "$(dirname "$0")"
exec python3 gpu_check.py "$@"
