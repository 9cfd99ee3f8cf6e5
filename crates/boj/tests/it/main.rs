//! All integration tests in one binary (each file under `tests/` would be another slow link).
//! They talk to a running app over HTTP, like a client, on SQLite by default and on PostgreSQL when
//! `BOJ_TEST_DATABASE_URL` is set (see the README).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;
mod instanser;

mod arenden;
mod arkitektur;
mod auth;
mod avtal;
mod bad_input;
mod bidrag;
mod cli;
mod fientlig;
mod fuzz;
mod granskning;
mod krasch;
mod nycklar;
mod oidc;
mod rapporter;
mod rapportsiffror;
mod routes;
mod sakerhetskopia;
mod samverkan;
mod schema;
mod story;
