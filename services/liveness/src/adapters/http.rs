//! Any other page: plain HTTP.

use copmatch_core::liveness::Outcome;
use reqwest::Method;
use url::Url;

use super::Verdict;
use crate::fetch::{FetchError, Fetcher};

/// Any other page: HEAD, and GET when HEAD is not answered properly.
pub(super) async fn http(fetcher: &Fetcher<'_>, url: &Url) -> Verdict {
    let verdict = Verdict::new("http", url);
    let head = fetcher.fetch(Method::HEAD, url).await;
    let fetched = match head {
        Ok(f) if f.status.is_success() || matches!(f.status.as_u16(), 404 | 410) => Ok(f),
        Err(
            e @ (FetchError::Blocked(_) | FetchError::NoSuchHost(_) | FetchError::RedirectLoop(_)),
        ) => Err(e),
        _ => fetcher.fetch(Method::GET, url).await,
    };
    match fetched {
        Err(e) => verdict.failed(&e),
        Ok(fetched) => {
            let mut v = verdict.answered(&fetched);
            if let (Outcome::Ok, Some(to)) = (v.outcome, &fetched.moved_to) {
                v.outcome = Outcome::Moved;
                v.moved_to = Some(to.to_string());
                v.detail = format!("moved permanently to {to}");
            }
            v
        }
    }
}
