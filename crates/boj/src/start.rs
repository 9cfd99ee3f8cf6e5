//! Starting boj: the settings every serving command shares, opening a data directory, the
//! application handle, serving until told to stop, and how failures become exit codes. The command
//! line (`cli.rs`) and the demo (`demo.rs`) both start from here, so neither imports the other's
//! internals (zero2prod's `startup`).

use boj_app::konton::Expiry;
use boj_app::{App, AppError, Kind};
use boj_domain::DomainError;
use boj_store::clock::SystemClock;
use boj_store::nycklar::Nyckelring;
use boj_store::{SharedClock, Store, StoreError};
use boj_web::{AppState, WebConfig};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Clone)]
pub struct DataArgs {
    /// Data directory (with SQLite, also the database)
    #[arg(long, env = "BOJ_DATA", default_value = "./boj-data")]
    pub data: PathBuf,
    /// PostgreSQL URL; without it the SQLite database in the data directory is used
    #[arg(long, env = "BOJ_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The master key file, best kept outside the data directory (default DATA/keys/master.key)
    #[arg(long, env = "BOJ_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

impl DataArgs {
    /// The master keys: from `--key-file` when given, else from the data directory.
    pub fn nyckelring(&self) -> CliResult<Nyckelring> {
        Ok(match &self.key_file {
            Some(f) => Nyckelring::load_file(f)?,
            None => Nyckelring::load(&self.data)?,
        })
    }

    /// As [`DataArgs::nyckelring`], creating the master key first if there is none (`init`).
    pub fn skapa_nyckelring(&self) -> CliResult<Nyckelring> {
        Ok(match &self.key_file {
            Some(f) => Nyckelring::create_or_load_file(f)?,
            None => Nyckelring::create_or_load(&self.data)?,
        })
    }
}

#[derive(Args, Clone)]
pub struct WebArgs {
    /// Address to listen on (port 0 picks a free port; the URL is printed first)
    #[arg(long, env = "BOJ_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Minutes of inactivity after which a session ends
    #[arg(long, env = "BOJ_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Hours after sign-in after which a session ends regardless
    #[arg(long, env = "BOJ_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,
    /// Issuer URL of an OpenID provider through which `kommun` and `forbund` accounts may sign in
    /// (optional; the client secret is read from BOJ_OIDC_CLIENT_SECRET, never from a flag)
    #[arg(long, env = "BOJ_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The client id boj is registered with at the OpenID provider
    #[arg(long, env = "BOJ_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The ID-token claim that names the boj account: email, preferred_username or sub
    #[arg(long, env = "BOJ_OIDC_CLAIM", default_value = "email")]
    pub oidc_claim: String,
    /// boj's public address, e.g. https://boj.example.se (the OpenID redirect URI is this plus
    /// /logga-in/oidc/svar); the demo defaults to the address it listens on
    #[arg(long, env = "BOJ_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Demo directory
    #[arg(long, default_value = "./boj-demo")]
    pub data: PathBuf,
    #[command(flatten)]
    pub web: WebArgs,
    /// The demo's date (YYYY-MM-DD); default today
    #[arg(long)]
    pub today: Option<String>,
    /// Wipe and reseed an existing demo directory
    #[arg(long)]
    pub reset: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Verification(String),
    #[error("{0}")]
    Failure(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Verification(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Failure(_) => 3,
        }
    }
}

impl From<DomainError> for CliError {
    fn from(e: DomainError) -> Self {
        CliError::Usage(e.message)
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => CliError::Usage(d.message),
            StoreError::NotFound => CliError::Failure("hittades inte".into()),
            StoreError::Conflict(_) => CliError::Failure("finns redan".into()),
            other => CliError::Failure(other.to_string()),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Failure(e.to_string())
    }
}

pub type CliResult<T> = Result<T, CliError>;

/// Opens and migrates the store for a data directory.
pub async fn open(data: &DataArgs, clock: SharedClock) -> CliResult<Store> {
    let store = Store::open(&data.data, data.database_url.as_deref(), clock).await?;
    store.migrate().await?;
    Ok(store)
}

pub async fn open_initialised(data: &DataArgs) -> CliResult<Store> {
    let store = open(data, Arc::new(SystemClock)).await?;
    if !store.is_initialised().await? {
        return Err(CliError::Failure(format!(
            "{} är inte initierad: kör först `boj init --data {}`",
            data.data.display(),
            data.data.display()
        )));
    }
    Ok(store)
}

impl From<AppError> for CliError {
    /// What the user can mend is a usage error (exit 2); anything else a failure (exit 3).
    fn from(e: AppError) -> Self {
        let message = match e.conflict_id {
            Some(id) => format!("{} ({id})", e.message),
            None => e.message,
        };
        match e.kind {
            Kind::Internal => CliError::Failure(message),
            _ => CliError::Usage(message),
        }
    }
}

/// The application over a data directory's store and master key.
pub fn app(store: Store, data: &DataArgs) -> CliResult<App> {
    Ok(App::new(store, Arc::new(data.nyckelring()?)))
}

/// The web settings from the flags; `addr` is the address boj listens on (the demo's public
/// address when none is given).
pub fn web_config(
    web: &WebArgs,
    secure_cookies: bool,
    demo: bool,
    addr: std::net::SocketAddr,
) -> CliResult<WebConfig> {
    if web.session_idle_minutes < 1 || web.session_max_hours < 1 {
        return Err(CliError::Usage("sessionstiderna ska vara minst 1".into()));
    }
    #[cfg_attr(not(feature = "oidc"), allow(unused_mut))]
    let mut config = WebConfig {
        expiry: Expiry {
            idle_secs: web.session_idle_minutes * 60,
            absolute_secs: web.session_max_hours * 3600,
        },
        secure_cookies,
        demo,
        ..WebConfig::default()
    };
    if let Some(issuer) = &web.oidc_issuer {
        #[cfg(not(feature = "oidc"))]
        return Err(CliError::Usage(format!(
            "boj är byggt utan OpenID Connect (funktionen `oidc`); --oidc-issuer {issuer} kan inte användas"
        )));
        #[cfg(feature = "oidc")]
        {
            use boj_web::oidc::{Ansprak, Installningar, Oidc};
            let publik_adress = match (&web.public_url, demo) {
                (Some(u), _) => u.clone(),
                (None, true) => format!("http://{addr}"),
                (None, false) => {
                    return Err(CliError::Usage(
                        "OpenID Connect behöver boj:s publika adress: ange --public-url (BOJ_PUBLIC_URL)".into(),
                    ));
                }
            };
            let oidc = Oidc::new(Installningar {
                utfardare: issuer.clone(),
                klient_id: web.oidc_client_id.clone().unwrap_or_default(),
                klient_hemlighet: std::env::var("BOJ_OIDC_CLIENT_SECRET").unwrap_or_default(),
                ansprak: Ansprak::parse(&web.oidc_claim).map_err(CliError::Usage)?,
                publik_adress,
            })
            .map_err(CliError::Usage)?;
            config.oidc = Some(Arc::new(oidc));
        }
    }
    Ok(config)
}

/// Binds, prints the URL as the first line of standard output, and serves until Ctrl-C or SIGTERM.
/// `config` gets the address boj listens on.
pub async fn serve_on(
    listen: &str,
    app: App,
    config: impl FnOnce(std::net::SocketAddr) -> CliResult<WebConfig>,
    after_url: impl FnOnce(),
) -> CliResult<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| CliError::Failure(format!("kan inte lyssna på {listen}: {e}")))?;
    let addr = listener.local_addr()?;
    let state = AppState {
        app,
        config: Arc::new(config(addr)?),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "http://{addr}/")?;
    out.flush()?;
    drop(out);
    after_url();
    let app = state.app.clone();
    boj_web::serve(listener, state, shutdown_signal()).await?;
    app.close().await;
    eprintln!("boj: avslutad");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
