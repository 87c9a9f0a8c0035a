//! Building and running the service: the model and the configured backend
//! opened into a [`Stack`] (shared with the commands in [`crate::cli`]), then
//! bound and served by actix-web with every route of [`crate::routes`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use copmatch_core::liveness_checks::LivenessService;
use copmatch_core::moderator::Moderator;
use copmatch_core::personalizer::Personalizer;
use copmatch_core::ports::Rechecks;
use copmatch_core::progress::NoProgress;
use copmatch_core::reindex::{interrupted_reindex, open_active_index, reindex_to};
use copmatch_core::reports::{NoRechecks, ReportDesk};
use copmatch_core::served_model::ServedModel;
use copmatch_core::time::SystemClock;
use copmatch_core::{
    ActiveIndex, Browse, Embedder, IndexCatalog, IndexVersion, JobProgress, LivenessLog,
    ModerationQueue, Recommender, Services, UserStore, VectorStore,
};
use copmatch_liveness::{Checker, RunState};
use copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION;

use copmatch_retrain::models::ModelManager;
use copmatch_retrain::registry::Registry;
use copmatch_store::{
    EdgeCatalog, EdgeStoreOptions, JournalQueue, LivenessJournal, QdrantCatalog, QdrantLiveness,
    QdrantQueue, QdrantUsers, UserJournal,
};

use crate::auth::Keys;
use crate::embedders::start_second_opinion;
pub use crate::embedders::{load_embedder, start_embedder};
use crate::error::{json_error, query_error, route_not_found};
use crate::limits::{InFlight, RateLimits};
use crate::liveness_job::{Checks, PromptChecks};
use crate::metered_store::MeteredStore;
use crate::progress::TerminalProgress;
use crate::reindex_job::Reindexer;
use crate::routes;
use crate::routes::communities::ImportLimit;
use crate::settings::{Settings, StoreKind};

/// Everything the service runs on, opened from the settings: each use case
/// built once, shared by the routes, the background jobs and the commands.
#[derive(Clone)]
pub struct Stack {
    /// The catalog and the recommender, over the active index.
    pub services: Services,
    /// The index versions and the active one (the service's store).
    pub index: Arc<ActiveIndex>,
    pub moderator: Moderator,
    /// Browsing by field (`GET /v1/fields`, `?field=`).
    pub browse: Browse,
    /// Dead-link reports: queued for moderators, and a prompt check each.
    pub reports: ReportDesk,
    pub users: Personalizer,
    pub models: ModelManager,
    /// Liveness: recording checks, the checker, and the running check's progress.
    pub checks: Checks,
    /// A re-index the last process stopped before it finished; `serve`
    /// starts it again.
    pub interrupted: Option<IndexVersion>,
}

/// The configured backend: every store port.
struct Backend {
    catalog: Arc<dyn IndexCatalog>,
    queue: Arc<dyn ModerationQueue>,
    users: Arc<dyn UserStore>,
    liveness: Arc<dyn LivenessLog>,
}

async fn open_backend(settings: &Settings) -> anyhow::Result<Backend> {
    let cap = settings.liveness.history_cap;
    match settings.store.kind {
        StoreKind::Embedded => {
            let options = EdgeStoreOptions {
                optimize_debounce: Duration::from_millis(settings.store.optimize_debounce_ms),
                tuning: settings.store.index.clone(),
                read_cache_capacity: settings.store.read_cache_capacity,
            };
            let root = settings.communities_dir();
            let journal = settings.data_dir.join("moderation.jsonl");
            let data_dir = settings.data_dir.clone();
            tokio::task::spawn_blocking(move || -> Result<_, copmatch_core::StoreError> {
                Ok(Backend {
                    catalog: Arc::new(EdgeCatalog::open(&root, options)?),
                    queue: Arc::new(JournalQueue::open(&journal)?),
                    users: Arc::new(UserJournal::open(&data_dir)?),
                    liveness: Arc::new(LivenessJournal::open(&data_dir, cap)?),
                })
            })
            .await?
            .map_err(Into::into)
        }
        StoreKind::Qdrant => {
            let options = settings.store.qdrant.clone();
            let catalog = QdrantCatalog::connect(options.clone(), settings.store.index.clone())
                .await
                .with_context(|| format!("connecting to Qdrant at {}", options.url))?;
            Ok(Backend {
                queue: Arc::new(QdrantQueue::open(catalog.client(), &options).await?),
                users: Arc::new(QdrantUsers::open(catalog.client(), &options).await?),
                liveness: Arc::new(QdrantLiveness::open(catalog.client(), &options, cap).await?),
                catalog: Arc::new(catalog),
            })
        }
    }
}

/// Opens the configured store for the embedder's model (re-indexing it first
/// if it was built from another community text) and, if it is empty and the
/// settings say so, imports the bundled catalog into it.
pub async fn open_stack(
    settings: &Settings,
    embedder: Arc<dyn Embedder>,
    progress: &dyn JobProgress,
) -> anyhow::Result<Stack> {
    settings
        .feedback
        .validate()
        .map_err(|e| anyhow::anyhow!(e))?;
    let backend = open_backend(settings).await?;
    let index = open_active_index(backend.catalog, embedder.clone(), progress).await?;
    let backend_name = match settings.store.kind {
        StoreKind::Embedded => "embedded",
        StoreKind::Qdrant => "qdrant",
    };
    let store: Arc<dyn VectorStore> = Arc::new(MeteredStore::new(index.clone(), backend_name));
    let services = Services::new(
        embedder.clone(),
        store.clone(),
        settings.ranking.clone(),
        settings.limits.clone(),
    )
    .with_second_opinion(start_second_opinion(settings, embedder.model_id()).await?);
    let registry = Registry::new(settings.models_dir());
    serve_recorded_model(&services.recommender, &index, &registry, embedder, progress).await?;
    let interrupted = interrupted_reindex(&index).await?;
    if settings.catalog.import_when_empty && store.count().await? == 0 {
        let path = &settings.catalog.path;
        let text = tokio::fs::read_to_string(path)
            .await
            .with_context(|| format!("reading the bundled catalog {}", path.display()))?;
        tracing::info!(catalog = %path.display(), "the store is empty; importing the bundled catalog");
        let report = services.catalog.import(&text, progress).await?;
        tracing::info!(
            imported = report.imported,
            failed = report.failed,
            "bundled catalog imported"
        );
        for e in &report.errors {
            tracing::warn!(line = e.line, code = %e.code, "catalog line refused: {}", e.message);
        }
    }
    let models = ModelManager::new(
        registry,
        services.recommender.clone(),
        index.clone(),
        copmatch_retrain::gate::GateRules {
            min_gain: settings.models.gate_min_gain,
            max_heldout_drop: settings.retrain.max_heldout_drop,
        },
    );
    let moderator = Moderator::new(services.catalog.clone(), backend.queue);
    let browse = Browse::new(services.catalog.clone(), &settings.harvest.fields()?);
    let liveness = LivenessService::new(
        services.catalog.clone(),
        backend.liveness,
        moderator.clone(),
        settings.liveness.policy(),
        Arc::new(SystemClock),
    );
    let checker = Checker::new(
        settings.liveness.clone(),
        settings.liveness.lookup(),
        Arc::new(SystemClock),
    )
    .context("building the liveness checker's HTTP client")?;
    let checks = Checks {
        liveness,
        checker: Arc::new(checker),
        state: Arc::new(RunState::default()),
    };
    let rechecks: Arc<dyn Rechecks> = if settings.liveness.enabled {
        Arc::new(PromptChecks::spawn(checks.clone()))
    } else {
        Arc::new(NoRechecks)
    };
    let reports = ReportDesk::new(
        moderator.clone(),
        rechecks,
        settings.liveness.report_recheck_hours,
        Arc::new(SystemClock),
    );
    let users = Personalizer::new(
        services.catalog.clone(),
        services.recommender.clone(),
        backend.users,
        settings.feedback.clone(),
        reports.clone(),
    );
    Ok(Stack {
        services,
        index,
        moderator,
        browse,
        reports,
        users,
        models,
        checks,
        interrupted,
    })
}

/// Serves the retrained model the active index version was built for. If its
/// artifact is gone (or does not fit the embedding model), re-indexes for the
/// base model instead of serving a ranking nobody chose.
async fn serve_recorded_model(
    service: &Recommender,
    index: &ActiveIndex,
    registry: &Registry,
    embedder: Arc<dyn Embedder>,
    progress: &dyn JobProgress,
) -> anyhow::Result<()> {
    let Some(version) = index.active_version().adapter else {
        return Ok(());
    };
    let base = embedder.model_id().to_string();
    let loaded = registry
        .load_adapter(&version)
        .map_err(|e| format!("{e:#}"));
    let checked = loaded.and_then(|adapter| {
        match adapter.mismatch(&base, EMBEDDING_TEXT_VERSION, embedder.dimension()) {
            Some(why) => Err(why),
            None => Ok(adapter),
        }
    });
    match checked {
        Ok(adapter) => {
            tracing::info!(model = %version, "serving the retrained model");
            service.model_slot().set(ServedModel {
                base,
                adapter: Some(Arc::new(adapter)),
            });
        }
        Err(why) => {
            tracing::warn!(model = %version, reason = %why, "the recorded model cannot serve; re-indexing for the base model");
            reindex_to(index, embedder, None, progress).await?;
        }
    }
    Ok(())
}

/// A bound, not yet running, HTTP service.
pub struct Application {
    server: Server,
    port: u16,
    /// Closed (flushed) when the server stops.
    store: Arc<dyn VectorStore>,
}

impl Application {
    /// Loads the model, opens the store (showing a progress bar if it imports
    /// the bundled catalog) and binds `settings.http.addr`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let embedder = start_embedder(&settings).await?;
        let progress = TerminalProgress::new("importing the bundled catalog");
        let stack = open_stack(&settings, embedder, &progress).await?;
        Self::bind(settings, stack)
    }

    /// Like [`Application::build`] with an already loaded model (tests share one).
    pub async fn build_with_embedder(
        settings: Settings,
        embedder: Arc<dyn Embedder>,
    ) -> anyhow::Result<Self> {
        let stack = open_stack(&settings, embedder, &NoProgress).await?;
        Self::bind(settings, stack)
    }

    fn bind(settings: Settings, stack: Stack) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.http.addr)
            .with_context(|| format!("binding {}", settings.http.addr))?;
        let port = listener.local_addr()?.port();
        let store = stack.services.catalog.store().clone();
        let server = http_server(&settings, stack, listener)?;
        Ok(Self {
            server,
            port,
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGINT/SIGTERM or the handle), then flushes and
    /// closes the store.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let served = self.server.await;
        self.store.close().await?;
        tracing::info!("store flushed and closed");
        served.context("the HTTP server failed")
    }
}

/// Starts again the re-index the last process did not finish, for the same
/// model (an interrupted activation was already admitted by the gate, or
/// forced, when it started).
fn resume_reindex(version: &IndexVersion, models: &ModelManager, reindexer: &Reindexer) {
    let model = version.adapter.as_deref().unwrap_or("base");
    match models
        .target(model, true)
        .and_then(|target| reindexer.start_with(target))
    {
        Ok(_) => {
            tracing::info!(version = %version.name, model, "resuming the re-index the last run did not finish")
        }
        Err(e) => {
            tracing::warn!(version = %version.name, model, error = %e, "the re-index the last run did not finish cannot resume; start it again with POST /v1/admin/reindex")
        }
    }
}

/// Starts what runs beside the routes: the re-index the last process did not
/// finish (embedded store only), the expiry of idle anonymous users and the
/// periodic liveness checks.
fn start_background(settings: &Settings, stack: &Stack, reindexer: &Reindexer) {
    match (&stack.interrupted, settings.store.kind) {
        (Some(version), StoreKind::Embedded) => resume_reindex(version, &stack.models, reindexer),
        // On a server another replica may be building this version right now.
        (Some(version), StoreKind::Qdrant) => tracing::warn!(
            version = %version.name,
            "an index version newer than the active one exists: another replica is re-indexing, or a re-index was interrupted; if none is running, start it again with POST /v1/admin/reindex"
        ),
        (None, _) => {}
    }
    crate::retention_job::spawn(stack.users.retention().clone());
    if settings.harvest.scheduled {
        let started = settings.harvest.taxonomy().and_then(|taxonomy| {
            crate::harvest_job::spawn(
                settings.harvest.clone(),
                settings.data_dir.clone(),
                stack.services.catalog.clone(),
                stack.moderator.clone(),
                taxonomy,
            )
        });
        if let Err(e) = started {
            tracing::error!("scheduled harvests could not start: {e:#}");
        }
    }
    if settings.liveness.enabled {
        crate::liveness_job::spawn(stack.checks.clone(), settings.liveness.interval_secs);
    } else {
        tracing::info!("automatic liveness checks are off (liveness.enabled = false)");
    }
}

fn http_server(settings: &Settings, stack: Stack, listener: TcpListener) -> anyhow::Result<Server> {
    crate::telemetry::metrics_handle();
    let reindexer = Reindexer::new(
        stack.index.clone(),
        stack.services.recommender.embedder().clone(),
        stack.services.recommender.model_slot().clone(),
    );
    start_background(settings, &stack, &reindexer);
    let reindexer = web::Data::new(reindexer);
    let moderator = web::Data::new(stack.moderator);
    let browse = web::Data::new(stack.browse);
    let reports = web::Data::new(stack.reports);
    let liveness = web::Data::new(stack.checks);
    let users = web::Data::new(stack.users);
    let models = web::Data::new(stack.models);
    let http = settings.http.clone();
    let catalog = web::Data::new(stack.services.catalog);
    let recommender = web::Data::new(stack.services.recommender);
    let keys = Keys::from_settings(&settings.auth, &settings.admin_keys)
        .context("reading the API keys (auth)")?;
    if keys.keyless() {
        tracing::warn!("no API key is configured: every endpoint is open to anyone who can reach {} (configure auth.keys before exposing the service)", settings.http.addr);
    }
    let keys = web::Data::new(keys);
    let rate_limits = RateLimits::from_settings(&settings.rate_limits)
        .context("reading the rate limits (rate_limits)")?
        .map(web::Data::new);
    let in_flight = web::Data::new(InFlight::new(&settings.overload));
    let import_limit = web::Data::new(ImportLimit(settings.http.max_import_bytes));
    let json = web::JsonConfig::default()
        .limit(settings.http.max_body_bytes)
        .error_handler(json_error);
    let query = web::QueryConfig::default().error_handler(query_error);
    let mut server = HttpServer::new(move || {
        let mut app = App::new();
        if let Some(limits) = &rate_limits {
            app = app.app_data(limits.clone());
        }
        app.wrap(actix_web::middleware::from_fn(
            crate::limits::bound_in_flight,
        ))
        .wrap(actix_web::middleware::from_fn(crate::telemetry::observe))
        .app_data(catalog.clone())
        .app_data(recommender.clone())
        .app_data(moderator.clone())
        .app_data(browse.clone())
        .app_data(reports.clone())
        .app_data(reindexer.clone())
        .app_data(users.clone())
        .app_data(models.clone())
        .app_data(liveness.clone())
        .app_data(keys.clone())
        .app_data(in_flight.clone())
        .app_data(import_limit.clone())
        .app_data(json.clone())
        .app_data(query.clone())
        .configure(|cfg| routes::configure(cfg, &http, keys.public_key()))
        .default_service(web::to(route_not_found))
    })
    .listen(listener)?;
    if settings.http.workers > 0 {
        server = server.workers(settings.http.workers);
    }
    Ok(server.shutdown_timeout(10).run())
}
