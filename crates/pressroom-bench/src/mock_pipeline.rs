//! What the provider benchmarks share: the mock server in-process, a fresh database, and a
//! `Pipeline` whose OpenAI client talks to the mock, built as production builds it.

use pressroom_mock_ai::{MockConfig, MockHandle};
use pressroom_pipeline::Pipeline;
use pressroom_providers::{DownloadConfig, Limits, ModelRegistry, ProviderEnv, Providers};
use pressroom_store::Db;
use std::collections::HashMap;
use std::sync::Arc;

pub struct MockPipeline {
    pub p: Pipeline,
    pub db: Db,
    /// The limiters the OpenAI clients use: set per account to model a provider's limits.
    pub limits: Arc<Limits>,
    pub mock: MockHandle,
    /// Holds the database file (SQLite) and the media store; keep it bound until the end.
    pub dir: tempfile::TempDir,
}

/// `download` says whether the image URLs the mock hands out (on 127.0.0.1) may be fetched.
pub async fn start(
    mock: MockConfig,
    engine: &str,
    database_url: Option<String>,
    download: DownloadConfig,
) -> anyhow::Result<MockPipeline> {
    let (_, mock) = pressroom_mock_ai::spawn(mock).await?;
    let dir = tempfile::tempdir()?;
    let db = crate::import::open_db(engine, database_url, dir.path()).await?;
    db.migrate().await?;
    let vars: HashMap<&str, String> = [
        ("OPENAI_API_KEY", "sk-bench".to_string()),
        ("OPENAI_BASE_URL", mock.v1()),
    ]
    .into();
    let env = ProviderEnv::from_lookup(|k| vars.get(k).cloned());
    let limits = Limits::new();
    let providers = Providers::new(env, ModelRegistry::seeded().shared(), limits.clone());
    let p = Pipeline::new(db.clone(), providers, dir.path(), download);
    Ok(MockPipeline {
        p,
        db,
        limits,
        mock,
        dir,
    })
}
