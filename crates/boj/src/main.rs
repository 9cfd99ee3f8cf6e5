//! The `boj` command. Results go to standard output, progress and messages to standard error.
//! Exit status: 0 success, 1 a verification failed, 2 usage error, 3 any other failure (SPEC § 4).

mod cli;
mod demo;
mod demo_arenden;
mod start;

use clap::Parser;
use std::process::ExitCode;

/// The report engine's large, short-lived buffers (a quarter's record, a year's coded cases) are
/// freed on other threads than the SQLite workers that filled them; mimalloc gives that memory back
/// where the system allocator's per-thread arenas kept it (BENCHMARKS.md: resident memory).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let filter = std::env::var("BOJ_LOG").unwrap_or_else(|_| {
        if matches!(args.command, cli::Command::Serve(_) | cli::Command::Demo(_)) {
            "info"
        } else {
            "warn"
        }
        .into()
    });
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("boj: kan inte starta: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("boj: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
