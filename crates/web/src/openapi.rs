//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations.

use crate::api;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "boj API", description = "JSON API för boj. Fel har formen {\"error\": {\"code\", \"message\"}}; koderna listas i docs/errors.md."),
    paths(
        api::health,
        api::municipalities,
        api::me,
        api::list_users,
        api::get_user,
        api::create_user,
        api::disable_user,
        api::reset_user,
        api::approve_user,
        api::create_token,
        api::revoke_token,
        api::avtal::list,
        api::avtal::get,
        api::avtal::create,
        api::avtal::amend,
        api::avtal::add_partner,
        api::avtal::remove_partner,
        api::avtal::accept_retention,
        api::audit_log,
        api::avtal::add_decision,
        api::avtal::add_signature,
        api::avtal::add_document,
        api::avtal::get_document,
        api::bidrag::create_grant,
        api::bidrag::set_payer_orgnr,
        api::bidrag::allocation,
        api::bidrag::import_api,
        api::arenden::create,
        api::arenden::list,
        api::arenden::get,
        api::arenden::patch,
        api::arenden::get_contact,
        api::arenden::delete_contact,
        api::arenden::add_activity,
        api::arenden::activities,
        api::arenden::correct_activity,
        api::arenden::remove_activity,
        api::arenden::close,
        api::arenden::witness,
        api::arenden::hours,
        api::arenden::collaboration,
        api::arenden::preview,
        api::rapporter::list,
        api::rapporter::issue,
        api::rapporter::edition,
        api::rapporter::get,
        api::rapporter::pdf,
        api::rapporter::csv,
        api::rapporter::xlsx,
        api::rapporter::preview,
        api::rapporter::keys,
    ),
    components(schemas(api::Health, api::UserOut, api::NewUserIn, api::NewTokenIn, api::TokenOut, api::Municipality)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The OpenAPI document as served (`/api/openapi.json`): what the annotations say, made complete
/// from the same sources the server runs by (issue 17), so that a generated client and a
/// schema-driven tester learn the truth:
///
/// - **every error status** each operation can answer, with the error shape (`Fel`): 400 for any
///   address (the input guard), 401 for a token that is given and not valid (on public routes too),
///   403 behind a gate, 404 where the path, query or body names an object, 413,
///   415 and 422 where a body is read, 422 where the path or query is parsed, 409 where the handler
///   says so; each operation behind a gate names the bearer scheme;
/// - **enums for every code field**, from the domain's own code lists (`Kodlista::ALL`, `Role::ALL`,
///   SCB's municipalities, `Code::ALL` for the error codes), so they cannot drift;
/// - **`null` wherever null is taken**: every optional member of a request body (an explicit
///   `null` is an absent member, `extract::ApiJson`);
/// - **the request size limit** in each body's description.
pub fn served(body_limit: usize) -> serde_json::Value {
    let mut doc = serde_json::to_value(document()).unwrap_or_default();
    let gates: std::collections::HashMap<(String, String), bool> = crate::routes::table()
        .iter()
        .map(|r| {
            (
                (r.method.as_str().to_ascii_lowercase(), r.path.to_string()),
                matches!(r.gate, crate::auth::Gate::Public),
            )
        })
        .collect();
    fullstandig::felsvar(&mut doc, &gates, body_limit);
    fullstandig::koder(&mut doc);
    fullstandig::null_som_saknad(&mut doc);
    doc
}

mod fullstandig {
    use boj_domain::kod::{
        Aktivitetstyp, Aldersgrupp, Brottstyp, ForstaKontakt, Kodlista, Kon, Kontaktsatt,
        Partnertyp, PersonTyp, Polisanmalan, Samverkansform, SarskildOmstandighet, Utgavaskal,
        Volontartimmar,
    };
    use serde_json::{Value, json};

    fn lista<K: Kodlista>() -> Vec<&'static str> {
        K::ALL.iter().map(|k| k.code()).collect()
    }

    fn kommunkoder() -> Vec<String> {
        boj_domain::kommun::kommuner()
            .iter()
            .map(|k| k.kod.to_string())
            .collect()
    }

    fn lanskoder() -> Vec<String> {
        let mut v: Vec<String> = boj_domain::kommun::kommuner()
            .iter()
            .map(|k| k.lan.to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The code list of a (schema, property), where it is one.
    fn kodlista(schema: &str, prop: &str) -> Option<Vec<String>> {
        let s = |v: Vec<&'static str>| Some(v.into_iter().map(String::from).collect());
        let hem = || {
            let mut v = kommunkoder();
            v.extend(["utlandet".to_string(), "okand".to_string()]);
            Some(v)
        };
        match (schema, prop) {
            ("ActivityIn" | "ActivityOut", "kind") => s(lista::<Aktivitetstyp>()),
            ("ActivityIn" | "ActivityOut", "mode") => s(lista::<Kontaktsatt>()),
            ("CaseIn" | "CaseOut" | "CasePatch" | "EligibilityIn", p) => match p {
                "person_type" => s(lista::<PersonTyp>()),
                "municipality" => hem(),
                "gender" => s(lista::<Kon>()),
                "age_band" => s(lista::<Aldersgrupp>()),
                "crime_types" => s(lista::<Brottstyp>()),
                "circumstances" => s(lista::<SarskildOmstandighet>()),
                "police_report" => s(lista::<Polisanmalan>()),
                "first_contact" => s(lista::<ForstaKontakt>()),
                _ => None,
            },
            ("EligibilityOut", "status") => s(vec!["inom", "utanfor", "ej_faststalld"]),
            ("ReasonOut", "code") => s(boj_domain::bedomning::Skal::ALL
                .iter()
                .map(|k| k.code())
                .collect()),
            ("DecisionIn" | "DecisionOut", "body") => s(boj_domain::avtal::Beslutsorgan::ALL
                .iter()
                .map(|k| k.code())
                .collect()),
            ("DecisionIn" | "DecisionOut", "outcome") => s(boj_domain::avtal::Utfall::ALL
                .iter()
                .map(|k| k.code())
                .collect()),
            (
                "DecisionIn" | "DecisionOut" | "PartyOut" | "AllocationRow" | "PayerOut",
                "municipality",
            )
            | ("Municipality", "code")
            | ("AgreementIn", "parties") => Some(kommunkoder()),
            ("Municipality", "county") | ("AgreementOut", "county") => Some(lanskoder()),
            ("GrantIn" | "AllocationOut", "key") => s(vec![
                "befolkning",
                "lika",
                "grund_plus_befolkning",
                "fasta_andelar",
            ]),
            ("GrantIn" | "AllocationOut", "schedule") => s(vec!["arsvis", "kvartalsvis"]),
            ("HoursIn", "kind") => s(lista::<Volontartimmar>()),
            ("PartnerIn" | "PartnerOut", "kind") | ("ActivityOut", "partner_kind") => {
                s(lista::<Partnertyp>())
            }
            ("CollaborationIn", "form") => s(lista::<Samverkansform>()),
            ("EditionIn" | "ReportOut", "reason") => s(lista::<Utgavaskal>()),
            ("NewUserIn" | "UserOut", "role") => {
                s(boj_domain::Role::ALL.iter().map(|r| r.code()).collect())
            }
            ("SettingsIn" | "SettingsOut", "cycle") => {
                s(boj_domain::Cykel::ALL.iter().map(|c| c.code()).collect())
            }
            ("PartyOut", "status") => s(vec!["beslutad", "vantar", "avslagen"]),
            ("SettingsIn" | "RuleOut", "target_groups" | "residence_required_for") => {
                s(lista::<PersonTyp>())
            }
            ("SettingsIn" | "SettingsOut", "items") => s(boj_domain::avtal::DOKUMENTATIONSPOSTER
                .iter()
                .map(|(k, _)| *k)
                .collect()),
            ("SettingsIn" | "SettingsOut", "merged_categories") => {
                s(lista::<boj_domain::kod::Sammanslagning>())
            }
            ("SettingsIn" | "SettingsOut", "merged_municipalities") => Some(kommunkoder()),
            _ => None,
        }
    }

    /// Puts `enum` on a property schema: on the string itself, or on an array's items, keeping
    /// `null` where the property takes it.
    fn satt_enum(p: &mut Value, koder: &[String]) {
        let e = Value::from(koder.to_vec());
        if p.get("type").is_some_and(|t| t == "array") || p.get("items").is_some() {
            if let Some(items) = p.get_mut("items") {
                items["enum"] = e;
            }
            return;
        }
        let nullable = p["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "null"));
        if nullable {
            let mut med_null = e.as_array().cloned().unwrap_or_default();
            med_null.push(Value::Null);
            p["enum"] = Value::from(med_null);
        } else {
            p["enum"] = e;
        }
    }

    pub fn koder(doc: &mut Value) {
        let Some(scheman) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (namn, schema) in scheman.iter_mut() {
            let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
                continue;
            };
            for (prop, p) in props.iter_mut() {
                if let Some(k) = kodlista(namn, prop) {
                    satt_enum(p, &k);
                }
            }
        }
        // The case list's filter.
        if let Some(params) = doc
            .pointer_mut("/paths/~1api~1v1~1cases/get/parameters")
            .and_then(Value::as_array_mut)
        {
            for p in params {
                match p["name"].as_str() {
                    Some("status") => {
                        p["schema"] =
                            json!({"type": ["string", "null"], "enum": ["open", "all", null]})
                    }
                    Some("page") => {
                        p["schema"] =
                            json!({"type": ["integer", "null"], "minimum": 1, "maximum": 1_000_000})
                    }
                    Some("per_page") => {
                        p["schema"] =
                            json!({"type": ["integer", "null"], "minimum": 1, "maximum": 500})
                    }
                    _ => {}
                }
            }
        }
    }

    /// Every optional member of a request body takes `null` (an absent member).
    pub fn null_som_saknad(doc: &mut Value) {
        let Some(scheman) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (namn, schema) in scheman.iter_mut() {
            if !(namn.ends_with("In") || namn.ends_with("Patch")) {
                continue;
            }
            let required: Vec<String> = schema["required"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
                continue;
            };
            for (prop, p) in props.iter_mut() {
                if required.contains(prop) {
                    continue;
                }
                match p.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        p["type"] = json!([t, "null"]);
                        if let Some(e) = p.get_mut("enum").and_then(Value::as_array_mut) {
                            e.push(Value::Null);
                        }
                    }
                    Some(Value::Array(ts)) => {
                        if !ts.iter().any(|x| x == "null") {
                            ts.push(json!("null"));
                        }
                    }
                    _ => {
                        if p.get("$ref").is_some() {
                            let r = p.take();
                            *p = json!({"oneOf": [r, {"type": "null"}]});
                        }
                    }
                }
            }
        }
    }

    fn beskrivning(status: u16) -> &'static str {
        match status {
            400 => {
                "Förfrågan kunde inte läsas (adressen, parametrarna eller kroppen har fel form)."
            }
            401 => "Inte inloggad: ingen, okänd, utgången eller återkallad nyckel.",
            403 => "Rollen får inte göra detta, eller inte för detta objekt.",
            404 => "Objektet finns inte (eller syns inte för den som frågar).",
            409 => {
                "Det finns redan, eller tillståndet tillåter det inte; `id` pekar ut det som finns."
            }
            413 => "Kroppen är större än servern tar emot.",
            415 => "Kroppen har fel innehållstyp.",
            422 => "Ett värde bryter mot en regel; `field` namnger fältet.",
            _ => "Fel.",
        }
    }

    pub fn felsvar(
        doc: &mut Value,
        gates: &std::collections::HashMap<(String, String), bool>,
        body_limit: usize,
    ) {
        doc["components"]["schemas"]["Fel"] = json!({
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": boj_domain::Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(), "description": "Stabil kod, listad i docs/errors.md."},
                    "message": {"type": "string", "description": "På svenska, för den som använder klienten."},
                    "field": {"type": "string", "description": "Fältet felet gäller: dess namn i API:t eller en sökväg i JSON-kroppen (`items[0].text`)."},
                    "id": {"type": "string", "description": "Vid 409: det befintliga objektets id."}
                }
            }}
        });
        let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
            return;
        };
        for (path, ops) in paths.iter_mut() {
            let Some(ops) = ops.as_object_mut() else {
                continue;
            };
            for (method, op) in ops.iter_mut() {
                // Path-level keys (`parameters`, `summary`) are not operations.
                if !["get", "put", "post", "delete", "patch"].contains(&method.as_str())
                    || !op.is_object()
                {
                    continue;
                }
                let public = gates
                    .get(&(method.clone(), path.clone()))
                    .copied()
                    .unwrap_or(false);
                let body = op.get("requestBody").is_some();
                let params = path.contains('{');
                let query = op["parameters"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|x| x["in"] == "query"));
                // 401 also on a public route: a token that is given must be valid.
                let mut statusar = vec![400, 401];
                if !public {
                    statusar.push(403);
                    op["security"] = json!([{"bearer": []}]);
                }
                // An object named in the path, the query or the body may not exist.
                if params || query || body {
                    statusar.push(404);
                }
                if body {
                    statusar.extend([413, 415]);
                    if let Some(rb) = op.get_mut("requestBody") {
                        let fil = rb["content"].get("multipart/form-data").is_some();
                        rb["description"] = json!(if fil {
                            format!(
                                "Högst {} MiB (en fil).",
                                boj_domain::dokument::MAX_BYTES / (1024 * 1024)
                            )
                        } else {
                            format!("Högst {} KiB.", body_limit / 1024)
                        });
                    }
                }
                if body || params || query {
                    statusar.push(422);
                }
                // A change can meet a state that forbids it (an erased case, a counted activity, a
                // name or year that is taken).
                if method != "get" {
                    statusar.push(409);
                }
                let svar = op["responses"].as_object_mut();
                let Some(svar) = svar else {
                    continue;
                };
                // Statuses the handler names already (409 and the like) get the shape too.
                for (kod, s) in svar.iter_mut() {
                    if let Ok(n) = kod.parse::<u16>()
                        && n >= 400
                    {
                        *s = felsvar_for(n);
                    } else if s.get("description").is_none() {
                        s["description"] = json!("Lyckades.");
                    }
                }
                statusar.sort_unstable();
                for n in statusar {
                    svar.entry(n.to_string()).or_insert_with(|| felsvar_for(n));
                }
            }
        }
    }

    fn felsvar_for(n: u16) -> Value {
        json!({
            "description": beskrivning(n),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Fel"}}}
        })
    }
}
