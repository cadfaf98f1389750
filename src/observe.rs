//! How the library tells its caller what is happening: notices, timing
//! marks and the progress of long work. A leaf module, so that the
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
    /// Long work of `total` steps (counted in `unit`s, e.g. documents)
    /// begins, named `what`: how to report its steps, or `None` (the
    /// default) to report nothing. The command line draws a bar on a
    /// terminal; the library never draws.
    fn progress(&self, _what: &str, _total: u64, _unit: &str) -> Option<Box<dyn Progress>> {
        None
    }
}

/// The steps of one piece of long work, as [`Observer::progress`] reports
/// them; any thread may advance it.
pub trait Progress: Send + Sync {
    /// `steps` more steps are done.
    fn advance(&self, steps: u64);
    /// The work is over (done or failed).
    fn finish(&self);
}

/// An observer that drops everything (library users and tests).
pub struct Quiet;

impl Observer for Quiet {
    fn notice(&self, _line: &str) {}
}
