//! How the library tells its caller what is happening: notices, timing
//! marks and whether progress bars may be drawn. A leaf module, so that the
//! lower layers (the index) report through the same trait as the
//! application layer ([`crate::app`] re-exports it), and none of them
//! prints or reads an environment variable.

/// Where a workspace's notices go: the command line prints them on stderr,
/// the server logs them. Every method may be called from any thread.
pub trait Observer: Send + Sync {
    /// A line the user should read (what the tool did on its own, or why an
    /// answer is stale). Lines after the first are hints.
    fn notice(&self, line: &str);
    /// A step of the request reached (for profiling start-up); ignored by
    /// default.
    fn mark(&self, _step: &str) {}
    /// Whether long work (an index build) may draw progress bars.
    fn progress(&self) -> bool {
        false
    }
}

/// An observer that drops everything (library users and tests).
pub struct Quiet;

impl Observer for Quiet {
    fn notice(&self, _line: &str) {}
}
