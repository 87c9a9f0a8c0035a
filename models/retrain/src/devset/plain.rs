//! The baseline anyone gets in an afternoon with sentence-transformers: one
//! embedding of each community's whole text (name, kind, categories, tags,
//! description) and one of the profile's words joined, ranked by cosine over
//! the whole catalog. None of copmatch's machinery: no second wording, no
//! keywords, no synonyms, no mirrors held back. The relevance issues measure
//! copmatch against exactly this, with the served model ([`evaluate_plain`])
//! and with another one ([`evaluate_cosine`]: all-mpnet-base-v2 beside
//! all-MiniLM-L6-v2).

use super::{report, EvalQuery, ModeReport};
use copmatch_core::community::Community;
use copmatch_core::error::CoreError;
use copmatch_core::ports::Embedder;
use copmatch_core::service::Recommender;
use copmatch_ranking::dot;

const PAGE: usize = 256;

/// The profile as one text, the way a quick script would read it.
fn profile_text(q: &EvalQuery) -> String {
    let p = &q.profile;
    p.roles
        .iter()
        .chain(&p.skills)
        .chain(&p.interests)
        .map(String::as_str)
        .chain((!p.about.trim().is_empty()).then_some(p.about.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report's name for plain cosine with `model`.
pub fn cosine_system(model: &str) -> &'static str {
    match model {
        "all-MiniLM-L6-v2" => "minilm-cosine",
        "all-mpnet-base-v2" => "mpnet-cosine",
        _ => "other-cosine",
    }
}

/// Plain cosine with the served model, named `plain-cosine`.
pub async fn evaluate_plain(
    service: &Recommender,
    queries: &[EvalQuery],
    catalog_size: usize,
) -> Result<ModeReport, CoreError> {
    let embedder = service.embedder().clone();
    evaluate_cosine(service, &*embedder, "plain-cosine", queries, catalog_size).await
}

/// Plain cosine with `embedder`'s model over the service's catalog.
pub async fn evaluate_cosine(
    service: &Recommender,
    embedder: &dyn Embedder,
    system: &'static str,
    queries: &[EvalQuery],
    catalog_size: usize,
) -> Result<ModeReport, CoreError> {
    let mut catalog: Vec<Community> = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = service.store().scroll(cursor, PAGE).await?;
        catalog.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let texts: Vec<String> = catalog
        .iter()
        .map(copmatch_ranking::wordings::community_text)
        .collect();
    let vectors = embed(embedder, texts).await?;
    let questions = embed(embedder, queries.iter().map(profile_text).collect()).await?;
    let ranked = questions
        .iter()
        .map(|q| {
            let mut scored: Vec<(f32, &Community)> =
                vectors.iter().map(|v| dot(q, v)).zip(&catalog).collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
            scored
                .into_iter()
                .take(10)
                .map(|(score, c)| (c.clone(), score))
                .collect()
        })
        .collect();
    report(service, queries, system, ranked, catalog_size).await
}

/// In chunks small enough for the model's queue.
async fn embed(embedder: &dyn Embedder, texts: Vec<String>) -> Result<Vec<Vec<f32>>, CoreError> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(PAGE / 8) {
        out.extend(embedder.embed(chunk.to_vec()).await?);
    }
    Ok(out)
}
