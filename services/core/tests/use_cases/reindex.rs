use copmatch_core::progress::NoProgress;
use copmatch_core::reindex::reindex;
use copmatch_core::{Profile, RecommendRequest, Steering};

use crate::{catalog, ids, service_with_index};

#[tokio::test]
async fn a_reindex_copies_every_community_and_switches_versions() {
    let (service, live, embedder) = service_with_index().await;
    let before = live.active_version();
    let report = reindex(&live, embedder, &NoProgress).await.unwrap();
    let after = live.active_version();
    assert_eq!(report.communities, catalog().len());
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        (before.name.as_str(), after.name.as_str())
    );
    assert_eq!(after.generation, before.generation + 1);
    assert_eq!(
        service.catalog.store().count().await.unwrap(),
        catalog().len()
    );
    let request = RecommendRequest {
        profile: Profile {
            roles: vec!["woodworking".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    let response = service
        .recommender
        .recommend(request, &Steering::default())
        .await
        .unwrap();
    assert_eq!(ids(&response.recommendations)[0], "woodworkers");
}

#[tokio::test]
async fn the_active_version_cannot_be_removed() {
    let (_, live, _) = service_with_index().await;
    let active = live.active_version();
    let err = live.catalog().remove(&active).await.unwrap_err();
    assert!(err.to_string().contains("active"), "{err}");
    assert!(live.catalog().active().await.unwrap().is_some());
}

#[tokio::test]
async fn writes_after_a_reindex_land_in_the_new_version() {
    let (service, live, embedder) = service_with_index().await;
    reindex(&live, embedder, &NoProgress).await.unwrap();
    service
        .catalog
        .delete(&copmatch_core::fakes::cid("rustaceans"))
        .await
        .unwrap();
    let serving = live
        .catalog()
        .serving(&live.active_version())
        .await
        .unwrap();
    assert!(serving
        .get(&copmatch_core::fakes::cid("rustaceans"))
        .await
        .unwrap()
        .is_none());
    assert_eq!(serving.count().await.unwrap(), catalog().len() - 1);
}
