#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# List the valid target names, one per line: the default ones (make test)
# then the opt-in ones (make test-next, make test-debug). --default / --next /
# --debug: only those.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
case ${1:-} in
--default) default_targets ;;
--next) next_targets ;;
--debug) debug_targets ;;
'') all_targets ;;
*) die "usage: $0 [--default|--next|--debug]" ;;
esac
