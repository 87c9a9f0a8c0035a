//! The model threads: each owns one loaded model ([`crate::engine`]) and
//! serves jobs from a shared queue, batching whatever is waiting.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use tokio::sync::oneshot;

use crate::batch::{plan, PassLimits};

/// What a job is answered with: one vector per text, or why not.
pub type Answer = Result<Vec<Vec<f32>>, String>;

pub struct Job {
    pub texts: Vec<String>,
    pub reply: oneshot::Sender<Answer>,
}

/// Texts waiting for a model thread, shared by the handle (which adds) and
/// the threads (which take).
pub type Queued = Arc<AtomicUsize>;

/// Model threads waiting for work. A thread gathering a batch leaves the
/// remaining jobs to an idle one, so that when the service is not busy the
/// parts of one request run side by side instead of one after another.
pub type Idle = Arc<AtomicUsize>;

/// Counts a model thread as alive until it ends, however it ends (a panic
/// included), so readiness follows the threads that really serve.
pub struct Alive(Arc<AtomicUsize>);

impl Alive {
    pub fn new(live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        Self(live.clone())
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How a model thread gathers and cuts its work.
#[derive(Debug, Clone)]
pub struct Batching {
    pub pass: PassLimits,
    /// How long a thread that found fewer than `pass.max_texts` texts waiting
    /// waits for more before it starts. Zero starts at once with whatever
    /// waits (concurrent requests still share passes while the threads are
    /// busy).
    pub max_wait: Duration,
    /// The model's id, the `model` label of the metrics (two models may serve:
    /// the ranking's and the second one that re-reads free text).
    pub model: String,
}

/// Serves jobs until every handle is dropped, or until `encode` panics: its
/// batch is answered with an error and the thread ends (the model's state
/// is unknown after a panic), which [`Alive`] reports.
pub fn serve(
    encode: impl Fn(&[&str]) -> Result<Vec<Vec<f32>>, String>,
    jobs: Receiver<Job>,
    queued: Queued,
    idle: Idle,
    batching: Batching,
) {
    loop {
        idle.fetch_add(1, Ordering::SeqCst);
        let received = jobs.recv();
        idle.fetch_sub(1, Ordering::SeqCst);
        let Ok(first) = received else { return };
        let batch = gather(first, &jobs, &idle, &batching);
        let taken: usize = batch.iter().map(|j| j.texts.len()).sum();
        let waiting = queued.fetch_sub(taken, Ordering::SeqCst) - taken;
        let model = batching.model.clone();
        metrics::gauge!("copmatch_embed_queue_texts", "model" => model.clone()).set(waiting as f64);
        metrics::histogram!("copmatch_embed_batch_texts", "model" => model.clone())
            .record(taken as f64);
        let texts: Vec<&str> = batch
            .iter()
            .flat_map(|j| j.texts.iter().map(String::as_str))
            .collect();
        let started = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            encode_planned(&encode, &texts, batching.pass)
        }));
        metrics::histogram!("copmatch_embed_inference_seconds", "model" => model)
            .record(started.elapsed().as_secs_f64());
        let (result, panicked) = match result {
            Ok(result) => (result, false),
            Err(_) => (Err("the model thread failed".to_string()), true),
        };
        let mut offset = 0;
        for job in batch {
            let n = job.texts.len();
            let answer = match &result {
                Ok(vectors) => Ok(vectors[offset..offset + n].to_vec()),
                Err(e) => Err(e.clone()),
            };
            offset += n;
            // The caller may have gone away (request cancelled); that is fine.
            let _ = job.reply.send(answer);
        }
        if panicked {
            tracing::error!("a model thread panicked and stopped; /ready now answers 503");
            return;
        }
    }
}

/// `first` and whatever else is waiting, up to a pass of texts, waiting at
/// most `max_wait` for more; the rest is left to an idle thread if any.
fn gather(first: Job, jobs: &Receiver<Job>, idle: &Idle, batching: &Batching) -> Vec<Job> {
    let deadline = Instant::now() + batching.max_wait;
    let mut taken = first.texts.len();
    let mut batch = vec![first];
    while taken < batching.pass.max_texts && idle.load(Ordering::SeqCst) == 0 {
        let next = match jobs.try_recv() {
            Ok(job) => Ok(job),
            Err(TryRecvError::Empty) if !batching.max_wait.is_zero() => {
                jobs.recv_deadline(deadline).map_err(|_| ())
            }
            Err(_) => Err(()),
        };
        match next {
            Ok(job) => {
                taken += job.texts.len();
                batch.push(job);
            }
            Err(()) => break,
        }
    }
    batch
}

/// Embeds `texts` in length-sorted passes and returns the vectors in the
/// order of `texts`.
fn encode_planned(
    encode: &impl Fn(&[&str]) -> Result<Vec<Vec<f32>>, String>,
    texts: &[&str],
    limits: PassLimits,
) -> Result<Vec<Vec<f32>>, String> {
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
    for pass in plan(texts, limits) {
        let inputs: Vec<&str> = pass.iter().map(|&i| texts[i]).collect();
        let vectors = encode(&inputs)?;
        if vectors.len() != inputs.len() {
            return Err(format!(
                "the model answered {} vectors for {} texts",
                vectors.len(),
                inputs.len()
            ));
        }
        for (index, vector) in pass.into_iter().zip(vectors) {
            out[index] = vector;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(text: &str) -> (Job, oneshot::Receiver<Answer>) {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            texts: vec![text.to_string()],
            reply,
        };
        (job, answer)
    }

    const BATCHING: Batching = Batching {
        pass: PassLimits {
            max_texts: 8,
            max_tokens: 1024,
        },
        max_wait: Duration::ZERO,
        model: String::new(),
    };

    /// Starts `threads` fake model threads that record the size of every
    /// pass; returns the job sender, the queue counter and the recorded sizes.
    fn fake_threads(
        threads: usize,
        idle: &Idle,
    ) -> (
        crossbeam_channel::Sender<Job>,
        Queued,
        Arc<parking_lot::Mutex<Vec<usize>>>,
    ) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let queued: Queued = Arc::new(AtomicUsize::new(0));
        let passes = Arc::new(parking_lot::Mutex::new(Vec::new()));
        for _ in 0..threads {
            let (rx, queued, idle, passes) =
                (rx.clone(), queued.clone(), idle.clone(), passes.clone());
            std::thread::spawn(move || {
                let encode = |texts: &[&str]| {
                    passes.lock().push(texts.len());
                    Ok(texts.iter().map(|t| vec![t.len() as f32]).collect())
                };
                serve(encode, rx, queued, idle, BATCHING)
            });
        }
        (tx, queued, passes)
    }

    #[test]
    fn jobs_waiting_together_share_one_pass_and_each_gets_its_own_vectors() {
        let idle: Idle = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = crossbeam_channel::unbounded();
        let queued: Queued = Arc::new(AtomicUsize::new(3));
        let mut answers = Vec::new();
        for text in ["a", "bbb", "cc"] {
            let (j, answer) = job(text);
            tx.send(j).unwrap();
            answers.push(answer);
        }
        drop(tx);
        let passes = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let recorded = passes.clone();
        let encode = move |texts: &[&str]| {
            recorded.lock().push(texts.len());
            Ok(texts.iter().map(|t| vec![t.len() as f32]).collect())
        };
        serve(encode, rx, queued.clone(), idle, BATCHING);
        assert_eq!(*passes.lock(), vec![3]);
        let got: Vec<f32> = answers
            .into_iter()
            .map(|a| a.blocking_recv().unwrap().unwrap()[0][0])
            .collect();
        assert_eq!(got, vec![1.0, 3.0, 2.0]);
        assert_eq!(queued.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn an_idle_thread_takes_the_next_job_instead_of_it_waiting_behind_a_pass() {
        let idle: Idle = Arc::new(AtomicUsize::new(0));
        let (tx, queued, passes) = fake_threads(2, &idle);
        while idle.load(Ordering::SeqCst) < 2 {
            std::thread::yield_now();
        }
        let (first, first_answer) = job("one");
        let (second, second_answer) = job("two");
        queued.fetch_add(2, Ordering::SeqCst);
        tx.send(first).unwrap();
        tx.send(second).unwrap();
        first_answer.blocking_recv().unwrap().unwrap();
        second_answer.blocking_recv().unwrap().unwrap();
        assert_eq!(*passes.lock(), vec![1, 1], "two passes of one text each");
    }

    #[test]
    fn a_panicking_model_answers_its_batch_and_is_no_longer_counted_alive() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let live = Arc::new(AtomicUsize::new(0));
        let queued: Queued = Arc::new(AtomicUsize::new(0));
        let thread = {
            let live = live.clone();
            let queued = queued.clone();
            std::thread::spawn(move || {
                let _alive = Alive::new(&live);
                serve(
                    |texts: &[&str]| {
                        if texts.contains(&"boom") {
                            panic!("simulated libtorch failure");
                        }
                        Ok(texts.iter().map(|_| vec![1.0]).collect())
                    },
                    rx,
                    queued,
                    Arc::new(AtomicUsize::new(0)),
                    BATCHING,
                )
            })
        };
        let (ok, ok_answer) = job("fine");
        queued.fetch_add(1, Ordering::SeqCst);
        tx.send(ok).unwrap();
        assert_eq!(ok_answer.blocking_recv().unwrap(), Ok(vec![vec![1.0]]));
        assert_eq!(live.load(Ordering::SeqCst), 1);
        let (bad, bad_answer) = job("boom");
        queued.fetch_add(1, Ordering::SeqCst);
        tx.send(bad).unwrap();
        assert!(bad_answer.blocking_recv().unwrap().is_err());
        thread.join().unwrap();
        assert_eq!(
            live.load(Ordering::SeqCst),
            0,
            "the dead thread is not counted"
        );
        assert_eq!(queued.load(Ordering::SeqCst), 0);
    }
}
