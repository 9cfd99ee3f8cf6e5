//! Command-line interface (SPEC § 4). Every command that touches data takes `--data DIR`;
//! `BOJ_DATABASE_URL` selects PostgreSQL instead of the SQLite file in that directory.

use boj_domain::{
    Anvandarnamn, DomainError, Kommunkod, Lanskod, NyttLosenord, Organisationsnummer, Role, Scope,
};
use boj_store::clock::SystemClock;
use boj_store::nycklar::Nyckelring;
use boj_store::sessions::Expiry;
use boj_store::{SharedClock, Store, StoreError, audit, orgs, tokens, users};
use boj_web::{AppState, WebConfig};
use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "boj",
    version,
    about = "boj: ett idéburet offentligt partnerskap mellan en stödorganisation och kommunerna som finansierar den."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the web UI and the API
    Serve(ServeArgs),
    /// Seed a demo directory with sample data and serve it
    Demo(DemoArgs),
    /// Create a data directory: database and the first admin (password on standard input)
    Init(InitArgs),
    /// Apply pending database migrations
    Migrate(DataArgs),
    /// Manage user accounts
    #[command(subcommand)]
    User(UserCmd),
    /// Create and revoke API bearer tokens
    #[command(subcommand)]
    Token(TokenCmd),
    /// Register organisations whose staff use boj
    #[command(subcommand)]
    Organisation(OrgCmd),
    /// Check the audit log's hash chain
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Import reference data (population figures from SCB)
    #[command(subcommand)]
    Import(ImportCmd),
    /// Retention: close inactive cases, erase expired contact details
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Issue follow-up reports and verify signed ones
    #[command(subcommand)]
    Report(ReportCmd),
}

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Issue the report of an ended period, acting as the named coordinator
    Issue {
        #[command(flatten)]
        data: DataArgs,
        /// The coordinator the report is issued by
        #[arg(long)]
        user: String,
        /// The agreement's id
        #[arg(long)]
        agreement: String,
        /// 2026, 2026-H1 or 2026-Q3
        #[arg(long)]
        period: String,
    },
    /// Check a signed report (JSON) offline: exit 0 if it holds, 1 if not
    Verify {
        /// The report file
        file: PathBuf,
        /// The signing organisation's public key (base64 or hex); without it (or --data) only the
        /// digest is checked
        #[arg(long, conflicts_with = "data")]
        key: Option<String>,
        /// A data directory whose database holds the public key named in the file
        #[arg(long, env = "BOJ_DATA")]
        data: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Run retention once now (serve also runs it at start and daily)
    Run {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Import SCB's population file; all rows or none
    Population {
        #[command(flatten)]
        data: DataArgs,
        /// The CSV file as downloaded from SCB (any of its layouts)
        file: PathBuf,
        /// Reference date (default: 31 December of the year in the file)
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Args, Clone)]
pub struct DataArgs {
    /// Data directory (with SQLite, also the database)
    #[arg(long, env = "BOJ_DATA", default_value = "./boj-data")]
    pub data: PathBuf,
    /// PostgreSQL URL; without it the SQLite database in the data directory is used
    #[arg(long, env = "BOJ_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
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
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub web: WebArgs,
    /// Session cookie without the Secure flag, for plain HTTP without TLS in front (testing only)
    #[arg(long, env = "BOJ_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
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

#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Name of the first admin account
    #[arg(long, default_value = "admin")]
    pub admin: String,
    /// Read the password from this file instead of standard input
    #[arg(long)]
    pub password_file: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a user (password on standard input)
    Add {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        name: String,
        /// stodperson, samordnare, kommun, forbund or admin
        #[arg(long)]
        role: String,
        /// Organisation id (stodperson, samordnare)
        #[arg(long)]
        organisation: Option<String>,
        /// Municipality code (kommun)
        #[arg(long)]
        municipality: Option<String>,
        /// County code (forbund)
        #[arg(long)]
        county: Option<String>,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Set a user's password (on standard input); ends their sessions
    Passwd {
        #[command(flatten)]
        data: DataArgs,
        name: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Disable a user; ends their sessions and revokes their tokens
    Disable {
        #[command(flatten)]
        data: DataArgs,
        name: String,
    },
    /// List users
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Create a bearer token for a user; prints the token alone
    Create {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        user: String,
        /// Days of validity
        #[arg(long, default_value_t = tokens::DEFAULT_DAYS)]
        days: i64,
    },
    /// Revoke a token by its id (the part after `boj_`, starting with `t_`)
    Revoke {
        #[command(flatten)]
        data: DataArgs,
        token_id: String,
    },
}

#[derive(Subcommand)]
pub enum OrgCmd {
    /// Register an organisation; prints its id
    Add {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        name: String,
        /// Organisationsnummer (check digit validated)
        #[arg(long)]
        orgnr: Option<String>,
    },
    /// List organisations
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Recompute the hash chain; exit 1 if it is broken
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}

/// A command's failure, with the exit status it maps to.
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

async fn open_initialised(data: &DataArgs) -> CliResult<Store> {
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

/// Reads a password: the first line of the file, or of standard input.
fn read_password(file: Option<&Path>) -> CliResult<NyttLosenord> {
    let line = match file {
        Some(p) => std::fs::read_to_string(p)?
            .lines()
            .next()
            .unwrap_or("")
            .to_string(),
        None => {
            let mut s = String::new();
            std::io::stdin().lock().read_line(&mut s)?;
            s
        }
    };
    Ok(NyttLosenord::parse(line.trim_end_matches(['\r', '\n']))?)
}

pub fn web_config(web: &WebArgs, secure_cookies: bool, demo: bool) -> CliResult<WebConfig> {
    if web.session_idle_minutes < 1 || web.session_max_hours < 1 {
        return Err(CliError::Usage("sessionstiderna ska vara minst 1".into()));
    }
    Ok(WebConfig {
        expiry: Expiry {
            idle_secs: web.session_idle_minutes * 60,
            absolute_secs: web.session_max_hours * 3600,
        },
        secure_cookies,
        demo,
        ..WebConfig::default()
    })
}

/// Binds, prints the URL as the first line of standard output, and serves until Ctrl-C or SIGTERM.
pub async fn serve_on(listen: &str, state: AppState, after_url: impl FnOnce()) -> CliResult<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| CliError::Failure(format!("kan inte lyssna på {listen}: {e}")))?;
    let addr = listener.local_addr()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "http://{addr}/")?;
    out.flush()?;
    drop(out);
    after_url();
    let store = state.store.clone();
    boj_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
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

pub async fn run(cli: Cli) -> CliResult<ExitCode> {
    match cli.command {
        Command::Serve(a) => {
            let store = open_initialised(&a.data).await?;
            let config = web_config(&a.web, !a.insecure_cookies, false)?;
            let keys = Arc::new(Nyckelring::load(&a.data.data)?);
            // A restored backup is brought up to date before it serves.
            boj_store::gallring::run(&store).await?;
            serve_on(
                &a.web.listen,
                AppState {
                    store,
                    config: Arc::new(config),
                    keys,
                    register: Default::default(),
                    omprovning: Default::default(),
                },
                || {},
            )
            .await?;
        }
        Command::Demo(a) => crate::demo::run(a).await?,
        Command::Init(a) => {
            let store = open(&a.data, Arc::new(SystemClock)).await?;
            if store.is_initialised().await? {
                return Err(CliError::Failure(format!(
                    "{} är redan initierad",
                    a.data.data.display()
                )));
            }
            let name = Anvandarnamn::parse(&a.admin)?;
            let password = read_password(a.password_file.as_deref())?;
            Nyckelring::create_or_load(&a.data.data)?;
            let u =
                users::create(&store, None, &name, Role::Admin, &Scope::System, &password).await?;
            eprintln!(
                "boj: {} initierad; administratören {} är skapad",
                a.data.data.display(),
                u.name
            );
        }
        Command::Migrate(d) => {
            open(&d, Arc::new(SystemClock)).await?;
            eprintln!("boj: databasen är uppdaterad");
        }
        Command::User(cmd) => user(cmd).await?,
        Command::Token(cmd) => match cmd {
            TokenCmd::Create { data, user, days } => {
                let store = open_initialised(&data).await?;
                let u = users::by_name(&store, &user)
                    .await
                    .map_err(|e| not_found(e, "användaren", &user))?;
                let t = tokens::create(&store, None, &u, days).await?;
                println!("{}", t.token);
                eprintln!("boj: token {} för {} gäller i {days} dagar", t.id, u.name);
            }
            TokenCmd::Revoke { data, token_id } => {
                let store = open_initialised(&data).await?;
                tokens::revoke(&store, None, &token_id)
                    .await
                    .map_err(|e| not_found(e, "token", &token_id))?;
                eprintln!("boj: token {token_id} är återkallad");
            }
        },
        Command::Organisation(cmd) => match cmd {
            OrgCmd::Add { data, name, orgnr } => {
                let store = open_initialised(&data).await?;
                let orgnr = orgnr
                    .as_deref()
                    .map(Organisationsnummer::parse)
                    .transpose()?;
                let o = orgs::create(&store, None, &name, orgnr).await?;
                println!("{}", o.id);
            }
            OrgCmd::List { data } => {
                let store = open_initialised(&data).await?;
                for o in orgs::list(&store).await? {
                    println!("{}\t{}\t{}", o.id, o.name, o.orgnr.unwrap_or_default());
                }
            }
        },
        Command::Import(ImportCmd::Population { data, file, date }) => {
            let store = open_initialised(&data).await?;
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Failure(format!("kan inte läsa {}: {e}", file.display())))?;
            let parsed = boj_domain::folkmangd::las(&bytes)
                .map_err(|errors| CliError::Usage(errors.join("\n")))?;
            let date = boj_web::bidrag::reference_date(date.as_deref().unwrap_or(""), parsed.ar)
                .map_err(|f| CliError::Usage(f.message))?;
            boj_store::bidrag::import_population(&store, None, date, &parsed.rader).await?;
            println!("{} kommuner, referensdatum {date}", parsed.rader.len());
        }
        Command::Retention(RetentionCmd::Run { data }) => {
            let store = open_initialised(&data).await?;
            let u = boj_store::gallring::run(&store).await?;
            println!(
                "{} ärenden avslutade, {} ärenden gallrade",
                u.stangda, u.gallrade
            );
        }
        Command::Report(cmd) => report(cmd).await?,
        Command::Audit(AuditCmd::Verify { data }) => {
            let store = open_initialised(&data).await?;
            match audit::verify(&store).await {
                Ok((n, head)) => println!("granskningsloggen är hel: {n} poster, huvud {head}"),
                Err(StoreError::Other(msg)) => return Err(CliError::Verification(msg)),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn report(cmd: ReportCmd) -> CliResult<()> {
    match cmd {
        ReportCmd::Issue {
            data,
            user,
            agreement,
            period,
        } => {
            let store = open_initialised(&data).await?;
            let u = users::by_name(&store, &user)
                .await
                .map_err(|e| not_found(e, "användaren", &user))?;
            if u.disabled {
                return Err(CliError::Failure(format!("{user} är avstängd")));
            }
            let p = u.principal();
            let state = AppState {
                store,
                config: Arc::new(WebConfig::default()),
                keys: Arc::new(Nyckelring::load(&data.data)?),
                register: Default::default(),
                omprovning: Default::default(),
            };
            let id = boj_web::rapporter::utfarda(&state, &p, &agreement, &period)
                .await
                .map_err(|f| match f.status.as_u16() {
                    400..=499 => CliError::Usage(match f.conflict_id {
                        Some(id) => format!("{} ({id})", f.message),
                        None => f.message,
                    }),
                    _ => CliError::Failure(f.message),
                })?;
            println!("{id}");
            eprintln!("boj: rapporten för {period} är utfärdad");
        }
        ReportCmd::Verify { file, key, data } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Failure(format!("kan inte läsa {}: {e}", file.display())))?;
            // A PDF report carries the signed JSON as an attachment.
            let json = boj_render::pdf::bifogad_json(&bytes).unwrap_or(bytes);
            let public = match (key, data) {
                (Some(k), _) => Some(
                    boj_rapport::signatur::las_publik(&k)
                        .map_err(|e| CliError::Usage(e.to_string()))?,
                ),
                (None, Some(dir)) => {
                    let store = open_initialised(&DataArgs {
                        data: dir,
                        database_url: std::env::var("BOJ_DATABASE_URL").ok(),
                    })
                    .await?;
                    let named = boj_rapport::signatur::verifiera(&json, None)
                        .map_err(|e| CliError::Verification(e.to_string()))?;
                    let keys = boj_store::rapporter::public_keys(&store).await?;
                    Some(
                        keys.into_iter()
                            .find(|k| k.id == named.key_id)
                            .map(|k| k.public_key)
                            .ok_or_else(|| {
                                CliError::Verification(format!(
                                    "nyckeln {} finns inte i den här installationen",
                                    named.key_id
                                ))
                            })?,
                    )
                }
                (None, None) => None,
            };
            let v = boj_rapport::signatur::verifiera(&json, public.as_deref())
                .map_err(|e| CliError::Verification(e.to_string()))?;
            if v.ursprung {
                println!(
                    "rapporten är oförändrad och signerad med nyckeln {} (SHA-256 {})",
                    v.key_id, v.sha256
                );
            } else {
                println!(
                    "rapporten är oförändrad (SHA-256 {}); signaturen är inte kontrollerad: ange --key eller --data för nyckeln {}",
                    v.sha256, v.key_id
                );
            }
        }
    }
    Ok(())
}

fn not_found(e: StoreError, what: &str, name: &str) -> CliError {
    match e {
        StoreError::NotFound => CliError::Failure(format!("{what} {name} finns inte")),
        other => other.into(),
    }
}

async fn user(cmd: UserCmd) -> CliResult<()> {
    match cmd {
        UserCmd::Add {
            data,
            name,
            role,
            organisation,
            municipality,
            county,
            password_file,
        } => {
            let store = open_initialised(&data).await?;
            let name = Anvandarnamn::parse(&name)?;
            let role = Role::parse(&role)?;
            let kommun = municipality.as_deref().map(Kommunkod::parse).transpose()?;
            let lan = county.as_deref().map(Lanskod::parse).transpose()?;
            let scope = Scope::for_role(role, organisation, kommun, lan)?;
            let password = read_password(password_file.as_deref())?;
            let u = users::create(&store, None, &name, role, &scope, &password).await?;
            println!("{}", u.id);
        }
        UserCmd::Passwd {
            data,
            name,
            password_file,
        } => {
            let store = open_initialised(&data).await?;
            let u = users::by_name(&store, &name)
                .await
                .map_err(|e| not_found(e, "användaren", &name))?;
            let password = read_password(password_file.as_deref())?;
            users::set_password(&store, None, &u.id, &password).await?;
            eprintln!("boj: lösenordet för {name} är bytt");
        }
        UserCmd::Disable { data, name } => {
            let store = open_initialised(&data).await?;
            let u = users::by_name(&store, &name)
                .await
                .map_err(|e| not_found(e, "användaren", &name))?;
            users::disable(&store, None, &u.id).await?;
            eprintln!("boj: {name} är avstängd");
        }
        UserCmd::List { data } => {
            let store = open_initialised(&data).await?;
            for u in users::list(&store).await? {
                let status = if u.disabled { "avstängd" } else { "aktiv" };
                println!(
                    "{}\t{}\t{}\t{}\t{status}",
                    u.id,
                    u.name,
                    u.role,
                    u.scope.label()
                );
            }
        }
    }
    Ok(())
}
