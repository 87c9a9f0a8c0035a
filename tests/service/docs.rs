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
