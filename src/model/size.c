// SPDX-License-Identifier: GPL-2.0-or-later
/* STUB: replaced by the size implementation. */
#include "model/size.h"
