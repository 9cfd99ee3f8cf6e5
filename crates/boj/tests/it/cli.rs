//! The `boj` command's contract (SPEC § 4), run as a process.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn boj() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_boj"));
    c.env_remove("BOJ_DATABASE_URL").env("BOJ_LOG", "warn");
    c
}

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = boj()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn help_lists_every_command() {
    let (code, out, _) = run(&["--help"], "");
    assert_eq!(code, 0);
    for cmd in [
        "serve", "demo", "init", "migrate", "user", "token", "audit", "backup", "restore",
    ] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(cmd)),
            "{cmd} missing in:\n{out}"
        );
    }
    let (_, out, _) = run(&["user", "--help"], "");
    for cmd in ["add", "passwd", "reset-2fa", "disable", "list"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(cmd)),
            "user {cmd} missing"
        );
    }
}

#[test]
fn init_users_and_tokens_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    // Usage errors exit 2.
    assert_eq!(run(&["frobnicate"], "").0, 2);
    // Commands on an uninitialised directory fail with 3.
    assert_eq!(run(&["user", "list", "--data", d], "").0, 3);
    // A short password is refused.
    assert_eq!(run(&["init", "--data", d], "kort\n").0, 2);
    let (code, _, err) = run(&["init", "--data", d], "ett-langt-losenord\n");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        run(&["init", "--data", d], "ett-langt-losenord\n").0,
        3,
        "a second init is refused"
    );

    let (code, out, err) = run(
        &["organisation", "add", "--data", d, "--name", "Jouren"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let org = out.trim().to_string();
    let (code, out, _) = run(
        &[
            "user",
            "add",
            "--data",
            d,
            "--name",
            "stod",
            "--role",
            "stodperson",
            "--organisation",
            &org,
        ],
        "ett-langt-losenord\n",
    );
    assert_eq!(code, 0);
    assert!(out.trim().starts_with("u_"));
    let (code, _, err) = run(
        &[
            "user",
            "add",
            "--data",
            d,
            "--name",
            "kommun-x",
            "--role",
            "kommun",
            "--municipality",
            "9999",
        ],
        "ett-langt-losenord\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("ingen kommunkod"), "{err}");

    // The token is printed alone on standard output.
    let (code, out, _) = run(
        &[
            "token", "create", "--data", d, "--user", "stod", "--days", "7",
        ],
        "",
    );
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("boj_t_"));
    let id = lines[0].split('_').take(3).collect::<Vec<_>>()[1..].join("_");
    assert_eq!(run(&["token", "revoke", "--data", d, &id], "").0, 0);
    assert_eq!(run(&["token", "revoke", "--data", d, &id], "").0, 3);

    let (code, out, _) = run(
        &["user", "passwd", "--data", d, "stod"],
        "ett-nytt-losenord\n",
    );
    assert_eq!(code, 0, "{out}");
    // An operator removes a second factor (the person lost their app and codes).
    assert_eq!(run(&["user", "reset-2fa", "--data", d, "stod"], "").0, 0);
    assert_ne!(
        run(&["user", "reset-2fa", "--data", d, "finns-inte"], "").0,
        0
    );
    assert_eq!(run(&["user", "disable", "--data", d, "stod"], "").0, 0);
    let (_, out, _) = run(&["user", "list", "--data", d], "");
    assert!(
        out.lines()
            .any(|l| l.contains("stod") && l.ends_with("avstängd")),
        "{out}"
    );
    let (code, out, _) = run(&["audit", "verify", "--data", d], "");
    assert_eq!(code, 0);
    assert!(out.contains("granskningsloggen är hel"));
    assert_eq!(run(&["migrate", "--data", d], "").0, 0);
}

/// The second-factor key the demo printed for an account.
fn demo_key(text: &str, name: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name} ")))
        .unwrap();
    line.split("nyckel ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string()
}

/// The second step of a sign-in to the demo, with a code from the world's clock (as an
/// authenticator app gives it, though the demo's own date is pinned).
async fn second_step(c: &reqwest::Client, url: &str, key: &str) {
    let page = crate::helpers::text(c, format!("{url}logga-in/kod")).await;
    let csrf = crate::helpers::csrf_in(&page);
    let kod = crate::helpers::totp_now(key, jiff::Timestamp::now().as_second());
    let res = c
        .post(format!("{url}logga-in/kod"))
        .form(&[("csrf", csrf.as_str()), ("kod", kod.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "second step");
}

#[tokio::test]
async fn demo_prints_its_url_first_and_its_accounts_work() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut child = boj()
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--today",
            "2026-11-26",
            "--data",
            data.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let mut rest = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let last = line.contains("kommun-2380");
        rest.push(line);
        if last {
            break;
        }
    }
    let text = rest.join("\n");
    for account in [
        "stodperson1",
        "stodperson2",
        "samordnare",
        "forbund",
        "admin",
        "kommun-2303",
        "kommun-2380",
    ] {
        assert!(text.contains(account), "{account} not printed:\n{text}");
    }
    assert!(text.contains("2026-11-26"));
    // The admin signs in with a second factor, whose sample key the demo prints.
    let admin = text
        .lines()
        .find(|l| l.trim_start().starts_with("admin"))
        .unwrap();
    assert!(admin.contains("andra steget: nyckel "), "{admin}");
    let password = text
        .split("lösenord för alla: ")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .to_string();

    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = c
        .post(format!("{url}logga-in"))
        .form(&[("name", "kommun-2303"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = crate::helpers::text(&c, &url).await;
    assert!(page.contains("exempeldata"));
    assert!(page.contains("Ragunda"));

    // The admin signs in with the printed key, a code from the world's clock though the demo's
    // own date is pinned (as an authenticator app would give it).
    let a = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = a
        .post(format!("{url}logga-in"))
        .form(&[("name", "admin"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/logga-in/kod");
    second_step(&a, &url, &demo_key(&text, "admin")).await;

    // The Jämtland agreement as the county strategist sees it.
    let f = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    f.post(format!("{url}logga-in"))
        .form(&[("name", "forbund"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    let list: serde_json::Value = f
        .get(format!("{url}api/v1/agreements"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let a = &list["items"][0];
    assert_eq!(a["reference"], "250908 IOP BOJ och Jämtlands 8 kommuner");
    assert_eq!(a["valid_from"], "2026-01-01");
    assert_eq!(a["sample"], true, "the settings are sample values");
    let parties = a["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 8);
    for p in parties {
        if p["municipality"] == "2326" {
            assert_eq!(p["status"], "vantar");
        } else {
            assert_eq!(
                (p["status"].as_str(), p["applies_from"].as_str()),
                (Some("beslutad"), Some("2026-01-01")),
                "{p}"
            );
        }
    }
    let p22 = a["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["paragraph"] == "§ 22")
        .unwrap();
    assert_eq!(p22["sample"], false);
    let numbers: Vec<&str> = p22["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1", "2", "2a", "2b"]);
    assert!(
        p22["items"][2]["text"]
            .as_str()
            .unwrap()
            .starts_with("ges utan individuell behovsprövning enligt 11 kap. 5 § SoL")
    );
    assert_eq!(p22["presenter"], "Elin Ring, förbundsstrateg");
    assert_eq!(p22["signatures"][0]["reference"], "b0k7b1mhusekk8");
    assert_eq!(
        p22["signatures"][0]["signers"],
        serde_json::json!(["MW", "EE", "EA"])
    );
    assert_eq!(p22["documents"].as_array().unwrap().len(), 3);
    let municipal: Vec<&serde_json::Value> = a["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["body"] == "kommunfullmaktige")
        .collect();
    assert_eq!(municipal.len(), 7);
    assert!(
        municipal.iter().all(|d| d["sample"] == true),
        "the councils' decisions are examples"
    );
    let alloc: serde_json::Value = f
        .get(format!(
            "{url}api/v1/agreements/{}/allocation?year=2026",
            a["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(alloc["population_date"], "2024-12-31");
    let rows = alloc["rows"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["amount_kr"].as_u64().unwrap())
            .sum::<u64>(),
        731_101
    );
    assert_eq!(
        rows.iter()
            .map(|r| r["population"].as_u64().unwrap())
            .sum::<u64>(),
        132_839
    );
    let page = crate::helpers::text(&f, format!("{url}avtal/{}", a["id"].as_str().unwrap())).await;
    assert!(
        page.contains("Väntar på beslut")
            && page.contains("Exempelvärden")
            && page.contains("MW, EE, EA")
    );

    // Synthetic cases for the coordinator, up to the day before the demo's today.
    let s = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    s.post(format!("{url}logga-in"))
        .form(&[("name", "samordnare"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    second_step(&s, &url, &demo_key(&text, "samordnare")).await;
    let cases: serde_json::Value = s
        .get(format!("{url}api/v1/cases?per_page=500"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        cases["total"].as_i64().unwrap() > 100,
        "{} cases",
        cases["total"]
    );
    let cases = cases["items"].as_array().unwrap();
    assert!(cases.len() > 100, "{} cases", cases.len());
    assert!(
        cases
            .iter()
            .all(|c| c["opened_on"].as_str().unwrap() < "2026-11-26")
    );
    assert!(
        cases
            .iter()
            .any(|c| c["municipality"] == "utlandet" && c["eligibility"]["status"] == "utanfor")
    );
    assert!(
        cases
            .iter()
            .any(|c| c["person_type"] == "anhorig_garningsperson")
    );

    child.kill().unwrap();
    child.wait().unwrap();

    // A directory that is not a demo is refused.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("viktigt.txt"), "riktiga data").unwrap();
    let (code, _, err) = run(
        &[
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--data",
            other.path().to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("ingen demokatalog"));
}
