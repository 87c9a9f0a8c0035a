//! Any other page: plain HTTP.

use copmatch_core::liveness::Outcome;
use reqwest::Method;
use url::Url;

use super::soft404::soft_404;
use super::Verdict;
use crate::fetch::Fetcher;

/// Any other page: one GET (a HEAD cannot show a soft 404), read up to the
/// body cap. A 200 page that says it is gone, or a parked domain, is `dead`.
pub(super) async fn http(fetcher: &Fetcher<'_>, url: &Url) -> Verdict {
    let verdict = Verdict::new("http", url);
    match fetcher.fetch(Method::GET, url).await {
        Err(e) => verdict.failed(&e),
        Ok(fetched) => {
            let mut v = verdict.answered(&fetched);
            let html = fetched
                .header("content-type")
                .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
            if v.outcome == Outcome::Ok && html {
                if let Some(why) = soft_404(&fetched.text()) {
                    v.outcome = Outcome::Dead;
                    v.detail = why;
                    return v;
                }
            }
            if let (Outcome::Ok, Some(to)) = (v.outcome, &fetched.moved_to) {
                v.outcome = Outcome::Moved;
                v.moved_to = Some(to.to_string());
                v.detail = format!("moved permanently to {to}");
            }
            v
        }
    }
}
