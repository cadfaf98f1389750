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
    /// Threads answering requests.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub workers: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    // The corpus must open now, not at the first request.
    ctx.corpus()?;
    let token = (!args.bind.is_loopback() && !args.read_only).then(new_token);
    let server = Server::start(Config {
        corpus_dir: ctx.corpus_dir.clone(),
        index_dir: ctx.index_dir.clone(),
        topics_file: ctx.topics_file.clone(),
        bind: SocketAddr::new(args.bind, args.port),
        read_only: args.read_only,
        token: token.clone(),
        workers: args.workers,
    })?;
    let mut url = format!("http://{}/", server.addr());
    if let Some(t) = &token {
        url.push_str(&format!("?token={t}"));
    }
    println!("policy-diff: serving {} at {url}", ctx.corpus_dir.display());
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
