//! Software prefetch: a hint that memory is about to be read, so its cache misses overlap
//! with work instead of following it. It reads nothing and changes no result; on targets
//! without the instruction it does nothing.

/// Asks for the `n` cache lines from `p` on (any address, even a dangling one, is allowed:
/// a prefetch never faults).
#[inline(always)]
pub fn lines(p: *const u8, n: usize) {
    #[cfg(target_arch = "x86_64")]
    for k in 0..n {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: `prefetch` is a hint that does not access memory and cannot fault, whatever
        // the address; `wrapping_add` keeps the pointer arithmetic defined.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(64 * k).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, n);
}
