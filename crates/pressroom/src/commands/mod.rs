//! One function per command; each opens the store and calls the same pipeline code the API
//! calls. No pipeline logic lives here. This file routes a parsed command line to the area
//! that handles it (`pressroom images` lives in `crate::images`).

mod account;
mod clusters;
mod content;
mod destinations;
mod export;
mod keys;
mod keywords;
mod prompts;
mod publish;
mod publish_queue;
mod review;
mod run;
mod runs;
mod schedule;
mod serp;
mod server;
mod settings;
mod sites;
mod users;
mod webhooks;

pub use clusters::{ClustersCommand, IdeasCommand};
pub use content::ContentCommand;
pub use destinations::DestinationsCommand;
pub use export::ExportArgs;
pub use keys::KeysCommand;
pub use publish::PublishCommand;
pub use schedule::ScheduleCommand;
pub use webhooks::WebhooksCommand;

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Out;
use crate::{Cli, Command};

pub async fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    let out = Out { json: cli.json };
    let config = Config::resolve(cli.data_dir, cli.database_url, cli.config.as_deref())?;
    match cli.command {
        Command::Migrate => server::migrate(&config, &out).await,
        Command::Run {
            file,
            site,
            clusters,
            max_articles,
        } => {
            let scope = pressroom_domain::RunScope {
                clusters: clusters
                    .into_iter()
                    .map(pressroom_domain::ClusterId::new)
                    .collect(),
                max_articles,
            };
            run::run(&config, &out, &file, &site, &scope).await
        }
        Command::Sites(cmd) => sites::command(&config, &out, cmd).await,
        Command::Keywords(cmd) => keywords::command(&config, &out, cmd).await,
        Command::Clusters(cmd) => clusters::clusters(&config, &out, cmd).await,
        Command::Ideas(cmd) => clusters::ideas(&config, &out, cmd).await,
        Command::Serp(cmd) => serp::command(&config, &out, cmd).await,
        Command::Credits { limit } => account::credits(&config, &out, limit).await,
        Command::Usage { by } => account::usage(&config, &out, &by).await,
        Command::Worker { image_concurrency } => {
            server::worker(&config, &out, image_concurrency).await
        }
        Command::Images(cmd) => crate::images::command(&config, &out, cmd).await,
        Command::Runs(cmd) => runs::command(&config, &out, cmd).await,
        Command::Review(cmd) => review::command(&config, &out, cmd).await,
        Command::Content(cmd) => content::command(&config, &out, cmd).await,
        Command::Schedule(cmd) => schedule::command(&config, &out, cmd).await,
        Command::Keys(cmd) => keys::command(&config, &out, cmd).await,
        Command::Webhooks(cmd) => webhooks::command(&config, &out, cmd).await,
        Command::Destinations(cmd) => destinations::command(&config, &out, cmd).await,
        Command::Publish(cmd) => publish::command(&config, &out, cmd).await,
        Command::Export(args) => export::command(&config, &out, args).await,
        Command::Serve {
            addr,
            image_concurrency,
            secure_cookies,
            metrics_token,
            trust_forwarded_for,
        } => {
            let web = pressroom_web::WebConfig {
                secure_cookies,
                metrics_token: metrics_token.filter(|t| !t.trim().is_empty()),
                trust_forwarded_for,
                ..Default::default()
            };
            server::serve(&config, &addr, image_concurrency, web)
                .await
                .map(|()| Exit::Ok)
        }
        Command::Users(cmd) => users::users(&config, &out, cmd).await,
        Command::Tokens(cmd) => users::tokens(&config, &out, cmd).await,
    }
}
