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
        assert!(
            readme.contains(&format!("`{}`", code.as_str())),
            "README lacks error code {code}"
        );
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
        assert!(readme.contains(&env), "README lacks variable {env}");
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
