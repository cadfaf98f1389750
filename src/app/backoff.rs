//! When to try again after a failure: exponential back-off from
//! [`FIRST`] to [`LONGEST`], reset by a success. The server's background
//! index update uses it, so that an update that keeps failing (a full disk)
//! is not started again by every request.

use std::time::{Duration, Instant};

/// The wait after the first failure.
pub const FIRST: Duration = Duration::from_secs(1);
/// The longest wait, however many failures.
pub const LONGEST: Duration = Duration::from_secs(60);

/// Failures in a row and when the next attempt may start.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
    next: Option<Instant>,
}

impl Backoff {
    /// May an attempt start at `now`?
    pub fn ready(&self, now: Instant) -> bool {
        self.next.is_none_or(|next| now >= next)
    }

    /// An attempt failed at `now`: the next waits twice as long as the
    /// last one did (from [`FIRST`], at most [`LONGEST`]).
    pub fn failed(&mut self, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        self.next = Some(now + delay(self.failures));
    }

    /// An attempt succeeded: the next may start at once.
    pub fn succeeded(&mut self) {
        *self = Backoff::default();
    }

    /// Failures in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// When the next attempt may start (`None`: now).
    pub fn next_attempt(&self) -> Option<Instant> {
        self.next
    }
}

/// The wait after `failures` failures in a row (at least one).
pub fn delay(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST.saturating_mul(1 << doublings).min(LONGEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_one_second_to_a_minute() {
        let waits: Vec<u64> = (1..=9).map(|n| delay(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(delay(u32::MAX), LONGEST);
    }

    #[test]
    fn an_attempt_waits_its_turn_and_a_success_resets() {
        let t0 = Instant::now();
        let mut b = Backoff::default();
        assert!(b.ready(t0));
        b.failed(t0);
        assert_eq!(b.failures(), 1);
        assert!(!b.ready(t0 + Duration::from_millis(999)));
        assert!(b.ready(t0 + Duration::from_secs(1)));
        let t1 = t0 + Duration::from_secs(1);
        b.failed(t1);
        assert!(!b.ready(t1 + Duration::from_millis(1999)));
        assert!(b.ready(t1 + Duration::from_secs(2)));
        assert_eq!(b.next_attempt(), Some(t1 + Duration::from_secs(2)));
        b.succeeded();
        assert!(b.ready(t1));
        assert_eq!(b.failures(), 0);
        // After a success the first failure waits one second again.
        b.failed(t1);
        assert_eq!(b.next_attempt(), Some(t1 + FIRST));
    }
}
