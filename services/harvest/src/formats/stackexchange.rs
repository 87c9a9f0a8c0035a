//! The Stack Exchange network's site list, as the API's `/2.3/sites` answers
//! it: `{"items": [{"name", "site_url", "audience", "api_site_parameter",
//! "site_type", "site_state", ...}], "has_more", ...}`. Meta sites (about the
//! sites themselves) and closed betas are left out.

use serde::Deserialize;

use crate::entry::RawEntry;

#[derive(Deserialize)]
struct Answer {
    items: Vec<Site>,
}

#[derive(Deserialize)]
struct Site {
    name: String,
    site_url: String,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    api_site_parameter: Option<String>,
    #[serde(default)]
    site_type: Option<String>,
    #[serde(default)]
    site_state: Option<String>,
    #[serde(default)]
    related_sites: Vec<serde_json::Value>,
}

pub fn read(text: &str) -> Result<Vec<RawEntry>, String> {
    // Some dumps are the bare array of items.
    let sites: Vec<Site> = match serde_json::from_str::<Answer>(text) {
        Ok(answer) => answer.items,
        Err(first) => serde_json::from_str(text).map_err(|_| first.to_string())?,
    };
    Ok(sites
        .into_iter()
        .filter(|s| s.site_type.as_deref() != Some("meta_site"))
        // Older dumps lack `site_type`: a meta site's parameter or address
        // says it (one parameter is `metamunitybuilding`, so both are read).
        .filter(|s| {
            !s.api_site_parameter
                .as_deref()
                .is_some_and(|p| p.starts_with("meta.") || p.contains(".meta"))
        })
        .filter(|s| {
            let host = s.site_url.split("://").nth(1).unwrap_or(&s.site_url);
            !(host.starts_with("meta.") || host.contains(".meta."))
        })
        .filter(|s| !matches!(s.site_state.as_deref(), Some("closed_beta" | "linked_meta")))
        .map(|s| {
            let _ = &s.related_sites;
            let audience = s
                .audience
                .map(|a| html_unescape(&a))
                .filter(|a| !a.trim().is_empty());
            RawEntry {
                name: html_unescape(&s.name),
                url: s.site_url,
                description: audience.as_ref().map(|a| {
                    format!(
                        "Questions and answers for {}.",
                        a.trim().trim_end_matches('.')
                    )
                }),
                tags: s.api_site_parameter.into_iter().collect(),
                platform: Some("stackexchange".into()),
                ..RawEntry::default()
            }
        })
        .collect())
}

/// The API escapes names and audiences as HTML ("Arqade &amp; …").
fn html_unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[cfg(test)]
mod tests {
    #[test]
    fn main_sites_become_entries_and_metas_do_not() {
        let json = r#"{"items":[
          {"name":"Seasoned Advice","site_url":"https://cooking.stackexchange.com","audience":"professional and amateur chefs","api_site_parameter":"cooking","site_type":"main_site","site_state":"normal"},
          {"name":"Seasoned Advice Meta","site_url":"https://cooking.meta.stackexchange.com","audience":"x","api_site_parameter":"cooking.meta","site_type":"meta_site","site_state":"linked_meta"},
          {"name":"Law &amp; Order","site_url":"https://law.stackexchange.com","audience":"legal professionals, students, and others with experience or interest in law","api_site_parameter":"law","site_type":"main_site","site_state":"open_beta"}
        ],"has_more":false,"quota_max":300,"quota_remaining":299}"#;
        let entries = super::read(json).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].description.as_deref(),
            Some("Questions and answers for professional and amateur chefs.")
        );
        assert_eq!(entries[0].tags, ["cooking"]);
        assert_eq!(entries[1].name, "Law & Order");
    }
}
