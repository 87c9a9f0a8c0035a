//! Harvesting into a running catalog: trusted sources store, the others
//! queue for moderators, a repeat completes the entry it repeats, and a
//! second harvest neither duplicates nor re-queues.

use std::sync::Arc;

use copmatch_core::fakes::MemoryQueue;
use copmatch_core::harvesting::{harvest_into_store, Fetched};
use copmatch_core::moderator::Moderator;
use copmatch_core::progress::NoProgress;
use copmatch_core::submissions::ItemState;
use copmatch_harvest::fields::Taxonomy;
use copmatch_harvest::source::parse_manifest;

use crate::service;

const FIELDS: &str = "[[field]]\nid = \"nursing\"\nname = \"Nursing and midwifery\"\nterms = [\"nurses\", \"nursing\"]\n\
                      [[field]]\nid = \"woodworking\"\nname = \"Woodworking and furniture making\"\nterms = [\"woodworking\", \"joinery\"]\n";

fn fetched(trust: &str, text: &str) -> Fetched {
    let manifest = format!(
        "[[source]]\nname = \"list-{trust}\"\nformat = \"markdown\"\nfile = \"x.md\"\n\
         page = \"https://github.com/example/list/blob/abc/README.md\"\nlicence = \"CC0-1.0\"\n\
         platform = \"forum\"\ntrust = \"{trust}\"\n"
    );
    Fetched {
        source: parse_manifest(&manifest).unwrap().remove(0),
        text: text.to_string(),
        join_text: None,
        harvested_at: "2026-12-03".into(),
    }
}

#[tokio::test]
async fn trusted_sources_store_others_queue_and_repeats_complete_what_is_there() {
    let services = service().await;
    let queue = Arc::new(MemoryQueue::default());
    let moderator = Moderator::new(services.catalog.clone(), queue);
    let taxonomy = Taxonomy::load(FIELDS, "").unwrap();
    let trusted = fetched(
        "catalog",
        "- [Night Shift Nurses](https://nightshift.example.org) - a forum for nurses on nights\n\
         - [Woodworkers Guild](https://woodworkers.example.org) - joinery and furniture\n",
    );
    let queued = fetched(
        "moderation",
        "- [Nurse Educators](https://educators.example.org) - nursing teachers\n",
    );
    let before = services.catalog.store().count().await.unwrap();

    let summary = harvest_into_store(
        &services.catalog,
        &moderator,
        &taxonomy,
        &[trusted, queued],
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(
        (summary.stored, summary.queued, summary.updated),
        (1, 1, 1),
        "{summary:?}"
    );
    assert_eq!(services.catalog.store().count().await.unwrap(), before + 1);
    let guild = services
        .catalog
        .get(&copmatch_core::CommunityId::parse("woodworkers").unwrap())
        .await
        .unwrap();
    assert_eq!(
        guild.provenance[0].source, "list-catalog",
        "the repeat recorded its source on the entry it repeats"
    );
    let pending = moderator.list(Some(ItemState::Pending)).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].community.name, "Nurse Educators");
    assert_eq!(
        pending[0].note.as_deref(),
        Some("harvested from list-moderation")
    );

    // The same lists again: nothing new stored, nothing queued twice.
    let again = harvest_into_store(
        &services.catalog,
        &moderator,
        &taxonomy,
        &[
            fetched("catalog", "- [Night Shift Nurses](https://nightshift.example.org) - a forum for nurses on nights\n"),
            fetched("moderation", "- [Nurse Educators](https://educators.example.org) - nursing teachers\n"),
        ],
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!((again.stored, again.queued), (0, 0), "{again:?}");
    assert_eq!(
        moderator
            .list(Some(ItemState::Pending))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(services.catalog.store().count().await.unwrap(), before + 1);
}
