// SPDX-License-Identifier: GPL-2.0-or-later
/* STUB: replaced by the cpuset implementation. */
#include "model/cpuset.h"
