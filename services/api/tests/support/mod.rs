//! The real `copmatch serve`, started as a child process on port 0.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    pub base: String,
    /// Its standard error.
    pub log: PathBuf,
}

/// Starts the binary on `dir/var` (no catalog import, no liveness checks).
pub fn start(dir: &Path) -> Server {
    start_with(dir, &[])
}

/// [`start`] with more `COPMATCH__*` settings. The address comes from
/// `http.address_file`, never from the log.
pub fn start_with(dir: &Path, env: &[(&str, &str)]) -> Server {
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let address_file = dir.join("address");
    let _ = std::fs::remove_file(&address_file);
    let log = dir.join(format!(
        "server-{}.log",
        STARTED.fetch_add(1, Ordering::SeqCst)
    ));
    let mut command = Command::new(env!("CARGO_BIN_EXE_copmatch"));
    command
        .args([
            "--data-dir",
            dir.join("var").to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .env("COPMATCH__CATALOG__IMPORT_WHEN_EMPTY", "false")
        .env("COPMATCH__HTTP__WORKERS", "1")
        .env("COPMATCH__LIVENESS__ENABLED", "false")
        .env("COPMATCH__HTTP__ADDRESS_FILE", &address_file)
        .env_remove("RUST_LOG")
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("copmatch starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    let base = loop {
        if let Ok(text) = std::fs::read_to_string(&address_file) {
            break text.trim().to_string();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "copmatch exited before listening ({status}):\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "copmatch did not start in time");
        std::thread::sleep(Duration::from_millis(50));
    };
    Server { child, base, log }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL: no graceful shutdown, no final flush.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for the graceful exit.
    pub fn terminate(&mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "a graceful stop exits 0, got {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
