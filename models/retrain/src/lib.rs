//! Retraining copmatch's ranking from feedback, for analysts.
//!
//! Design: what people joined says where a profile *should* point in the
//! embedding space. `copmatch retrain` learns two things from it (see
//! [`copmatch_core::served_model`]):
//! - a global linear query adapter: PCA, then a multi-task ridge regression,
//!   fitted with linfa on ndarray, from each training user's profile vector to
//!   the mean vector of the communities they joined (clicks count half, each
//!   weighted against position bias, [`targets`]);
//! - segments: for a profile text several training users typed, where they
//!   went; it moves only requests with that same text.
//!
//! Users are split three ways ([`splits`]): held out by field, by profile
//! text (new queries) and by id (trained queries). Inside the training users
//! a second split validates: the blend toward the global map is chosen on
//! validation users whose text the fit never saw, so a map that only helps
//! the trained wordings is not blended in; the segment blend on those who
//! typed a fitted text. The candidate is then measured on every held-out set
//! with the full serving pipeline against the base model and the model
//! serving now, judged by the gate ([`gate`]), and written as a versioned
//! artifact ([`registry`]) with an HTML report ([`report`]). Nothing in
//! `retrain` activates a model: [`models`] does (`copmatch models activate`
//! and the admin API), behind the same gate. [`heldout`] measures a model on
//! held-out users; [`simulate`] rehearses on feedback with position bias;
//! [`devset`] measures the served ranking on the development set (`copmatch
//! eval`: nDCG@10 with intervals, baselines, cross-validation).

pub mod data;
pub mod devset;
pub mod gate;
pub mod heldout;
pub mod models;
pub mod options;
pub mod registry;
pub mod report;
pub mod settings;
pub mod simulate;
pub mod splits;
pub mod targets;
pub mod train;
pub mod validate;

pub use heldout::Compared;
pub use options::{ChooseOn, Method, RetrainOptions};
pub use report::CurvePoint;
pub use settings::RetrainSettings;

use std::collections::HashSet;
use std::path::PathBuf;

use copmatch_core::progress::JobProgress;
use copmatch_core::served_model::ServedModel;
use copmatch_core::time::now_timestamp;
use copmatch_core::Recommender;
use copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION;

use crate::data::FeedbackData;
use crate::gate::Measured;
use crate::heldout::{evaluate, Catalog};
use crate::registry::{HeldOut, Manifest, Parameters, Registry};
use crate::splits::{split, Shares};
use crate::targets::Example;
use crate::train::{fit, Examples};
use crate::validate::Candidate;

/// Progress of the long steps, one bar per stage.
pub trait Stages {
    fn stage(&self, name: &str) -> Box<dyn JobProgress>;
}

/// Everything a retrain produced.
pub struct Outcome {
    pub manifest: Manifest,
    pub dir: PathBuf,
    pub curve: Vec<CurvePoint>,
    pub by_user: Compared,
    pub by_query: Compared,
    pub by_field: Option<Compared>,
}

/// Learns a candidate model from `data` and writes it to `registry`.
pub async fn retrain(
    service: &Recommender,
    data: FeedbackData,
    data_source: &str,
    registry: &Registry,
    options: &RetrainOptions,
    stages: &dyn Stages,
) -> anyhow::Result<Outcome> {
    let served = service.model_slot().get();
    anyhow::ensure!(
        data.users.len() >= options.min_users,
        "only {} users have joined a community; at least {} are needed to learn anything",
        data.users.len(),
        options.min_users
    );
    let catalog = Catalog::load(service, &*stages.stage("reading the catalog")).await?;
    let field_of = &catalog.first_category;
    let held = split(
        &data.users,
        field_of,
        Shares::heldout(options.holdout),
        options.seed,
    );
    let inner = split(
        &held.train,
        field_of,
        Shares::validation(0.25),
        options.seed + 1,
    );
    anyhow::ensure!(
        !held.by_user.is_empty() && !held.by_query.is_empty(),
        "too few users to hold out both trained and new profile texts ({} by user, {} by query); simulate or collect more feedback",
        held.by_user.len(),
        held.by_query.len()
    );
    anyhow::ensure!(
        !inner.by_user.is_empty() && !inner.by_query.is_empty(),
        "too few training users to validate on ({} by user, {} by query)",
        inner.by_user.len(),
        inner.by_query.len()
    );
    let rows = targets::examples(
        service,
        &catalog.vectors,
        field_of,
        &held.train,
        options.propensity,
        &*stages.stage("embedding training profiles"),
    )
    .await?;
    let fit_ids: HashSet<&str> = inner.train.iter().map(|u| u.user.id.as_str()).collect();
    let fit_rows: Vec<Example> = held
        .train
        .iter()
        .zip(&rows)
        .filter(|(u, _)| fit_ids.contains(u.user.id.as_str()))
        .map(|(_, r)| r.clone())
        .collect();

    let base_model = ServedModel {
        base: served.base.clone(),
        adapter: None,
    };
    let chosen = validate::choose(
        service,
        &catalog,
        &served.base,
        &inner,
        &fit_rows,
        options,
        &*stages.stage("validation: choosing penalty, blend and reach"),
    )
    .await?;

    let version = registry.next_version()?;
    let map = fit(&Examples::from_examples(&rows)?, chosen.penalty)?;
    let segments = match chosen.segment_blend {
        sb if sb > 0.0 => targets::segments(&rows, options.min_segment_users),
        _ => Default::default(),
    };
    let segment_count = segments.len();
    let candidate = Candidate {
        base: &served.base,
        version: &version,
        map: &map,
        blend: chosen.blend,
        anchors: targets::anchors(&rows),
        reach: chosen.reach,
        segments,
        segment_blend: chosen.segment_blend,
    }
    .model();
    let active_name = served.adapter_version();
    let mut measured = Vec::new();
    for (name, users) in [
        ("users", &held.by_user),
        ("queries", &held.by_query),
        ("fields", &held.by_field),
    ] {
        if users.is_empty() {
            measured.push(None);
            continue;
        }
        let stage = |model: &str| stages.stage(&format!("held out by {name}: {model}"));
        let base = evaluate(service, users, &base_model, &catalog, &*stage("base model")).await?;
        let active = match &active_name {
            Some(a) => Some((
                a.clone(),
                evaluate(service, users, &served, &catalog, &*stage(a))
                    .await?
                    .metrics,
            )),
            None => None,
        };
        let cand = evaluate(service, users, &candidate, &catalog, &*stage("candidate")).await?;
        measured.push(Some((
            HeldOut {
                base: base.metrics,
                candidate: cand.metrics,
                active,
            },
            Compared {
                base,
                candidate: cand,
            },
        )));
    }
    let mut measured = measured.into_iter();
    let (by_user, by_user_eval) = measured.next().flatten().expect("held out by user");
    let (by_query, by_query_eval) = measured.next().flatten().expect("held out by query");
    let by_field = measured.next().flatten();
    let serving_name = active_name
        .clone()
        .unwrap_or_else(|| registry::BASE.to_string());
    let verdict = gate::judge(
        options.gate,
        &Measured {
            name: &serving_name,
            by_user: by_user
                .of(&version, active_name.as_deref())
                .unwrap_or(by_user.base),
            by_query: by_query.of(&version, active_name.as_deref()),
            by_field: by_field
                .as_ref()
                .and_then(|(h, _)| h.of(&version, active_name.as_deref())),
        },
        &Measured {
            name: &version,
            by_user: by_user.candidate,
            by_query: Some(by_query.candidate),
            by_field: by_field.as_ref().map(|(h, _)| h.candidate),
        },
    );
    let manifest = Manifest {
        version: version.clone(),
        base_model: served.base.clone(),
        text_version: EMBEDDING_TEXT_VERSION,
        method: describe(options),
        parameters: Parameters {
            penalty: chosen.penalty,
            blend: chosen.blend,
            holdout: options.holdout,
            seed: options.seed,
            train_users: held.train.len(),
            heldout_users: held.by_user.len(),
            events: data.events,
            solver_steps: map.steps,
            segment_blend: chosen.segment_blend,
            segments: segment_count,
            heldout_query_users: held.by_query.len(),
            heldout_field_users: held.by_field.len(),
            chosen_on: match options.choose_on {
                ChooseOn::Queries => "queries".into(),
                ChooseOn::Users => "users".into(),
            },
            propensity: Some(options.propensity),
            reach: chosen.reach,
        },
        data_source: data_source.to_string(),
        data_hash: data.hash.clone(),
        metrics: by_user,
        heldout_queries: Some(by_query),
        heldout_fields: by_field.as_ref().map(|(h, _)| h.clone()),
        verdict: Some(verdict),
        created_at: now_timestamp(),
    };
    let adapter = candidate
        .adapter
        .as_deref()
        .cloned()
        .expect("a candidate has an adapter");
    let by_field = by_field.map(|(_, c)| c);
    let curve = chosen.curve;
    let html = report::render(
        &manifest,
        &curve,
        &by_user_eval,
        &by_query_eval,
        by_field.as_ref(),
    );
    let dir = registry.save(&manifest, &adapter, &html)?;
    Ok(Outcome {
        manifest,
        dir,
        curve,
        by_user: by_user_eval,
        by_query: by_query_eval,
        by_field,
    })
}

fn describe(options: &RetrainOptions) -> String {
    let global = format!(
        "linear query adapter: PCA (linfa-reduction, up to {} components) of profile vectors, then multi-task ridge regression (linfa-elasticnet, l1_ratio 0) to the mean vector of joined communities, blended with the base vector",
        train::COMPONENTS
    );
    let segments = "segments: for each profile text typed by at least the configured number of training users, the pooled target of those users, applied only to that exact text";
    let weighting = if options.propensity.power > 0.0 {
        format!(
            "clicks and joins weighted by inverse propensity min({}, rank^{})",
            options.propensity.clip, options.propensity.power
        )
    } else {
        "no position-bias correction".to_string()
    };
    let what = match options.method {
        Method::Both => format!("{global}; {segments}"),
        Method::Global => global,
        Method::Segments => segments.to_string(),
    };
    format!("{what}; {weighting}")
}
