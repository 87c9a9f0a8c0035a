//! Debounced background index building. Writes only mark the store dirty; a
//! dedicated thread waits until writes have been quiet for the debounce period
//! and then runs the (blocking, possibly long) optimization, so neither a
//! request nor an import ever waits for an HNSW build.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

#[derive(Default)]
struct State {
    last_write: Option<Instant>,
    shutdown: bool,
}

pub struct Optimizer {
    state: Arc<(Mutex<State>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Optimizer {
    /// Starts the thread; `run` performs one optimization pass.
    pub fn start(debounce: Duration, run: impl Fn() + Send + 'static) -> Self {
        let state: Arc<(Mutex<State>, Condvar)> = Arc::default();
        let shared = state.clone();
        let thread = std::thread::Builder::new()
            .name("copmatch-optimizer".into())
            .spawn(move || loop {
                let (lock, wake) = &*shared;
                let mut s = lock.lock();
                loop {
                    if s.shutdown {
                        return;
                    }
                    match s.last_write {
                        None => wake.wait(&mut s),
                        Some(at) if at.elapsed() < debounce => {
                            let remaining = debounce - at.elapsed();
                            wake.wait_for(&mut s, remaining);
                        }
                        Some(_) => break,
                    }
                }
                s.last_write = None;
                drop(s);
                run();
            })
            .expect("spawning the optimizer thread");
        Self {
            state,
            thread: Mutex::new(Some(thread)),
        }
    }

    pub fn mark_dirty(&self) {
        let (lock, wake) = &*self.state;
        lock.lock().last_write = Some(Instant::now());
        wake.notify_one();
    }

    /// Stops the thread, waiting for a pass in progress to finish.
    pub fn stop(&self) {
        {
            let (lock, wake) = &*self.state;
            lock.lock().shutdown = true;
            wake.notify_one();
        }
        if let Some(thread) = self.thread.lock().take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Optimizer {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn bursts_of_writes_cause_one_pass_after_quiet() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        let opt = Optimizer::start(Duration::from_millis(100), move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        for _ in 0..5 {
            opt.mark_dirty();
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            0,
            "no pass while writes keep coming"
        );
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        opt.stop();
    }
}
