//! The configured keys: checked at start-up, kept as SHA-256 digests, and
//! matched in constant time against every one of them.

use std::collections::BTreeSet;

use copmatch_core::ErrorCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Caller, Need, Scope, PUBLIC_NAME};
use crate::error::ApiError;

/// API keys (the `auth` configuration section). No keys at all = keyless.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    pub keys: Vec<KeySettings>,
    /// The key the pages send for visitors (scopes recommend, submit,
    /// feedback). Unset while keys exist: one is generated per process.
    pub public_key: Option<String>,
    /// Probe routes (`/health`, `/ready`, `/metrics`) that need no key.
    pub open_paths: Vec<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            public_key: None,
            open_paths: crate::telemetry::PROBES.map(String::from).to_vec(),
        }
    }
}

/// A configured key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySettings {
    /// Names the key in logs, rate limits and as the owner of its users.
    pub name: String,
    /// The key itself, or …
    #[serde(default)]
    pub key: Option<String>,
    /// … its SHA-256 digest in hex (`printf %s KEY | sha256sum`).
    #[serde(default)]
    pub sha256: Option<String>,
    pub scopes: Vec<Scope>,
}

struct Entry {
    name: String,
    digest: [u8; 32],
    scopes: Vec<Scope>,
}

/// The keys in force, built once at start-up.
pub struct Keys {
    entries: Vec<Entry>,
    public: Option<[u8; 32]>,
    public_key: Option<String>,
    open_paths: BTreeSet<String>,
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl Keys {
    /// Checks the configuration: every key has a name, exactly one of `key`
    /// and `sha256`, and at least one scope. `admin_keys` (the older setting)
    /// become keys with every scope.
    pub fn from_settings(auth: &AuthSettings, admin_keys: &[String]) -> anyhow::Result<Self> {
        let mut entries = Vec::new();
        for (i, key) in admin_keys.iter().enumerate() {
            // An empty entry ("k1,,k2", a trailing comma, `[""]`) would be a
            // key anyone can send: `Authorization: Bearer ` with nothing after.
            anyhow::ensure!(
                !key.trim().is_empty(),
                "admin_keys entry {} is empty (a trailing or doubled comma in COPMATCH__ADMIN_KEYS?); remove it",
                i + 1
            );
            entries.push(Entry {
                name: format!("admin-{}", i + 1),
                digest: digest(key),
                scopes: Scope::ALL.to_vec(),
            });
        }
        for spec in &auth.keys {
            let digest = match (&spec.key, &spec.sha256) {
                (Some(key), None) if !key.trim().is_empty() => digest(key),
                (Some(_), None) => {
                    anyhow::bail!("auth.keys `{}`: the key is empty", spec.name)
                }
                (None, Some(hex)) => parse_digest(hex).ok_or_else(|| {
                    anyhow::anyhow!("auth.keys `{}`: sha256 must be 64 hex digits", spec.name)
                })?,
                _ => anyhow::bail!(
                    "auth.keys `{}`: give exactly one of `key` and `sha256`",
                    spec.name
                ),
            };
            anyhow::ensure!(!spec.name.is_empty(), "auth.keys: every key needs a name");
            anyhow::ensure!(
                spec.name != PUBLIC_NAME,
                "auth.keys: the name `{PUBLIC_NAME}` belongs to the public key"
            );
            anyhow::ensure!(
                !spec.scopes.is_empty(),
                "auth.keys `{}`: give at least one scope",
                spec.name
            );
            entries.push(Entry {
                name: spec.name.clone(),
                digest,
                scopes: spec.scopes.clone(),
            });
        }
        let public_key = match (&auth.public_key, entries.is_empty()) {
            (_, true) => None,
            (Some(key), false) if key.trim().is_empty() => {
                anyhow::bail!("auth.public_key is empty; give a key or leave it unset")
            }
            (Some(key), false) => Some(key.clone()),
            (None, false) => {
                tracing::warn!("auth.public_key is not set: the pages use a key generated for this process; set one when running several replicas");
                Some(format!("pub_{}", uuid::Uuid::new_v4().simple()))
            }
        };
        Ok(Self {
            public: public_key.as_deref().map(digest),
            public_key,
            entries,
            open_paths: auth.open_paths.iter().cloned().collect(),
        })
    }

    /// Keyless: nobody needs a key.
    pub fn keyless(&self) -> bool {
        self.entries.is_empty()
    }

    /// The key the pages send (none when keyless).
    pub fn public_key(&self) -> Option<&str> {
        self.public_key.as_deref()
    }

    fn identify(&self, presented: &str) -> Option<Caller> {
        let presented = digest(presented);
        // Every entry is compared, whatever matched before.
        let mut found = None;
        for entry in &self.entries {
            if bool::from(entry.digest.ct_eq(&presented)) {
                found = Some(Caller::Key {
                    name: entry.name.clone(),
                    scopes: entry.scopes.clone(),
                });
            }
        }
        let public = self.public.is_some_and(|p| bool::from(p.ct_eq(&presented)));
        found.or(public.then_some(Caller::Public))
    }

    /// The caller of a request that needs `need`, or the error to answer.
    pub fn authorize(
        &self,
        need: Need,
        path: &str,
        authorization: Option<&str>,
    ) -> Result<Caller, ApiError> {
        if self.keyless() || (need == Need::Probe && self.open_paths.contains(path)) {
            return Ok(Caller::Anonymous);
        }
        let scope = need.scope();
        let Some(presented) = authorization else {
            return Err(ApiError::new(
                ErrorCode::MissingApiKey,
                format!(
                    "this endpoint needs a key with the `{}` scope: send `Authorization: Bearer <key>`",
                    scope.as_str()
                ),
            ));
        };
        let presented = presented
            .strip_prefix("Bearer ")
            .or_else(|| presented.strip_prefix("bearer "))
            .unwrap_or(presented)
            .trim();
        let caller = self
            .identify(presented)
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidApiKey, "the API key is not valid"))?;
        if !caller.has(scope) {
            return Err(ApiError::new(
                ErrorCode::InsufficientScope,
                format!("this key lacks the `{}` scope", scope.as_str()),
            ));
        }
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(public: Option<&str>) -> Keys {
        let settings = AuthSettings {
            keys: vec![
                KeySettings {
                    name: "app".into(),
                    key: Some("app-secret".into()),
                    sha256: None,
                    scopes: vec![Scope::Recommend, Scope::Feedback],
                },
                KeySettings {
                    name: "ops".into(),
                    key: None,
                    // printf %s ops-secret | sha256sum
                    sha256: Some(format!("{:x}", Sha256::digest(b"ops-secret"))),
                    scopes: vec![Scope::Admin],
                },
            ],
            public_key: public.map(str::to_string),
            ..AuthSettings::default()
        };
        Keys::from_settings(&settings, &[]).unwrap()
    }

    #[test]
    fn empty_keys_are_configuration_errors() {
        let one = |key: &str| AuthSettings {
            keys: vec![KeySettings {
                name: "app".into(),
                key: Some(key.into()),
                sha256: None,
                scopes: vec![Scope::Recommend],
            }],
            ..AuthSettings::default()
        };
        for admin in [vec!["k".to_string(), String::new()], vec![" ".to_string()]] {
            let err = Keys::from_settings(&AuthSettings::default(), &admin).err();
            assert!(
                err.is_some_and(|e| e.to_string().contains("empty")),
                "{admin:?}"
            );
        }
        assert!(Keys::from_settings(&one(""), &[]).is_err());
        let mut public = one("app-secret");
        public.public_key = Some(String::new());
        let err = Keys::from_settings(&public, &[]).err().expect("refused");
        assert!(err.to_string().contains("public_key"), "{err}");
    }

    fn code(result: Result<Caller, ApiError>) -> &'static str {
        result.unwrap_err().0.code.as_str()
    }

    #[test]
    fn keyless_lets_everyone_in_as_anonymous() {
        let keys = Keys::from_settings(&AuthSettings::default(), &[]).unwrap();
        assert!(keys.keyless());
        assert_eq!(keys.public_key(), None);
        assert_eq!(
            keys.authorize(Need::Admin, "/x", None).unwrap(),
            Caller::Anonymous
        );
    }

    #[test]
    fn a_missing_a_wrong_and_an_underscoped_key_get_their_codes() {
        let keys = keys(None);
        assert_eq!(
            code(keys.authorize(Need::Recommend, "/", None)),
            "missing_api_key"
        );
        assert_eq!(
            code(keys.authorize(Need::Recommend, "/", Some("Bearer nope"))),
            "invalid_api_key"
        );
        assert_eq!(
            code(keys.authorize(Need::Admin, "/", Some("Bearer app-secret"))),
            "insufficient_scope"
        );
        assert!(keys
            .authorize(Need::Feedback, "/", Some("Bearer app-secret"))
            .is_ok());
    }

    #[test]
    fn a_hashed_key_works_like_a_plain_one() {
        let caller = keys(None)
            .authorize(Need::Admin, "/", Some("Bearer ops-secret"))
            .unwrap();
        assert_eq!(caller.owner(), None, "admin keys see every user");
        assert!(
            keys(None)
                .authorize(Need::Feedback, "/", Some("Bearer ops-secret"))
                .is_ok(),
            "an admin key may do what the other scopes allow"
        );
    }

    #[test]
    fn the_public_key_has_the_page_scopes_only() {
        let keys = keys(Some("page-key"));
        let caller = keys
            .authorize(Need::Submit, "/", Some("Bearer page-key"))
            .unwrap();
        assert_eq!(caller, Caller::Public);
        assert_eq!(caller.owner(), Some(PUBLIC_NAME));
        assert_eq!(
            code(keys.authorize(Need::Admin, "/", Some("Bearer page-key"))),
            "insufficient_scope"
        );
    }

    #[test]
    fn a_public_key_is_generated_when_keys_exist_without_one() {
        let generated = keys(None).public_key().unwrap().to_string();
        assert!(generated.starts_with("pub_") && generated.len() > 20);
        assert_ne!(keys(None).public_key().unwrap(), generated);
    }

    #[test]
    fn probes_are_open_only_while_listed() {
        let mut settings = AuthSettings::default();
        settings.keys.push(KeySettings {
            name: "a".into(),
            key: Some("k".into()),
            sha256: None,
            scopes: vec![Scope::Recommend],
        });
        let keys = Keys::from_settings(&settings, &[]).unwrap();
        assert!(keys.authorize(Need::Probe, "/ready", None).is_ok());
        settings.open_paths.retain(|p| p != "/metrics");
        let keys = Keys::from_settings(&settings, &[]).unwrap();
        assert_eq!(
            code(keys.authorize(Need::Probe, "/metrics", None)),
            "missing_api_key"
        );
    }

    #[test]
    fn bad_key_settings_are_refused() {
        for spec in [
            KeySettings {
                name: "a".into(),
                key: None,
                sha256: None,
                scopes: vec![Scope::Admin],
            },
            KeySettings {
                name: "a".into(),
                key: Some("k".into()),
                sha256: None,
                scopes: vec![],
            },
            KeySettings {
                name: "a".into(),
                key: None,
                sha256: Some("abc".into()),
                scopes: vec![Scope::Admin],
            },
            KeySettings {
                name: "public".into(),
                key: Some("k".into()),
                sha256: None,
                scopes: vec![Scope::Admin],
            },
        ] {
            let settings = AuthSettings {
                keys: vec![spec],
                ..AuthSettings::default()
            };
            assert!(Keys::from_settings(&settings, &[]).is_err());
        }
    }
}
