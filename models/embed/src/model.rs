//! The public handle: start workers, embed texts asynchronously.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use copmatch_core::{EmbedError, Embedder};
use crossbeam_channel::Sender;
use tokio::sync::oneshot;

use crate::batch::PassLimits;
use crate::cache::EmbeddingCache;
use crate::engine::{self, Engine};
use crate::precision::Precision;
use crate::worker::{self, Batching, Job};

/// The model served unless told otherwise (`model.name`).
pub const MODEL_ID: &str = "all-MiniLM-L6-v2";

/// How the embedder runs.
#[derive(Debug, Clone)]
pub struct EmbedderOptions {
    /// The model's name: what [`Embedder::model_id`] reports, and so the name
    /// of the index version its vectors are stored under.
    pub model_id: String,
    /// The sentence-transformers folder (model.safetensors, vocab.txt, …).
    pub model_dir: PathBuf,
    /// Model threads, each with its own copy of the model (about 70 MB with
    /// the fused engine in bf16, 90 MB in float32);
    /// 0 means one per core.
    pub workers: usize,
    /// libtorch intra-op threads per worker. 1 is the stable choice on small
    /// shared hosts, where more threads can collapse latency under load.
    pub intra_op_threads: usize,
    /// The number format of the model's matrix products.
    pub precision: Precision,
    /// Which implementation of the forward pass runs.
    pub engine: Engine,
    /// Most texts in one forward pass.
    pub max_batch: usize,
    /// Most padded tokens (texts × the longest) in one forward pass.
    pub max_batch_tokens: usize,
    /// How long a model thread waits for more texts before a pass that is
    /// not full; zero starts at once.
    pub max_wait: Duration,
    /// Cached embeddings (0 disables the cache).
    pub cache_capacity: usize,
    /// Texts waiting for the model at most. A request that would queue past
    /// it is refused at once ([`EmbedError::Overloaded`]) instead of waiting
    /// ever longer; one job is always taken when nothing waits.
    pub max_queue: usize,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        Self {
            model_id: MODEL_ID.to_string(),
            model_dir: PathBuf::from(".deps/models/all-MiniLM-L6-v2"),
            workers: 0,
            intra_op_threads: 1,
            precision: Precision::Auto,
            engine: Engine::Fused,
            max_batch: 64,
            max_batch_tokens: 8192,
            max_wait: Duration::ZERO,
            cache_capacity: 10_000,
            max_queue: 256,
        }
    }
}

impl EmbedderOptions {
    /// Model threads to start: `workers`, or one per core when it is 0.
    pub fn resolved_workers(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

struct Shared {
    jobs: Sender<Job>,
    cache: EmbeddingCache,
    live_workers: Arc<AtomicUsize>,
    workers: usize,
    queued: worker::Queued,
    max_queue: usize,
    model_id: String,
    /// The loaded model's output length.
    dimension: usize,
}

/// Cloneable async handle to the model threads.
#[derive(Clone)]
pub struct SentenceEmbedder {
    shared: Arc<Shared>,
}

impl SentenceEmbedder {
    /// Loads the model on each worker thread and returns once all are ready,
    /// or with the first load error.
    pub fn start(options: &EmbedderOptions) -> Result<Self, EmbedError> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        let live_workers = Arc::new(AtomicUsize::new(0));
        let queued: worker::Queued = Arc::new(AtomicUsize::new(0));
        let idle: worker::Idle = Arc::new(AtomicUsize::new(0));
        let mut loaded = Vec::new();
        let workers = options.resolved_workers();
        let batching = Batching {
            pass: PassLimits {
                max_texts: options.max_batch.max(1),
                max_tokens: options.max_batch_tokens.max(1),
            },
            max_wait: options.max_wait,
            model: options.model_id.clone(),
        };
        for index in 0..workers {
            let queue = queue.clone();
            let taken = queued.clone();
            let idle = idle.clone();
            let dir = options.model_dir.clone();
            let threads = options.intra_op_threads.max(1) as i32;
            let precision = options.precision;
            let engine = options.engine;
            let live = live_workers.clone();
            let batching = batching.clone();
            let (ready_tx, ready_rx) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name(format!("copmatch-embed-{index}"))
                .spawn(move || {
                    tch::set_num_threads(threads);
                    match engine::load(engine, &dir, precision) {
                        Ok(model) => {
                            let _alive = worker::Alive::new(&live);
                            let _ = ready_tx.send(Ok(model.dimension()));
                            let encode = |texts: &[&str]| model.encode(texts);
                            worker::serve(encode, queue, taken, idle, batching);
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                })
                .map_err(|e| {
                    EmbedError::Unavailable(format!("cannot start a model thread: {e}"))
                })?;
            loaded.push(ready_rx);
        }
        let mut dimension = 0;
        for ready in loaded {
            dimension = ready
                .recv()
                .map_err(|_| EmbedError::Unavailable("a model thread died while loading".into()))?
                .map_err(EmbedError::Unavailable)?;
        }
        tracing::info!(
            model = options.model_id.as_str(),
            dimension,
            threads = workers,
            intra_op_threads = options.intra_op_threads.max(1),
            precision = options.precision.resolve().name(),
            engine = options.engine.name(),
            "the model is loaded"
        );
        Ok(Self {
            shared: Arc::new(Shared {
                jobs,
                cache: EmbeddingCache::new(options.cache_capacity),
                live_workers,
                workers,
                queued,
                max_queue: options.max_queue.max(1),
                model_id: options.model_id.clone(),
                dimension,
            }),
        })
    }
}

impl SentenceEmbedder {
    /// Sends `texts` to the model threads as one job per thread (consecutive
    /// parts), so that an idle service embeds them side by side, and returns
    /// the vectors in order. A busy thread takes several jobs into one pass.
    async fn dispatch(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        let total = texts.len();
        self.enqueue_room(total)?;
        let part = total.div_ceil(self.shared.workers.min(total).max(1));
        let mut answers = Vec::new();
        let mut sent = 0;
        for chunk in texts.chunks(part) {
            let (reply, answer) = oneshot::channel();
            let job = Job {
                texts: chunk.to_vec(),
                reply,
            };
            if self.shared.jobs.send(job).is_err() {
                self.shared.queued.fetch_sub(total - sent, Ordering::SeqCst);
                return Err(EmbedError::Unavailable(
                    "the model threads have stopped".into(),
                ));
            }
            sent += chunk.len();
            answers.push(answer);
        }
        let mut vectors = Vec::with_capacity(total);
        for answer in answers {
            let part = answer
                .await
                .map_err(|_| {
                    EmbedError::Unavailable("a model thread stopped while embedding".into())
                })?
                .map_err(EmbedError::Failed)?;
            vectors.extend(part);
        }
        Ok(vectors)
    }

    /// Reserves room for `n` texts in the queue, or refuses.
    fn enqueue_room(&self, n: usize) -> Result<(), EmbedError> {
        let before = self.shared.queued.fetch_add(n, Ordering::SeqCst);
        if before > 0 && before + n > self.shared.max_queue {
            self.shared.queued.fetch_sub(n, Ordering::SeqCst);
            metrics::counter!("copmatch_overloaded_total", "reason" => "model_queue").increment(1);
            return Err(EmbedError::Overloaded(before));
        }
        if self.shared.live_workers.load(Ordering::SeqCst) == 0 {
            self.shared.queued.fetch_sub(n, Ordering::SeqCst);
            return Err(EmbedError::Unavailable(
                "every model thread has stopped".into(),
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl Embedder for SentenceEmbedder {
    fn model_id(&self) -> &str {
        &self.shared.model_id
    }

    fn dimension(&self) -> usize {
        self.shared.dimension
    }

    /// Every model thread started is still serving.
    fn is_ready(&self) -> bool {
        self.shared.live_workers.load(Ordering::SeqCst) == self.shared.workers
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out: Vec<Option<Arc<[f32]>>> =
            texts.iter().map(|t| self.shared.cache.get(t)).collect();
        let mut missing: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for (text, slot) in texts.iter().zip(&out) {
            if slot.is_none() && seen.insert(text.as_str()) {
                missing.push(text.clone());
            }
        }
        let model = self.shared.model_id.clone();
        metrics::counter!("copmatch_embed_cache_hits_total", "model" => model.clone())
            .increment((texts.len() - missing.len()) as u64);
        metrics::counter!("copmatch_embed_cache_misses_total", "model" => model)
            .increment(missing.len() as u64);
        if !missing.is_empty() {
            let vectors = self.dispatch(missing.clone()).await?;
            for (text, vector) in missing.into_iter().zip(vectors) {
                let vector: Arc<[f32]> = Arc::from(vector);
                for (slot, t) in out.iter_mut().zip(&texts) {
                    if slot.is_none() && *t == text {
                        *slot = Some(vector.clone());
                    }
                }
                self.shared.cache.put(text, vector);
            }
        }
        Ok(out
            .into_iter()
            .map(|v| v.expect("every text was embedded").to_vec())
            .collect())
    }
}
