#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# List the valid target names, one per line.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
all_targets
