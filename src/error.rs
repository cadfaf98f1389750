//! Typed errors of the library. The CLI maps [`Error::is_user_error`] to exit
//! code 2 and everything else to exit code 1.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file the user named could not be read or decoded as text.
    #[error("{path}: {reason}")]
    Input { path: PathBuf, reason: String },
    /// A name (document, jurisdiction, topic, ...) that does not exist.
    #[error("unknown {what} '{name}'{}", hint(.suggestions))]
    Unknown {
        what: &'static str,
        name: String,
        suggestions: Vec<String>,
    },
    /// A malformed query or argument.
    #[error("{0}")]
    Usage(String),
    /// The catalog file is malformed.
    #[error("catalog {path}: {reason}")]
    Catalog { path: PathBuf, reason: String },
    #[error("{context}: {source}{}", io_hint(.source))]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The index could not be used or written; `source` is the engine's
    /// own error when there is one (kept for `Error::source`, its text is
    /// already in `message`).
    #[error("index: {message}")]
    Index {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Ctrl-C (SIGINT or SIGTERM) stopped a converter working on this file.
    #[error("{}: interrupted: the conversion was stopped", .0.display())]
    Interrupted(PathBuf),
    #[error("{0}")]
    Other(String),
}

/// The way out of the common I/O faults, as a `hint:` line.
fn io_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::StorageFull => "\nhint: the disk is full: free some space (or give --index DIR on another disk); reading commands answer from the last index meanwhile",
        K::FileTooLarge => "\nhint: a file could not grow (a file-size limit such as `ulimit -f`, or a full disk); reading commands answer from the last index meanwhile",
        K::PermissionDenied => "\nhint: policy-diff lacks the permission for that path: fix its permissions, or give --index DIR (or --corpus DIR) it may use",
        K::ReadOnlyFilesystem => "\nhint: that directory is on a read-only filesystem: give --index DIR on a writable disk to search it",
        K::NotADirectory => "\nhint: a file stands where a directory is expected: move it, or give another --index / --corpus",
        _ => "",
    }
}

fn hint(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("\nhint: did you mean {}?", suggestions.join(", "))
    }
}

impl Error {
    /// User errors exit with code 2: bad input files, unknown names, bad queries.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Input { .. } | Error::Unknown { .. } | Error::Usage(_) | Error::Catalog { .. }
        )
    }

    /// An index error of our own (no underlying error).
    pub fn index(message: impl Into<String>) -> Self {
        Error::Index {
            message: message.into(),
            source: None,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Names from `candidates` close to `name`, best first (strsim), for hints.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| {
            let s = strsim::normalized_levenshtein(name, c).max(
                if c.contains(name) || name.contains(c) {
                    0.6
                } else {
                    0.0
                },
            );
            (s, c)
        })
        .filter(|(s, _)| *s >= 0.3)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod io_fault_tests {
    use super::Error;

    /// The faults the tests cannot cause without privileges (a full disk, a
    /// read-only filesystem: `ulimit -f` gives EFBIG, permissions EACCES)
    /// read as plainly as those they can: the path, the system's words and
    /// the way out.
    #[test]
    fn every_common_fault_names_the_path_and_the_way_out() {
        for (errno, words, way_out) in [
            (28, "No space left on device", "the disk is full"),
            (30, "Read-only file system", "read-only filesystem"),
            (27, "File too large", "file-size limit"),
            (13, "Permission denied", "lacks the permission"),
            (20, "Not a directory", "a file stands where a directory"),
        ] {
            let e = Error::io(
                "writing /data/index/gen-2/texts.bin",
                std::io::Error::from_raw_os_error(errno),
            );
            let shown = e.to_string();
            assert!(
                shown.starts_with("writing /data/index/gen-2/texts.bin: "),
                "{shown}"
            );
            assert!(shown.contains(words), "{errno}: {shown}");
            assert!(
                shown.contains(&format!("\nhint: {}", "")),
                "{errno}: {shown}"
            );
            assert!(shown.contains(way_out), "{errno}: {shown}");
            assert!(!e.is_user_error());
        }
    }
}
