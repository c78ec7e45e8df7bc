#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# List the valid target names, one per line: the default ones (make test)
# then the opt-in ones (make test-next). --default / --next: only those.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
case ${1:-} in
--default) default_targets ;;
--next) next_targets ;;
'') all_targets ;;
*) die "usage: $0 [--default|--next]" ;;
esac
