//! `policy-diff serve`: the workbench in a browser, until Ctrl-C.

use std::net::{IpAddr, SocketAddr};

use policy_diff::serve::{new_token, Config, Server};
use policy_diff::Error;

use super::Ctx;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Port to listen on (0: any free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Beyond loopback, the server asks for a token
    /// it prints, unless --read-only.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Open the page in the default browser (xdg-open / open).
    #[arg(long)]
    pub open: bool,
    /// Refuse every request that would change the corpus.
    #[arg(long)]
    pub read_only: bool,
    /// The largest upload the Add page takes, in MB (larger ones are
    /// refused with 413).
    #[arg(long, default_value_t = 32, value_name = "MB")]
    pub max_upload: usize,
    /// Threads answering requests.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub workers: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    // The corpus must open now, not at the first request.
    ctx.corpus()?;
    let token = (!args.bind.is_loopback() && !args.read_only).then(new_token);
    if args.max_upload == 0 {
        return Err(Error::Usage("--max-upload must be at least 1 (MB)".into()).into());
    }
    let server = Server::start(Config {
        topics_file: ctx.topics_file.clone(),
        bind: SocketAddr::new(args.bind, args.port),
        read_only: args.read_only,
        token: token.clone(),
        workers: args.workers,
        max_upload: args.max_upload.saturating_mul(1024 * 1024),
        ..Config::new(ctx.corpus_dir.clone(), ctx.index_dir.clone())
    })?;
    let mut url = format!("http://{}/", server.addr());
    if let Some(t) = &token {
        url.push_str(&format!("?token={t}"));
    }
    println!("policy-diff: serving {} at {url}", ctx.corpus_dir.display());
    if !args.read_only {
        eprintln!(
            "policy-diff: the Add page (http://{}/add) takes uploads of up to {} MB (--max-upload)",
            server.addr(),
            args.max_upload
        );
    }
    eprintln!("policy-diff: Ctrl-C stops the server");
    if args.open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        if std::process::Command::new(opener)
            .arg(&url)
            .spawn()
            .is_err()
        {
            eprintln!("policy-diff: could not run {opener}; open {url} yourself");
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .map_err(|e| Error::Usage(format!("cannot catch Ctrl-C: {e}")))?;
    let _ = rx.recv();
    eprintln!("policy-diff: stopping (finishing the requests being answered)");
    server.stop();
    Ok(0)
}
