//! The `copmatch` binary.

use clap::Parser;
use copmatch_api::cli::{run, Cli};
use copmatch_api::telemetry::init_logging;

/// jemalloc, and unprefixed, so that libtorch's C++ allocations use it too:
/// under load the model allocates and frees activations for every forward
/// pass, and glibc's malloc spent about 13 % of the CPU on them (perf, see
/// README "Performance"); with jemalloc the c=1 p50 fell by about 0.6 ms.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
