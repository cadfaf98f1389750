//! The one way `add` runs an external converter (pdftotext, pdftoppm,
//! tesseract, LibreOffice): a subprocess in a process group of its own, with
//! a time limit after which the whole group (LibreOffice's launcher and the
//! office process it forks) is killed, stdout and stderr read on threads so
//! a chatty tool never blocks, and a scratch folder that is removed whatever
//! happens: when the conversion ends, fails or times out (the folder is
//! dropped), and, when policy-diff itself was killed, by the next conversion
//! ([`Scratch::new`] removes the scratch folders of processes that no longer
//! exist).
//!
//! Ctrl-C: the front end catches SIGINT/SIGTERM and calls [`interrupt`],
//! which kills the process group of every converter running; each [`run`]
//! then returns [`Error::Interrupted`] and its scratch folder is dropped, so
//! `add` stops with nothing added. No converter is started after it.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Seconds any converter may run on one file or page (environment variable;
/// a converter's own variable, such as `POLICY_DIFF_PDF_TIMEOUT`, wins).
pub const TIMEOUT_ENV: &str = "POLICY_DIFF_CONVERT_TIMEOUT";

/// An external program `add` relies on.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The command run by default (`soffice`).
    pub program: &'static str,
    /// Environment variable naming another command instead (tests use it).
    pub program_env: &'static str,
    /// What it is for, in a refusal: "reading .doc and .wps files".
    pub purpose: &'static str,
    /// How to install it: "install libreoffice-writer-nogui (…)".
    pub install: &'static str,
    /// Environment variable of its own time limit, if it has one.
    pub timeout_env: Option<&'static str>,
    /// Seconds it may run by default.
    pub default_secs: f64,
}

impl Tool {
    pub fn program(&self) -> OsString {
        std::env::var_os(self.program_env).unwrap_or_else(|| self.program.into())
    }

    /// The time limit: the tool's own variable, else [`TIMEOUT_ENV`], else its default.
    pub fn timeout(&self) -> Duration {
        let secs = self
            .timeout_env
            .into_iter()
            .chain([TIMEOUT_ENV])
            .find_map(|v| {
                std::env::var(v)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .filter(|s| *s > 0.0 && s.is_finite())
            })
            .unwrap_or(self.default_secs);
        Duration::from_secs_f64(secs)
    }

    /// The variable a user sets to allow longer.
    fn timeout_var(&self) -> &'static str {
        self.timeout_env.unwrap_or(TIMEOUT_ENV)
    }

    /// A command for this tool (its program, stdin closed).
    pub fn command(&self) -> Command {
        let mut c = Command::new(self.program());
        c.stdin(Stdio::null());
        c
    }

    /// Whether the program can be started at all.
    pub fn available(&self) -> bool {
        let program = self.program();
        let p = Path::new(&program);
        if p.components().count() > 1 {
            return p.is_file();
        }
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(&program).is_file()))
    }
}

/// Set once by [`interrupt`].
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// The process groups of the converters running now; locked while one is
/// started, so that none starts after [`interrupt`] looked.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());
/// The scratch folders in use now.
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Stop every conversion (the front end calls it on Ctrl-C or SIGTERM):
/// each running converter's process group is killed, its [`run`] returns
/// [`Error::Interrupted`] and its scratch folder goes with it; no converter
/// starts afterwards. Returns whether one was running. When none was, the
/// caller is expected to exit at once: the scratch folders in use are
/// removed here, as nothing will drop them.
pub fn interrupt() -> bool {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    for pgid in running.iter() {
        kill_pgid(*pgid);
    }
    if running.is_empty() {
        for d in SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
    !running.is_empty()
}

/// Whether [`interrupt`] was called.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn kill_pgid(pgid: i32) {
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals a process group we created.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

/// What a finished converter left.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    /// The first lines of stderr (at most 64 KB read).
    pub stderr: String,
}

impl Finished {
    /// Up to three non-blank lines of stderr, else the exit status.
    pub fn why(&self) -> String {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.contains("javaldx"))
            .take(3)
            .collect();
        if lines.is_empty() {
            self.status.to_string()
        } else {
            lines.join("; ")
        }
    }
}

/// Run `cmd` (made by [`Tool::command`]) under `tool`'s time limit. `file`
/// names the document in errors. A program that cannot be found is a
/// refusal naming the package to install; one that runs too long is killed
/// with everything it started.
pub fn run(tool: &Tool, mut cmd: Command, file: &Path) -> Result<Finished> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    if interrupted() {
        return Err(Error::Interrupted(file.to_path_buf()));
    }
    let mut child = cmd.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::input(
                file,
                format!(
                    "{} needs `{}`, which was not found: {}",
                    tool.purpose, tool.program, tool.install
                ),
            )
        } else {
            Error::input(file, format!("cannot run {}: {e}", tool.program))
        }
    })?;
    let pgid = child.id() as i32;
    running.push(pgid);
    drop(running);
    let _registered = Registered(pgid);
    let mut stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.take(64 * 1024).read_to_end(&mut v);
        v
    });
    let limit = tool.timeout();
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if interrupted() => {
                kill_group(&mut child);
                let _ = out.join();
                let _ = err.join();
                return Err(Error::Interrupted(file.to_path_buf()));
            }
            Ok(None) if started.elapsed() >= limit => {
                kill_group(&mut child);
                let _ = out.join();
                let _ = err.join();
                return Err(Error::input(
                    file,
                    format!(
                        "{} did not finish within {} s (set {} to allow longer)",
                        tool.program,
                        fmt_secs(limit),
                        tool.timeout_var()
                    ),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                kill_group(&mut child);
                return Err(Error::input(
                    file,
                    format!("waiting for {}: {e}", tool.program),
                ));
            }
        }
    };
    // The tool is done; anything it left running in its group goes too
    // (a grandchild holding the pipes would block the readers).
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals the group we created.
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGKILL);
    }
    let stdout = out.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    if interrupted() {
        // Killed by `interrupt` as it ended: its output is not to be trusted.
        return Err(Error::Interrupted(file.to_path_buf()));
    }
    Ok(Finished {
        status,
        stdout,
        stderr,
    })
}

/// A running converter's entry in [`RUNNING`], removed when dropped.
struct Registered(i32);

impl Drop for Registered {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|p| *p != self.0);
    }
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if (s - s.round()).abs() < 1e-9 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals the process group the
    // child leads (it was started with process_group(0)).
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Prefix of scratch folders in the system's temporary directory.
const SCRATCH_PREFIX: &str = "policy-diff-convert-";

/// A private temporary folder for one conversion (inputs copied under plain
/// names, outputs, LibreOffice's user profile), removed when dropped.
#[derive(Debug)]
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new scratch folder; first removes those left by processes that no
    /// longer run (a policy-diff killed mid-conversion).
    pub fn new() -> Result<Scratch> {
        sweep_stale(&std::env::temp_dir());
        let dir = tempfile::Builder::new()
            .prefix(&format!("{SCRATCH_PREFIX}{}-", std::process::id()))
            .tempdir()
            .map_err(|e| Error::io("creating a temporary folder for the conversion", e))?;
        SCRATCH
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir.path().to_path_buf());
        Ok(Scratch { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write `bytes` into the folder as `name`; the path written.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
        Ok(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // The folder itself goes with `dir`.
        let mut all = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|p| p != self.dir.path());
    }
}

/// Remove scratch folders whose process is gone.
fn sweep_stale(tmp: &Path) {
    let Ok(rd) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(SCRATCH_PREFIX) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !alive(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(all(unix, not(target_os = "linux")))]
fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: Tool = Tool {
        program: "sh",
        program_env: "POLICY_DIFF_TEST_NO_SUCH_VAR",
        purpose: "testing",
        install: "install a shell",
        timeout_env: Some("POLICY_DIFF_TEST_NO_SUCH_TIMEOUT"),
        default_secs: 1.0,
    };

    #[test]
    fn output_status_and_a_hung_group_killed() {
        let mut c = SH.command();
        c.args(["-c", "echo 第一条; echo oops >&2; exit 3"]);
        let f = run(&SH, c, Path::new("x.doc")).unwrap();
        assert_eq!(String::from_utf8_lossy(&f.stdout), "第一条\n");
        assert_eq!(f.why(), "oops");
        assert_eq!(f.status.code(), Some(3));
        // A child that forks a sleeper which keeps the pipe open: both are
        // killed at the limit, and the call returns soon after it.
        let started = Instant::now();
        let mut c = SH.command();
        c.args(["-c", "sleep 30 & sleep 30"]);
        let e = run(&SH, c, Path::new("hang.doc")).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        let msg = e.to_string();
        assert!(
            msg.contains("hang.doc") && msg.contains("did not finish within 1 s"),
            "{msg}"
        );
    }

    #[test]
    fn missing_program_names_the_package() {
        let tool = Tool {
            program: "policy-diff-no-such-converter",
            ..SH
        };
        let e = run(&tool, tool.command(), Path::new("a.wps")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("a.wps") && msg.contains("install a shell"),
            "{msg}"
        );
        assert!(e.is_user_error());
        assert!(!tool.available());
        assert!(SH.available());
    }

    #[test]
    fn scratch_folders_go_when_dropped_or_orphaned() {
        let s = Scratch::new().unwrap();
        let p = s.path().to_path_buf();
        s.put("a.txt", b"x").unwrap();
        drop(s);
        assert!(!p.exists());
        // One left by a process that is gone (pid numbers this high are not in use).
        let tmp = tempfile::tempdir().unwrap();
        let orphan = tmp.path().join(format!("{SCRATCH_PREFIX}4000000000-abc"));
        let mine = tmp
            .path()
            .join(format!("{SCRATCH_PREFIX}{}-abc", std::process::id()));
        std::fs::create_dir_all(orphan.join("profile")).unwrap();
        std::fs::create_dir_all(&mine).unwrap();
        sweep_stale(tmp.path());
        assert!(!orphan.exists());
        assert!(mine.exists());
    }
}
