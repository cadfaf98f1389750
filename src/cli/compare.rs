//! `policy-diff compare` (being written).

use super::Ctx;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("compare: not implemented yet")
}
