//! Command-line interface (SPEC § 4). Every command that touches data takes `--data DIR`;
//! `BOJ_DATABASE_URL` selects PostgreSQL instead of the SQLite file in that directory.

use crate::start::{
    CliError, CliResult, DataArgs, DemoArgs, WebArgs, app, open, open_initialised, serve_on,
    web_config,
};
use boj_domain::{
    Anvandarnamn, Kommunkod, Lanskod, NyttLosenord, Organisationsnummer, Role, Scope,
};
use boj_store::clock::SystemClock;
use boj_store::{StoreError, audit, orgs, tokens, users};
use clap::{Args, Parser, Subcommand};
use std::io::BufRead;
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
    /// Rotate keys: the master key (re-wraps every wrapped key while boj serves) or an
    /// organisation's report-signing key (old public keys stay published)
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Take a consistent backup of the database into FILE, also while boj serves (the master key
    /// is never in it: back that up apart)
    Backup {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
    },
    /// Restore a backup into a new data directory or an empty database, then run retention, so
    /// that what was erased since the backup stays erased
    Restore {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
    },
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
    /// Remove a user's second factor (lost app and recovery codes); the next sign-in enrols anew
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[command(flatten)]
        data: DataArgs,
        name: String,
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
pub enum KeysCmd {
    /// A new master key: every wrapped key is wrapped again under it, in batches, while boj
    /// serves; resumable; the old key is removed once nothing needs it
    Rotate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// A new report-signing key for an organisation; reports signed before stay verifiable with
    /// the old public key, which stays published
    RotateSigning {
        #[command(flatten)]
        data: DataArgs,
        /// The organisation's id
        #[arg(long)]
        organisation: String,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Recompute the hash chain and check its signed checkpoints; with --against, also that the
    /// log still reaches what issued reports or exported checkpoints show of it. Exit 1 if not
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// An issued report's signed JSON, or a checkpoint from `boj audit checkpoint` (repeatable)
        #[arg(long)]
        against: Vec<PathBuf>,
    },
    /// Sign the log's head now and print the checkpoint as JSON, to keep apart from boj's data
    Checkpoint {
        #[command(flatten)]
        data: DataArgs,
    },
}

/// A command's failure, with the exit status it maps to.
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

pub async fn run(cli: Cli) -> CliResult<ExitCode> {
    match cli.command {
        Command::Serve(a) => {
            let store = open_initialised(&a.data).await?;
            let secure = !a.insecure_cookies;
            // The settings are checked before anything is touched.
            web_config(&a.web, secure, false, ([127, 0, 0, 1], 0).into())?;
            let mut keys = a.data.nyckelring()?;
            // An installation from before checkpoints were signed gets its checkpoint key now;
            // one whose log holds checkpoints must have the key they were signed with.
            if !keys.har_granskningsnyckel() {
                if boj_store::audit::har_kontrollpunkter(&store).await? {
                    return Err(CliError::Failure(format!(
                        "granskningsloggens nyckel saknas i {}: lägg tillbaka granskning.key (loggens kontrollpunkter är signerade med den)",
                        keys.katalog().display()
                    )));
                }
                keys = keys.skapa_granskningsnyckel()?;
            }
            let app = boj_app::App::new(store, std::sync::Arc::new(keys));
            // A restored backup is brought up to date before it serves.
            boj_app::bakgrund::gallra(&app).await?;
            serve_on(
                &a.web.listen,
                app,
                |addr| web_config(&a.web, secure, false, addr),
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
            a.data.skapa_nyckelring()?;
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
            let app = app(store, &data)?;
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Failure(format!("kan inte läsa {}: {e}", file.display())))?;
            // The operator, who holds the master key, imports without a principal.
            let (date, n) = boj_app::bidrag::importera_befolkning(
                &app,
                None,
                &bytes,
                date.as_deref().unwrap_or(""),
            )
            .await?;
            println!("{n} kommuner, referensdatum {date}");
        }
        Command::Retention(RetentionCmd::Run { data }) => {
            let store = open_initialised(&data).await?;
            let u = boj_app::bakgrund::gallra(&app(store, &data)?).await?;
            if u.upptagen {
                eprintln!("boj: en annan instans gallrar just nu; den här körningen gjorde inget");
            }
            println!(
                "{} ärenden avslutade, {} ärenden gallrade",
                u.stangda, u.gallrade
            );
        }
        Command::Report(cmd) => report(cmd).await?,
        Command::Keys(KeysCmd::Rotate { data }) => {
            let store = open_initialised(&data).await?;
            let keys = data.nyckelring()?;
            let n = boj_store::nyckelbyte::rotera(&store, &keys).await?;
            println!("huvudnyckeln är bytt: {n} nycklar har lagts om under den nya");
        }
        Command::Keys(KeysCmd::RotateSigning { data, organisation }) => {
            let store = open_initialised(&data).await?;
            let keys = data.nyckelring()?;
            let id = boj_store::rapporter::ny_signeringsnyckel(&store, &keys, &organisation)
                .await
                .map_err(|e| not_found(e, "organisationen", &organisation))?;
            println!("{id}");
        }
        Command::Backup { data, file } => {
            let store = open_initialised(&data).await?;
            let m = boj_store::sakerhetskopia::ta(&store, &file).await?;
            println!(
                "säkerhetskopia {}: schema {}, {} tabeller, {} rader",
                file.display(),
                m.schema_version,
                m.tables.len(),
                m.tables.iter().map(|(_, n, _)| n).sum::<i64>()
            );
        }
        Command::Restore { data, file } => {
            let store = boj_store::Store::open(
                &data.data,
                data.database_url.as_deref(),
                Arc::new(SystemClock),
            )
            .await?;
            let m = boj_store::sakerhetskopia::aterstall(&store, &file)
                .await
                .map_err(|e| match e {
                    StoreError::Other(msg) => CliError::Usage(msg),
                    other => other.into(),
                })?;
            // Erased since the backup was taken: erased again before anything serves (their keys
            // were destroyed; retention brings the rest up to date).
            let u = boj_store::gallring::run(&store).await?;
            println!(
                "återställd från {}: schema {}, {} rader; gallringen avslutade {} och gallrade {} ärenden",
                file.display(),
                m.schema_version,
                m.tables.iter().map(|(_, n, _)| n).sum::<i64>(),
                u.stangda,
                u.gallrade
            );
            let master = data
                .key_file
                .clone()
                .unwrap_or_else(|| data.data.join("keys").join("master.key"));
            for key in [master.clone(), master.with_file_name("granskning.key")] {
                if !key.exists() {
                    eprintln!(
                        "boj: lägg tillbaka {} innan boj startas (nycklar finns aldrig i en säkerhetskopia)",
                        key.display()
                    );
                }
            }
        }
        Command::Audit(AuditCmd::Verify { data, against }) => {
            let store = open_initialised(&data).await?;
            let nyckel = data.nyckelring()?.granskningsnyckel()?;
            let publik = boj_rapport::signatur::publik(&nyckel);
            let k = match audit::verify(&store, &publik).await {
                Ok(k) => k,
                Err(StoreError::Other(msg)) => return Err(CliError::Verification(msg)),
                Err(e) => return Err(e.into()),
            };
            let rapportnycklar = boj_store::rapporter::public_keys(&store).await?;
            for path in &against {
                let (seq, hash) = intygat(path, &publik, &rapportnycklar)?;
                if !audit::nar_fram_till(&store, seq, &hash).await? {
                    return Err(CliError::Verification(format!(
                        "granskningsloggen når inte fram till post {seq} som {} visar: loggen är avkortad eller omskriven",
                        path.display()
                    )));
                }
            }
            println!(
                "granskningsloggen är hel: {} poster, {} kontrollpunkter, huvud {}{}",
                k.poster,
                k.kontrollpunkter,
                k.huvud,
                if against.is_empty() {
                    String::new()
                } else {
                    format!("; den når fram till {} intyg", against.len())
                }
            );
        }
        Command::Audit(AuditCmd::Checkpoint { data }) => {
            let store = open_initialised(&data).await?;
            let nyckel = data.nyckelring()?.granskningsnyckel()?;
            let k = audit::kontrollpunkt(&store, &nyckel).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&k).map_err(|e| CliError::Failure(e.to_string()))?
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a file attests of the audit log: (entry, hash). An issued report's signed JSON (its
/// `audit_head`; the document must be unchanged) or a checkpoint (its signature must be the
/// instance's).
fn intygat(
    path: &Path,
    publik: &[u8; 32],
    rapportnycklar: &[boj_store::rapporter::Nyckel],
) -> CliResult<(i64, String)> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Usage(format!("{} kan inte läsas: {e}", path.display())))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| CliError::Usage(format!("{} är inte JSON", path.display())))?;
    if v.get("report").is_some() {
        // The report's signature, with the organisation's published key it names: a head
        // rewritten together with the log would not carry it.
        let key_id = v["signature"]["key_id"].as_str().unwrap_or_default();
        let Some(k) = rapportnycklar.iter().find(|k| k.id == key_id) else {
            return Err(CliError::Verification(format!(
                "{}: signerad med nyckeln {key_id}, som den här installationen inte har",
                path.display()
            )));
        };
        boj_rapport::signatur::verifiera(&bytes, Some(&k.public_key))
            .map_err(|e| CliError::Verification(format!("{}: {e}", path.display())))?;
        let head = &v["report"]["audit_head"];
        return match (head["seq"].as_i64(), head["sha256"].as_str()) {
            (Some(seq), Some(hash)) => Ok((seq, hash.to_string())),
            _ => Err(CliError::Usage(format!(
                "{} är utfärdad innan rapporterna bar granskningsloggens huvud",
                path.display()
            ))),
        };
    }
    let k: boj_rapport::signatur::Kontrollpunkt = serde_json::from_value(v).map_err(|_| {
        CliError::Usage(format!(
            "{} är varken en utfärdad rapport eller en kontrollpunkt",
            path.display()
        ))
    })?;
    if !k.stammer(publik) {
        return Err(CliError::Verification(format!(
            "kontrollpunkten i {} är inte signerad med den här installationens nyckel",
            path.display()
        )));
    }
    Ok((k.seq, k.hash))
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
            let app = app(store, &data)?;
            let id = boj_app::rapporter::utfarda(&app, &p, &agreement, &period).await?;
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
                        key_file: None,
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
        UserCmd::Reset2fa { data, name } => {
            let store = open_initialised(&data).await?;
            let u = users::by_name(&store, &name)
                .await
                .map_err(|e| not_found(e, "användaren", &name))?;
            boj_store::tvafaktor::aterstall(&store, None, &u.id).await?;
            eprintln!(
                "boj: andra steget för {name} är borttaget; nästa inloggning registrerar ett nytt"
            );
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
