//! The README tells the truth about error codes and configuration keys.

use copmatch_api::Settings;
use copmatch_core::ErrorCode;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md")
}

fn keys(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
    match value.as_object() {
        Some(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                keys(&key, v, out);
            }
        }
        None => out.push(prefix.to_string()),
    }
}

#[test]
fn readme_lists_every_error_code() {
    let readme = readme();
    for code in ErrorCode::ALL {
        let row = format!(
            "| `{}` | {} | {} |",
            code.as_str(),
            code.http_status(),
            code.error_type().as_str()
        );
        assert!(readme.contains(&row), "README lacks the row {row}");
    }
}

#[test]
fn readme_lists_every_configuration_key_with_its_variable() {
    let readme = readme();
    let mut all = Vec::new();
    keys(
        "",
        &serde_json::to_value(Settings::default()).unwrap(),
        &mut all,
    );
    for key in all {
        let env = format!("COPMATCH__{}", key.replace('.', "__").to_uppercase());
        assert!(
            readme.contains(&format!("`{key}`")),
            "README lacks config key {key}"
        );
        // Lists of tables cannot be written as one variable.
        let toml_only = readme.contains(&format!("| `{key}` | (TOML only) |"));
        assert!(
            toml_only || readme.contains(&env),
            "README lacks variable {env}"
        );
    }
}

#[test]
fn deployment_files_only_set_configuration_keys_that_exist() {
    let mut all = Vec::new();
    keys(
        "",
        &serde_json::to_value(Settings::default()).unwrap(),
        &mut all,
    );
    let known: Vec<String> = all
        .iter()
        .map(|k| format!("COPMATCH__{}", k.replace('.', "__").to_uppercase()))
        .collect();
    for file in ["docker-compose.yml", "Dockerfile"] {
        let text = std::fs::read_to_string(format!("{}/../{file}", env!("CARGO_MANIFEST_DIR")))
            .expect(file);
        let mut found = 0;
        for (i, _) in text.match_indices("COPMATCH__") {
            let var: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            assert!(
                known.contains(&var),
                "{file} sets {var}, which is not a configuration key"
            );
            found += 1;
        }
        assert!(found > 0, "{file} sets no COPMATCH__ variables");
    }
}

#[test]
fn docker_compose_runs_copmatch_on_a_healthy_pinned_qdrant() {
    let text = std::fs::read_to_string(format!(
        "{}/../docker-compose.yml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let compose: serde_yaml::Value =
        serde_yaml::from_str(&text).expect("docker-compose.yml is valid YAML");
    let qdrant = &compose["services"]["qdrant"];
    let image = qdrant["image"].as_str().expect("qdrant image");
    let tag = image
        .rsplit_once(':')
        .map(|(_, t)| t)
        .expect("a tagged image");
    assert!(
        tag.starts_with('v') && tag != "latest",
        "the Qdrant image is pinned: {image}"
    );
    assert!(
        qdrant["healthcheck"]["test"].is_sequence(),
        "Qdrant has a health check"
    );
    let volume = qdrant["volumes"][0].as_str().expect("a volume");
    assert!(
        volume.ends_with(":/qdrant/storage"),
        "Qdrant's storage is on a volume: {volume}"
    );
    let name = volume.split(':').next().unwrap();
    assert!(
        compose["volumes"].get(name).is_some(),
        "the volume {name} is declared"
    );

    let copmatch = &compose["services"]["copmatch"];
    assert_eq!(
        copmatch["depends_on"]["qdrant"]["condition"],
        "service_healthy"
    );
    let env = &copmatch["environment"];
    assert_eq!(env["COPMATCH__STORE__KIND"], "qdrant");
    let settings = copmatch_api::Settings::load(None, &[("store.kind", "qdrant".into())]).unwrap();
    assert_eq!(
        settings.store.kind,
        copmatch_api::settings::StoreKind::Qdrant,
        "the value parses"
    );
    assert_eq!(
        env["COPMATCH__STORE__QDRANT__URL"], "http://qdrant:6334",
        "gRPC port of the qdrant service"
    );
    assert!(
        copmatch["build"].is_string() || copmatch["build"].is_mapping(),
        "copmatch is built from the Dockerfile"
    );
}

/// Every "default N" and "1 to N" the API document states (it is written from
/// doc comments), with the value the service really uses.
fn stated_numbers(text: &str, word: &str) -> Vec<String> {
    text.match_indices(word)
        .filter_map(|(at, _)| {
            let number: String = text[at + word.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let number = number.trim_end_matches('.').to_string();
            (!number.is_empty()).then_some(number)
        })
        .collect()
}

#[tokio::test]
async fn every_default_the_api_document_states_is_the_one_the_service_uses() {
    let app = copmatch_tests::spawn_app().await;
    let doc: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    let settings = Settings::default();
    let limits = &settings.limits;
    // What each documented field or parameter really defaults to and allows.
    let real_default = |place: &str, name: &str| -> Option<String> {
        Some(match (place, name) {
            (_, "diversity") => settings.ranking.default_diversity.to_string(),
            ("/v1/communities/{id}/liveness", "limit") => {
                copmatch_api::routes::liveness::DEFAULT_HISTORY.to_string()
            }
            (_, "limit") => limits.default_limit.to_string(),
            (_, "offset") => "0".to_string(),
            _ => return None,
        })
    };
    let real_max = |place: &str, name: &str| -> Option<String> {
        match (place, name) {
            ("/v1/communities/{id}/liveness", "limit") => Some("200".into()),
            (_, "limit") => Some(limits.max_limit.to_string()),
            _ => None,
        }
    };
    let mut described = Vec::new();
    for (schema, body) in doc["components"]["schemas"].as_object().unwrap() {
        for (name, property) in body["properties"].as_object().into_iter().flatten() {
            if let Some(text) = property["description"].as_str() {
                described.push((schema.clone(), name.clone(), text.to_string()));
            }
        }
    }
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for operation in methods.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if let Some(text) = parameter["description"].as_str() {
                    let name = parameter["name"].as_str().unwrap().to_string();
                    described.push((path.clone(), name, text.to_string()));
                }
            }
        }
    }
    let mut checked = 0;
    for (place, name, text) in &described {
        let lower = text.to_lowercase();
        for stated in stated_numbers(&lower, "default ") {
            let real = real_default(place, name).unwrap_or_else(|| {
                panic!("{place}.{name} states default {stated}: add its real value to this test")
            });
            assert_eq!(stated, real, "{place}.{name} says {text:?}");
            checked += 1;
        }
        for stated in stated_numbers(&lower, "1 to ") {
            if let Some(real) = real_max(place, name) {
                assert_eq!(stated, real, "{place}.{name} says {text:?}");
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 5,
        "only {checked} stated numbers found: is the document read right?"
    );
}
