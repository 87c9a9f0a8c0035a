//! Terminal progress bars for imports, re-indexing and retraining.

use copmatch_core::JobProgress;
use indicatif::{ProgressBar, ProgressStyle};

pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// Hidden when stderr is not a terminal (CI logs stay clean).
    pub fn new(label: &str) -> Self {
        Self::counting(label, "lines")
    }

    /// A bar counting `unit`s (users, communities, ...).
    pub fn counting(label: &str, unit: &str) -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}}, eta {{eta}})"
            ))
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        Self { bar }
    }
}

impl JobProgress for TerminalProgress {
    fn start(&self, total_lines: usize) {
        self.bar.set_length(total_lines as u64);
    }

    fn advance(&self, lines: usize) {
        self.bar.inc(lines as u64);
    }

    fn finish(&self) {
        self.bar.finish();
    }
}

/// One bar per retraining stage.
pub struct BarStages;

impl copmatch_retrain::Stages for BarStages {
    fn stage(&self, name: &str) -> Box<dyn JobProgress> {
        Box::new(TerminalProgress::counting(name, "items"))
    }
}
