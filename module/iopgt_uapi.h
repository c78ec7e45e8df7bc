/* SPDX-License-Identifier: GPL-2.0 */
/* The ABI header, by its path in the source tree (DKMS copies uapi/ too). */
#ifndef _IOPGT_UAPI_H
#define _IOPGT_UAPI_H
#include "../uapi/linux/iopgt.h"
#endif
