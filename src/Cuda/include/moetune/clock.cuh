// The GPU's global clock as inline PTX, for time limits on waits and for traces; any architecture.
#pragma once
#include "moetune/types.cuh"

namespace moetune {

// The global nanosecond clock (%globaltimer).
MOETUNE_DEVICE u64 global_time_ns() {
    u64 now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    return now;
}

// How long a wait for other threads' work may last before the kernel traps (~4.3 s): the work waited for is already
// running and finishes within microseconds, so a wait this long is a bug (a lost arrival or increment), which a trap
// turns into an error the host reports rather than a hang.
constexpr u64 kWaitLimitNs = 1ull << 32;

// Whether a wait that began at `start` (global_time_ns) has gone on past kWaitLimitNs.
MOETUNE_DEVICE bool wait_limit_passed(u64 start) { return global_time_ns() - start > kWaitLimitNs; }

}  // namespace moetune
