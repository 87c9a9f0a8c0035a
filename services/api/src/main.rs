//! The `copmatch` binary.

use std::io::IsTerminal;

use clap::Parser;
use copmatch_api::cli::{run, Cli};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match cli.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("copmatch: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.log));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let result = actix_web::rt::System::new().block_on(run(cli, settings));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("copmatch: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
