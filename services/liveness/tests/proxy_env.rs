//! The environment's proxy settings are ignored: behind a proxy the SSRF
//! guard would never see the address a check connects to. Its own process,
//! because it sets process-wide variables.

use std::sync::Arc;

use copmatch_core::fakes::{cid, memory_service};
use copmatch_core::progress::NoProgress;
use copmatch_core::time::ManualClock;
use copmatch_liveness::fake_internet::FakeInternet;
use copmatch_liveness::{Checker, LivenessSettings};

#[tokio::test]
async fn http_proxy_variables_do_not_route_checks_around_the_guard() {
    let internet = FakeInternet::start().await.unwrap();
    // A proxy where nothing listens: a check sent there would fail.
    let proxy = format!("http://127.0.0.1:{}", internet.closed_port);
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
    ] {
        std::env::set_var(var, &proxy);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let (services, _, _) = memory_service(8).await;
    let line = format!(
        r#"{{"id":"ok","name":"Ok","url":"{}","platform":"web"}}"#,
        internet.url("ok.test", "/")
    );
    services.catalog.import(&line, &NoProgress).await.unwrap();
    let community = services.catalog.get(&cid("ok")).await.unwrap();
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));

    let settings = internet.settings(LivenessSettings::default(), &[]);
    let direct = Checker::new(settings.clone(), settings.lookup(), clock.clone()).unwrap();
    let check = direct.check(&community).await;
    assert_eq!(check.outcome.as_str(), "ok", "{}", check.detail);
    assert_eq!(
        internet.arrivals().len(),
        1,
        "the request went straight to the server"
    );

    // An operator's explicit proxy is used (and is outside the guard's reach).
    let mut proxied = settings.clone();
    proxied.proxy = Some(proxy);
    let via_proxy = Checker::new(proxied.clone(), proxied.lookup(), clock).unwrap();
    let check = via_proxy.check(&community).await;
    assert_eq!(check.outcome.as_str(), "transient", "{}", check.detail);
    assert_eq!(
        internet.arrivals().len(),
        1,
        "nothing more reached the server"
    );
}
