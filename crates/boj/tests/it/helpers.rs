//! `spawn_app`: the one door every integration test goes through.

use boj_domain::{Anvandarnamn, Kommunkod, Lanskod, NyttLosenord, Role, Scope};
use boj_store::clock::ManualClock;
use boj_store::users::User;
use boj_store::{Clock, Store, orgs, tokens, users};
use boj_web::{AppState, WebConfig};
use reqwest::redirect::Policy;
use std::sync::Arc;

pub const PASSWORD: &str = "korrekt-hast-batteri";

pub struct TestApp {
    pub url: String,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub org_id: String,
    /// The served instance's state (its report register, its background work).
    pub state: AppState,
    /// Each user's recovery codes left, from their enrolment in the second factor.
    pub reservkoder: Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>>,
    /// The PostgreSQL database's URL, when the tests run on PostgreSQL.
    pub database_url: Option<String>,
    _dir: Arc<tempfile::TempDir>,
}

/// The PostgreSQL server to test against, if any.
pub fn pg_url() -> Option<String> {
    std::env::var("BOJ_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A fresh, empty PostgreSQL database on the test server; its URL.
pub async fn fresh_pg_database(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("boj_t_{}", boj_store::random_hex(8));
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to test PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let (root, _) = base.rsplit_once('/').expect("URL with a database name");
    format!("{root}/{name}")
}

/// A store on a fresh database — SQLite in `dir`, or PostgreSQL when configured — and, on
/// PostgreSQL, its database's URL (for running `boj` commands on it).
pub async fn fresh_store_with_url(
    dir: &std::path::Path,
    clock: Arc<ManualClock>,
) -> (Store, Option<String>) {
    let url = match pg_url() {
        Some(base) => Some(fresh_pg_database(&base).await),
        None => None,
    };
    let store = Store::open(dir, url.as_deref(), clock).await.unwrap();
    store.migrate().await.unwrap();
    (store, url)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(WebConfig {
        secure_cookies: false,
        ..WebConfig::default()
    })
    .await
}

pub async fn spawn_app_with(config: WebConfig) -> TestApp {
    spawn_app_at(|_| config).await
}

/// An app whose settings depend on its own address (`config` gets `http://127.0.0.1:PORT`).
pub async fn spawn_app_at(config: impl FnOnce(&str) -> WebConfig) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new("2026-11-26T09:00:00Z".parse().unwrap()));
    let (store, database_url) = fresh_store_with_url(dir.path(), clock.clone()).await;
    let org = orgs::create(&store, None, "Testjouren", None)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let keys = Arc::new(boj_store::nycklar::Nyckelring::create_or_load(dir.path()).unwrap());
    let state = AppState {
        app: boj_app::App::new(store.clone(), keys),
        config: Arc::new(config(&url)),
    };
    tokio::spawn(boj_web::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    TestApp {
        url,
        store,
        clock,
        org_id: org.id,
        state,
        reservkoder: Default::default(),
        database_url,
        _dir: Arc::new(dir),
    }
}

impl TestApp {
    /// Another instance of boj serving the same database (as several instances share PostgreSQL):
    /// its own process state — its own report register — over the same store and keys.
    pub async fn second_instance(&self) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let keys =
            Arc::new(boj_store::nycklar::Nyckelring::create_or_load(self._dir.path()).unwrap());
        let state = AppState {
            app: boj_app::App::new(self.store.clone(), keys),
            config: Arc::new(WebConfig {
                secure_cookies: false,
                ..WebConfig::default()
            }),
        };
        tokio::spawn(boj_web::serve(
            listener,
            state.clone(),
            std::future::pending(),
        ));
        TestApp {
            url,
            store: self.store.clone(),
            clock: self.clock.clone(),
            org_id: self.org_id.clone(),
            state,
            reservkoder: self.reservkoder.clone(),
            database_url: self.database_url.clone(),
            _dir: self._dir.clone(),
        }
    }

    /// `POST /api/v1/cases`.
    pub async fn post_case(&self, token: &str, body: &serde_json::Value) -> reqwest::Response {
        self.post_json("/api/v1/cases", token, body).await
    }

    /// Registers a case, which must be accepted; its id.
    pub async fn register_case(&self, token: &str, body: &serde_json::Value) -> String {
        let res = self.post_case(token, body).await;
        assert_eq!(res.status(), 201);
        let v: serde_json::Value = res.json().await.unwrap();
        v["id"].as_str().unwrap().to_string()
    }

    /// The eligibility status code of a case (`GET /api/v1/cases/{id}`).
    pub async fn case_status(&self, token: &str, id: &str) -> String {
        let v: serde_json::Value = Self::client()
            .get(self.at(&format!("/api/v1/cases/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["eligibility"]["status"].as_str().unwrap().to_string()
    }

    /// `POST /api/v1/reports`: issues the report of a period.
    pub async fn issue(&self, token: &str, agreement: &str, period: &str) -> reqwest::Response {
        let body = serde_json::json!({"agreement_id": agreement, "period": period});
        self.post_json("/api/v1/reports", token, &body).await
    }

    /// `POST /api/v1/agreements/{id}/decisions`.
    pub async fn post_decision(
        &self,
        token: &str,
        agreement: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let path = format!("/api/v1/agreements/{agreement}/decisions");
        self.post_json(&path, token, body).await
    }

    /// A JSON `POST` with a bearer token, the one chain every endpoint helper shares.
    async fn post_json(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        Self::client()
            .post(self.at(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// `POST /api/v1/agreements`: registers an agreement.
    pub async fn post_agreement(&self, token: &str, body: &serde_json::Value) -> reqwest::Response {
        self.post_json("/api/v1/agreements", token, body).await
    }

    /// `POST /api/v1/tokens`: an admin creates a token.
    pub async fn post_token(&self, token: &str, body: &serde_json::Value) -> reqwest::Response {
        self.post_json("/api/v1/tokens", token, body).await
    }

    /// `POST /api/v1/users`: an admin creates a user.
    pub async fn post_user(&self, token: &str, body: &serde_json::Value) -> reqwest::Response {
        self.post_json("/api/v1/users", token, body).await
    }

    /// Works off the waiting re-judging after decisions now, as the server's background task does
    /// (so a test need not wait for it).
    pub async fn omprova(&self) {
        boj_app::arenden::omprova_vantande(&self.state.app)
            .await
            .unwrap();
    }

    /// Creates a user of `role` with a fitting scope (Ragunda for `kommun`, Jämtland for `forbund`).
    pub async fn user(&self, name: &str, role: Role) -> User {
        let scope = match role {
            Role::Stodperson | Role::Samordnare => Scope::Organisation(self.org_id.clone()),
            Role::Kommun => Scope::Kommun(Kommunkod::parse("2303").unwrap()),
            Role::Forbund => Scope::Lan(Lanskod::parse("23").unwrap()),
            Role::Admin => Scope::System,
        };
        self.user_in(name, role, scope).await
    }

    /// Creates a user with the given scope.
    pub async fn user_in(&self, name: &str, role: Role, scope: Scope) -> User {
        users::create(
            &self.store,
            None,
            &Anvandarnamn::parse(name).unwrap(),
            role,
            &scope,
            &NyttLosenord::parse(PASSWORD).unwrap(),
        )
        .await
        .unwrap()
    }

    pub async fn token(&self, user: &User) -> String {
        tokens::create(&self.store, None, user, 90)
            .await
            .unwrap()
            .token
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the form; returns the client holding the session cookie, and the CSRF token.
    pub async fn login(&self, name: &str) -> (reqwest::Client, String) {
        let c = Self::client();
        let res = c
            .post(format!("{}/logga-in", self.url))
            .form(&[("name", name), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "sign-in of {name}");
        if res.headers()["location"] == "/logga-in/kod" {
            self.second_step(&c, name).await;
        }
        let page = c
            .get(format!("{}/", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (c, csrf_in(&page))
    }

    /// The second step of a sign-in, as the person would do it: the first time, enrol with the
    /// secret the page shows (a code computed from it now) and keep the recovery codes shown;
    /// afterwards, one of those (a code of the same 30 seconds would be refused as replayed).
    pub async fn second_step(&self, c: &reqwest::Client, name: &str) {
        let page = c
            .get(self.at("/logga-in/kod"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_in(&page);
        let kod = match between(&page, "<code id=\"hemlighet\">", "</code>") {
            Some(b32) => totp_now(&b32, self.clock.now().as_second()),
            None => self
                .reservkoder
                .lock()
                .unwrap()
                .get_mut(name)
                .and_then(|v| v.pop())
                .expect("a recovery code left"),
        };
        let res = c
            .post(self.at("/logga-in/kod"))
            .form(&[("csrf", csrf.as_str()), ("kod", kod.as_str())])
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!(
            status == 200 || status == 303,
            "second step of {name}: {status}"
        );
        if status == 200 {
            let page = res.text().await.unwrap();
            let koder: Vec<String> = page
                .split("<li><code>")
                .skip(1)
                .filter_map(|x| x.split("</code>").next())
                .map(str::to_string)
                .collect();
            assert_eq!(koder.len(), 10, "{page}");
            self.reservkoder
                .lock()
                .unwrap()
                .insert(name.to_string(), koder);
        }
    }

    /// Runs the `boj` command on this app's data (its directory, and its PostgreSQL database when
    /// the tests run there): exit code, standard output, standard error.
    pub fn boj(&self, args: &[&str]) -> (i32, String, String) {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_boj"));
        c.args(args)
            .arg("--data")
            .arg(self.data_dir())
            .env_remove("BOJ_DATA")
            .env("BOJ_LOG", "warn");
        match &self.database_url {
            Some(u) => c.env("BOJ_DATABASE_URL", u),
            None => c.env_remove("BOJ_DATABASE_URL"),
        };
        let out = c.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The public key of the instance's audit checkpoints.
    pub fn audit_key(&self) -> [u8; 32] {
        let keys = boj_store::nycklar::Nyckelring::load(self.data_dir()).unwrap();
        boj_rapport::signatur::publik(&keys.granskningsnyckel().unwrap())
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

/// The CSRF token in a page's sign-out form.
/// The text between two markers of a page.
pub fn between(page: &str, from: &str, to: &str) -> Option<String> {
    let i = page.find(from)? + from.len();
    let j = page[i..].find(to)? + i;
    Some(page[i..j].to_string())
}

/// The TOTP code (RFC 6238, SHA-1, six digits, 30 s) of a base32 secret at Unix time `t`.
pub fn totp_now(b32: &str, t: i64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(b32).unwrap())
        .build()
        .unwrap()
        .generate(u64::try_from(t).unwrap())
        .to_string()
}

/// The body of a GET, as text (a page, a CSV), whatever its status.
pub async fn text(c: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

pub fn csrf_in(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a csrf field") + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

/// Asserts the API error shape and returns the code.
pub async fn error_code(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.expect("a JSON error body");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_string();
    let message = body["error"]["message"]
        .as_str()
        .expect("error.message")
        .to_string();
    assert!(!message.is_empty());
    (status, code, message)
}

/// A `boj` process a test started: killed (SIGKILL) and reaped when dropped, so that a failing test
/// leaves no server behind holding its database.
pub struct Process(pub std::process::Child);

impl Process {
    /// Kills it now (SIGKILL) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `boj serve` on the app's data (its directory and database), with `extra` flags; answers the
/// process and the URL it printed first.
pub async fn serve(app: &TestApp, extra: &[&str]) -> (Process, String) {
    use std::io::BufRead;
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_boj"));
    c.arg("serve")
        .args(extra)
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(app.data_dir())
        .env("BOJ_LOG", "error")
        .env_remove("BOJ_DATA")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    match &app.database_url {
        Some(u) => c.env("BOJ_DATABASE_URL", u),
        None => c.env_remove("BOJ_DATABASE_URL"),
    };
    let mut child = Process(c.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line.trim().trim_end_matches('/').to_string()
    })
    .await
    .unwrap();
    assert!(url.starts_with("http://"), "boj serve printed {url:?}");
    (child, url)
}
