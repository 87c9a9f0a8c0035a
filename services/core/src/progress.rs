//! How a long job tells about its progress: an import, a re-index, an
//! evaluation, a retraining or a liveness run. The command line draws a
//! progress bar from it (`copmatch_api::cli::progress`); the service and the
//! tests pass [`NoProgress`].

/// Told about the progress of a long job, in the job's own units (lines,
/// communities, queries, checks).
pub trait JobProgress: Send + Sync {
    fn start(&self, total: usize);
    fn advance(&self, done: usize);
    fn finish(&self);
}

/// Progress sink that reports nothing.
pub struct NoProgress;

impl JobProgress for NoProgress {
    fn start(&self, _: usize) {}
    fn advance(&self, _: usize) {}
    fn finish(&self) {}
}
