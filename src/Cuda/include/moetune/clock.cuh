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

// Tries `done()` until it answers true, calling `pause()` between tries; traps once the wait has gone on past
// kWaitLimitNs. A time, not a count of tries (how long a try or a pause takes is up to the hardware), read only after a
// first failed try and then once per 1024 tries, so that a waiting warp's loop stays at its try, its pause and its branch.
template <typename Done, typename Pause>
MOETUNE_DEVICE void wait_until(const Done& done, const Pause& pause) {
    if (done()) return;
    const u64 start = global_time_ns();
    for (u32 tries = 1; !done(); ++tries) {
        if ((tries & 1023u) == 0 && global_time_ns() - start > kWaitLimitNs) __trap();
        pause();
    }
}

}  // namespace moetune
