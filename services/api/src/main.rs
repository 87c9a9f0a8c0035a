//! The `copmatch` binary.

use clap::Parser;
use copmatch_api::cli::{run, Cli};
use copmatch_api::telemetry::init_logging;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match cli.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("copmatch: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(&settings.log, settings.log_format);
    let result = actix_web::rt::System::new().block_on(run(cli, settings));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("copmatch: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
