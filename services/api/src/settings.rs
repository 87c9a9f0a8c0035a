//! Configuration, layered: built-in defaults < optional TOML file (`--config`,
//! or `copmatch.toml` in the working directory) < `COPMATCH__*` environment
//! variables (`__` separates levels: `COPMATCH__HTTP__ADDR`) < command-line
//! flags. Unknown keys are errors, so a typo never silently falls back to a
//! default.

use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use copmatch_core::personalizer::FeedbackSettings;
use copmatch_core::Limits;
use copmatch_liveness::LivenessSettings;
use copmatch_ranking::RankingWeights;
use copmatch_store::{IndexTuning, QdrantOptions};

use crate::auth::AuthSettings;
use crate::limits::{OverloadSettings, RateLimitSettings};
use serde::{Deserialize, Serialize};

/// Where the default paths (the model under `.deps/`, the bundled catalog
/// and the evaluation sets under `data/`) are looked up: `$COPMATCH_HOME`,
/// else the working directory. Nothing about the build machine is compiled
/// in; `cargo run` and `cargo test` set `COPMATCH_HOME` to the checkout
/// (`.cargo/config.toml`), and an installed binary reads its paths from the
/// configuration (the image sets every one, see the Dockerfile).
pub fn home() -> PathBuf {
    let home = match std::env::var_os("COPMATCH_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home),
        _ => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
    // `/work/copmatch/.` reads better as `/work/copmatch` in messages.
    home.canonicalize().unwrap_or(home)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the embedded store keeps its files (unused with `store.kind = "qdrant"`).
    pub data_dir: PathBuf,
    /// Keys with every scope (shorthand for `auth.keys` entries with
    /// `scopes = ["recommend", "feedback", "submit", "admin"]`).
    pub admin_keys: Vec<String>,
    pub auth: AuthSettings,
    pub rate_limits: RateLimitSettings,
    pub overload: OverloadSettings,
    /// Log filter, e.g. "info" or "copmatch=debug" (RUST_LOG wins if set).
    pub log: String,
    /// `text` for people, `json` (one object per line) for log collectors.
    pub log_format: crate::telemetry::LogFormat,
    pub http: HttpSettings,
    pub model: ModelSettings,
    pub store: StoreSettings,
    pub catalog: CatalogSettings,
    pub ranking: RankingWeights,
    pub limits: Limits,
    pub feedback: FeedbackSettings,
    pub models: ModelsSettings,
    pub retrain: copmatch_retrain::RetrainSettings,
    pub liveness: LivenessSettings,
    pub harvest: HarvestSettings,
}

/// Retrained models (`copmatch retrain`, `copmatch models`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelsSettings {
    /// Where trained artifacts are written and read (`<dir>/ftN/`); unset,
    /// `<data_dir>/models` (see [`Settings::models_dir`]).
    pub dir: Option<PathBuf>,
    /// How much better (nDCG@10 on trained queries, held out by user) a model
    /// must be than the serving one to pass the activation gate.
    pub gate_min_gain: f64,
}

impl Default for ModelsSettings {
    fn default() -> Self {
        Self {
            dir: None,
            gate_min_gain: copmatch_retrain::gate::GateRules::default().min_gain,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    pub addr: String,
    /// HTTP worker threads; 0 = one per CPU.
    pub workers: usize,
    /// Largest JSON body accepted (recommendations, PUT community).
    pub max_body_bytes: usize,
    /// Largest NDJSON body accepted by the import endpoint.
    pub max_import_bytes: usize,
    /// Largest feedback batch body (`POST /v1/feedback`).
    pub max_feedback_bytes: usize,
    /// Once listening, `serve` writes its base URL here (atomically), for
    /// supervisors and tests that start it on port 0.
    pub address_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelSettings {
    /// Which model serves: its name is the index version's, and the default
    /// folder is `.deps/models/<name>` (`make setup` installs
    /// all-MiniLM-L6-v2 and all-mpnet-base-v2 there).
    pub name: String,
    /// The model's folder, when it is not `.deps/models/<name>`.
    pub dir: Option<PathBuf>,
    /// Model threads; 0 means one per core.
    pub workers: usize,
    pub intra_op_threads: usize,
    pub precision: copmatch_embed::Precision,
    pub engine: copmatch_embed::Engine,
    pub max_batch: usize,
    pub max_batch_tokens: usize,
    /// How long a model thread waits for more texts before a pass that is
    /// not full, in microseconds.
    pub max_wait_us: u64,
    pub cache_capacity: usize,
    pub max_queue: usize,
    /// A second, larger model that re-reads free-text profiles' first results
    /// (`ranking.second_opinion_weight`), from `.deps/models/<name>`; `none`
    /// (or empty) turns it off, and so does naming the served model.
    pub second_opinion: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// Qdrant in-process (qdrant-edge), files under `data_dir`.
    Embedded,
    /// A Qdrant server or cluster (`store.qdrant`); copmatch keeps no local state.
    Qdrant,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    pub kind: StoreKind,
    /// Embedded store: quiet time after writes before the index is optimized.
    pub optimize_debounce_ms: u64,
    /// Embedded store: communities kept decoded for searches.
    pub read_cache_capacity: usize,
    /// HNSW, quantization and search settings, for both stores.
    pub index: IndexTuning,
    pub qdrant: QdrantOptions,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogSettings {
    /// JSON Lines catalog imported by `serve` when the store is empty.
    pub path: PathBuf,
    pub import_when_empty: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./var"),
            admin_keys: Vec::new(),
            auth: AuthSettings::default(),
            rate_limits: RateLimitSettings::default(),
            overload: OverloadSettings::default(),
            // qdrant-edge warns on every shard open about server-only feature flags.
            log: "info,qdrant_edge=error".into(),
            log_format: crate::telemetry::LogFormat::Text,
            http: HttpSettings::default(),
            model: ModelSettings::default(),
            store: StoreSettings::default(),
            catalog: CatalogSettings::default(),
            ranking: RankingWeights::default(),
            limits: Limits::default(),
            feedback: FeedbackSettings::default(),
            models: ModelsSettings::default(),
            retrain: Default::default(),
            liveness: LivenessSettings::default(),
            harvest: HarvestSettings::default(),
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            workers: 0,
            max_body_bytes: 64 * 1024,
            max_import_bytes: 32 * 1024 * 1024,
            max_feedback_bytes: 1024 * 1024,
            address_file: None,
        }
    }
}

/// The default second model for free text (`make setup` installs it).
pub const SECOND_OPINION_MODEL: &str = "all-mpnet-base-v2";

impl Default for ModelSettings {
    fn default() -> Self {
        let defaults = copmatch_embed::EmbedderOptions::default();
        Self {
            name: copmatch_embed::MODEL_ID.to_string(),
            dir: None,
            workers: defaults.workers,
            intra_op_threads: defaults.intra_op_threads,
            precision: defaults.precision,
            engine: defaults.engine,
            max_batch: defaults.max_batch,
            max_batch_tokens: defaults.max_batch_tokens,
            max_wait_us: defaults.max_wait.as_micros() as u64,
            cache_capacity: defaults.cache_capacity,
            max_queue: defaults.max_queue,
            second_opinion: SECOND_OPINION_MODEL.to_string(),
        }
    }
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            kind: StoreKind::Embedded,
            optimize_debounce_ms: 2000,
            read_cache_capacity: copmatch_store::EdgeStoreOptions::default().read_cache_capacity,
            index: IndexTuning::default(),
            qdrant: QdrantOptions::default(),
        }
    }
}

impl Default for CatalogSettings {
    fn default() -> Self {
        Self {
            path: home().join("data/communities.jsonl"),
            import_when_empty: true,
        }
    }
}

impl Settings {
    /// Loads defaults < file < environment < `overrides` (dotted keys, from CLI flags).
    pub fn load(
        file: Option<&Path>,
        overrides: &[(&str, String)],
    ) -> Result<Settings, config::ConfigError> {
        Self::load_from(file, overrides, Environment::with_prefix("COPMATCH"))
    }

    fn load_from(
        file: Option<&Path>,
        overrides: &[(&str, String)],
        env: Environment,
    ) -> Result<Settings, config::ConfigError> {
        let mut builder = Config::builder().add_source(Config::try_from(&Settings::default())?);
        builder = match file {
            Some(path) => {
                builder.add_source(File::from(path).format(FileFormat::Toml).required(true))
            }
            None => {
                builder.add_source(File::new("copmatch.toml", FileFormat::Toml).required(false))
            }
        };
        builder = builder.add_source(
            env.prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("admin_keys")
                .with_list_parse_key("auth.open_paths")
                // An empty variable is unset: the compose file passes
                // `${COPMATCH_ADMIN_KEYS:-}`, which must mean "no keys", never
                // one empty key.
                .ignore_empty(true)
                .try_parsing(true),
        );
        for (key, value) in overrides {
            builder = builder.set_override(*key, value.clone())?;
        }
        builder.build()?.try_deserialize()
    }

    pub fn embedder_options(&self) -> copmatch_embed::EmbedderOptions {
        copmatch_embed::EmbedderOptions {
            model_id: self.model.name.clone(),
            model_dir: self.model_dir(),
            workers: self.model.workers,
            intra_op_threads: self.model.intra_op_threads,
            precision: self.model.precision,
            engine: self.model.engine,
            max_batch: self.model.max_batch,
            max_batch_tokens: self.model.max_batch_tokens,
            max_wait: std::time::Duration::from_micros(self.model.max_wait_us),
            cache_capacity: self.model.cache_capacity,
            max_queue: self.model.max_queue,
        }
    }

    /// The model's folder: `model.dir`, else `.deps/models/<model.name>`
    /// under the checkout.
    pub fn model_dir(&self) -> PathBuf {
        self.model
            .dir
            .clone()
            .unwrap_or_else(|| home().join(".deps/models").join(&self.model.name))
    }

    /// Where the embedded store keeps its index versions.
    pub fn communities_dir(&self) -> PathBuf {
        self.data_dir.join("communities")
    }

    /// Where trained models are written and read: `models.dir`, else
    /// `<data_dir>/models`. Trained artifacts are data, never source.
    pub fn models_dir(&self) -> PathBuf {
        self.models
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("models"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> Environment {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Environment::with_prefix("COPMATCH").source(Some(map))
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let s = Settings::load_from(None, &[], env(&[])).unwrap();
        assert_eq!(s.http.addr, "127.0.0.1:8080");
        assert_eq!(s.data_dir, PathBuf::from("./var"));
        assert_eq!(s.model.intra_op_threads, 1);
    }

    #[test]
    fn layers_apply_in_order_file_env_flags() {
        let dir = std::env::temp_dir().join(format!("copmatch-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "data_dir = \"/from-file\"\n[http]\naddr = \"0.0.0.0:1\"\nworkers = 3\n",
        )
        .unwrap();
        let s = Settings::load_from(
            Some(&file),
            &[("http.addr", "127.0.0.1:3".into())],
            env(&[
                ("COPMATCH__HTTP__ADDR", "127.0.0.1:2"),
                ("COPMATCH__DATA_DIR", "/from-env"),
                ("COPMATCH__ADMIN_KEYS", "k1,k2"),
                ("COPMATCH__AUTH__OPEN_PATHS", "/health,/ready"),
            ]),
        )
        .unwrap();
        assert_eq!(s.http.addr, "127.0.0.1:3", "flags beat env");
        assert_eq!(s.data_dir, PathBuf::from("/from-env"), "env beats file");
        assert_eq!(s.http.workers, 3, "file beats defaults");
        assert_eq!(s.admin_keys, vec!["k1", "k2"]);
        assert_eq!(s.auth.open_paths, vec!["/health", "/ready"]);
    }

    #[test]
    fn an_empty_admin_keys_variable_means_no_keys_and_a_trailing_comma_an_empty_one() {
        let unset = Settings::load_from(None, &[], env(&[("COPMATCH__ADMIN_KEYS", "")])).unwrap();
        assert!(unset.admin_keys.is_empty(), "{:?}", unset.admin_keys);
        let trailing =
            Settings::load_from(None, &[], env(&[("COPMATCH__ADMIN_KEYS", "k1,")])).unwrap();
        let err = crate::auth::Keys::from_settings(&trailing.auth, &trailing.admin_keys)
            .err()
            .expect("an empty entry is refused");
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err =
            Settings::load_from(None, &[], env(&[("COPMATCH__HTTP__ADRR", "x")])).unwrap_err();
        assert!(err.to_string().contains("adrr"), "{err}");
    }
}

/// `[harvest]` settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HarvestSettings {
    /// The source manifest.
    pub sources: PathBuf,
    /// The field list.
    pub fields: PathBuf,
    /// ESCO occupation labels by ISCO group (`isco<TAB>label`).
    pub occupations: PathBuf,
    /// Whether `serve` harvests the sources that set `every_hours`, on that schedule.
    pub scheduled: bool,
    /// How often the schedule looks for due sources, in seconds.
    pub check_every_secs: u64,
    /// How long one fetch may take.
    pub fetch_timeout_secs: u64,
    /// The largest source accepted, in bytes.
    pub max_source_bytes: usize,
}

impl Default for HarvestSettings {
    fn default() -> Self {
        Self {
            sources: home().join("data/sources.toml"),
            fields: home().join("data/fields.toml"),
            occupations: home().join("data/taxonomy/occupations.tsv"),
            scheduled: false,
            check_every_secs: 600,
            fetch_timeout_secs: 60,
            max_source_bytes: 64 * 1024 * 1024,
        }
    }
}
