//! Scheduled harvests in `serve` (`harvest.scheduled = true`): every source
//! with `every_hours` and a `fetch_url` is fetched when due and harvested
//! into the running catalog (trusted sources stored, the others queued for
//! moderators; entries a source dropped are left to the liveness checker).
//! When each source last succeeded is kept in `<data_dir>/harvest-schedule.json`,
//! written atomically, so a restart neither repeats a harvest nor forgets one.
//! A failed fetch is logged and tried again at the next look.
//! With several replicas on one Qdrant server, turn it on in one of them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use copmatch_core::harvesting::harvest_into_store;
use copmatch_core::moderator::Moderator;
use copmatch_core::progress::NoProgress;
use copmatch_core::Catalog;
use copmatch_harvest::fields::Taxonomy;
use copmatch_harvest::source::Source;
use jiff::Timestamp;

use crate::settings::HarvestSettings;

const STATE_FILE: &str = "harvest-schedule.json";

/// When each source last harvested successfully.
type Schedule = BTreeMap<String, Timestamp>;

fn load(path: &Path) -> Schedule {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn due<'a>(sources: &'a [Source], schedule: &Schedule, now: Timestamp) -> Vec<&'a Source> {
    sources
        .iter()
        .filter(|s| s.fetch_url.is_some())
        .filter(|s| match (s.every_hours, schedule.get(&s.name)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(hours), Some(last)) => now.duration_since(*last).as_secs_f64() >= hours * 3600.0,
        })
        .collect()
}

/// Starts the schedule: a look now, then every `harvest.check_every_secs`.
pub fn spawn(
    settings: HarvestSettings,
    data_dir: PathBuf,
    catalog: Catalog,
    moderator: Moderator,
    taxonomy: Taxonomy,
) -> anyhow::Result<()> {
    let sources = settings.sources(&[])?;
    let scheduled = sources
        .iter()
        .filter(|s| s.every_hours.is_some() && s.fetch_url.is_some())
        .count();
    tracing::info!(sources = scheduled, "scheduled harvests are on");
    let state = data_dir.join(STATE_FILE);
    tokio::spawn(async move {
        loop {
            let mut schedule = load(&state);
            for source in due(&sources, &schedule, Timestamp::now()) {
                match harvest_one(&settings, source, &catalog, &moderator, &taxonomy).await {
                    Ok(()) => {
                        schedule.insert(source.name.clone(), Timestamp::now());
                        let bytes =
                            serde_json::to_vec_pretty(&schedule).expect("timestamps serialize");
                        if let Err(e) = copmatch_core::durable::write_atomically(&state, &bytes) {
                            tracing::warn!(
                                "recording the harvest schedule in {}: {e}",
                                state.display()
                            );
                        }
                    }
                    Err(e) => {
                        tracing::warn!(source = %source.name, "scheduled harvest failed; trying again later: {e:#}")
                    }
                }
            }
            tokio::time::sleep(Duration::from_secs(settings.check_every_secs.max(1))).await;
        }
    });
    Ok(())
}

async fn harvest_one(
    settings: &HarvestSettings,
    source: &Source,
    catalog: &Catalog,
    moderator: &Moderator,
    taxonomy: &Taxonomy,
) -> anyhow::Result<()> {
    let fetched = settings.read(source, true).await?;
    let summary = harvest_into_store(catalog, moderator, taxonomy, &[fetched], &NoProgress).await?;
    tracing::info!(
        source = %source.name,
        stored = summary.stored,
        queued = summary.queued,
        updated = summary.updated,
        "scheduled harvest done"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_due_when_never_harvested_or_its_hours_have_passed() {
        let manifest = "[[source]]\nname = \"a\"\nformat = \"markdown\"\nfetch_url = \"http://127.0.0.1:1/a.md\"\n\
                        page = \"https://example.org/a\"\nlicence = \"CC0-1.0\"\nevery_hours = 24\n\
                        [[source]]\nname = \"b\"\nformat = \"markdown\"\nfetch_url = \"http://127.0.0.1:1/b.md\"\n\
                        page = \"https://example.org/b\"\nlicence = \"CC0-1.0\"\n";
        let sources = copmatch_harvest::source::parse_manifest(manifest).unwrap();
        let now: Timestamp = "2026-12-03T12:00:00Z".parse().unwrap();
        let names = |schedule: &Schedule| {
            due(&sources, schedule, now)
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&Schedule::new()), ["a"], "b has no schedule");
        let mut schedule = Schedule::new();
        schedule.insert("a".into(), "2026-12-03T00:00:00Z".parse().unwrap());
        assert!(names(&schedule).is_empty(), "12 hours ago");
        schedule.insert("a".into(), "2026-12-02T11:00:00Z".parse().unwrap());
        assert_eq!(names(&schedule), ["a"], "25 hours ago");
    }
}
