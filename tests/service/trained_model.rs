//! A folder of trained weights (`scripts/distil.py` writes one) serves under
//! the id it records, so its vectors never mix with the published model's.

use copmatch_api::app::load_embedder;
use copmatch_api::model_folder::MODEL_FILE;
use copmatch_api::Settings;

#[tokio::test]
async fn a_folder_of_trained_weights_serves_under_its_own_id_and_embeds_with_its_weights() {
    let published = Settings::default().model_dir();
    let folder = tempfile::tempdir().unwrap();
    // The published files stand in for trained ones: the point is the naming.
    for entry in std::fs::read_dir(&published).expect("the model is installed (`make setup`)") {
        let entry = entry.unwrap();
        std::os::unix::fs::symlink(entry.path(), folder.path().join(entry.file_name())).unwrap();
    }
    std::fs::write(
        folder.path().join(MODEL_FILE),
        r#"{"id": "all-MiniLM-L6-v2-distilled-test", "architecture": "all-MiniLM-L6-v2"}"#,
    )
    .unwrap();
    let mut settings = Settings::default();
    settings.model.dir = Some(folder.path().to_path_buf());
    settings.model.workers = 1;
    let trained = tokio::task::spawn_blocking(move || load_embedder(&settings))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(trained.model_id(), "all-MiniLM-L6-v2-distilled-test");
    let shared = copmatch_tests::embedder();
    assert_eq!(shared.model_id(), "all-MiniLM-L6-v2");
    let text = vec!["intensive care nurse".to_string()];
    let (a, b) = (
        trained.embed(text.clone()).await.unwrap(),
        shared.embed(text).await.unwrap(),
    );
    let cosine: f32 = a[0].iter().zip(&b[0]).map(|(x, y)| x * y).sum();
    assert!(cosine > 0.999, "same weights, same vector: {cosine}");

    let mut wrong = Settings::default();
    wrong.model.name = "all-mpnet-base-v2".into();
    wrong.model.dir = Some(folder.path().to_path_buf());
    let refused = tokio::task::spawn_blocking(move || load_embedder(&wrong).map(|_| ()))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        format!("{refused:#}").contains("trained from all-MiniLM-L6-v2"),
        "{refused:#}"
    );
}
