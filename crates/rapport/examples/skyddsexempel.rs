//! Prints a small table before and after protection, with the audit's bounds: the example in
//! docs/disclosure-control.md. `cargo run -p boj-rapport --example skyddsexempel`

use boj_rapport::bygg::{self, Dokument};
use boj_rapport::granskning::{Mal, granska_exakt};
use boj_rapport::modell::{Enhet, Tabell, Tal};
use boj_rapport::nat::{Slag, Status};
use boj_rapport::skydda_och_granska;

fn rubrik(code: &str, label: &str) -> boj_rapport::modell::Rubrik {
    boj_rapport::modell::Rubrik {
        code: code.into(),
        label: label.into(),
        members: Vec::new(),
    }
}

fn visa(t: &Tabell) {
    let cell = |x: &Tal| match x.status {
        Status::Publicerad => format!("{:>5}", x.varde),
        Status::Skyddad => format!("{:>5}", ".."),
    };
    print!("{:<28}", "");
    for k in &t.kolumner {
        print!("{:>7}", k.label);
    }
    println!("{:>7}", "Summa");
    for (i, r) in t.rader.iter().enumerate() {
        print!("{:<28}", r.label);
        for x in &t.celler[i] {
            print!("  {}", cell(x));
        }
        if let Some(s) = &t.radsummor {
            print!("  {}", cell(&s[i]));
        }
        println!();
    }
    print!("{:<28}", "Summa");
    for x in t.kolumnsummor.iter().flatten() {
        print!("  {}", cell(x));
    }
    if let Some(x) = &t.total {
        print!("  {}", cell(x));
    }
    println!();
}

fn main() {
    let v: [[u64; 2]; 3] = [[96, 71], [3, 33], [4, 5]];
    let tal = |x: u64| Tal {
        varde: x,
        bidrag: x,
        status: Status::Publicerad,
        skal: None,
    };
    let mut t = Tabell {
        id: "kommun_kon".into(),
        titel: "Ärenden per hemkommun och kön".into(),
        mangd: "ant".into(),
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: "kommun".into(),
        koldim: Some("kon".into()),
        rader: vec![
            rubrik("2380", "Östersund"),
            rubrik("2303+2305+2326", "Berg, Bräcke och Ragunda"),
            rubrik("annan_okand", "Annan eller okänd hemkommun"),
        ],
        kolumner: vec![rubrik("kvinna", "Kvinna"), rubrik("man", "Man")],
        celler: v
            .iter()
            .map(|r| r.iter().map(|&x| tal(x)).collect())
            .collect(),
        radsummor: Some(v.iter().map(|r| tal(r.iter().sum())).collect()),
        kolumnsummor: Some((0..2).map(|j| tal(v.iter().map(|r| r[j]).sum())).collect()),
        total: Some(tal(v.iter().flatten().sum())),
    };
    println!("Before (threshold 5):");
    visa(&t);
    let tabeller = vec![t.clone()];
    let (mut nat, platser) = bygg::bygg(
        &[Dokument {
            id: "2026/1".into(),
            tabeller: &tabeller,
            fast: false,
            nollor: false,
            troskel: 0,
        }],
        &[],
        &[],
    );
    let g = skydda_och_granska(&mut nat, 5, &bygg::tabellceller(&platser[0]));
    bygg::skriv_tillbaka(&nat, std::slice::from_mut(&mut t), &platser[0]);
    println!("\nAfter:");
    visa(&t);
    println!("\nAudit (integer bounds an attacker can derive):");
    // The exact bounds (issuing decides by witnesses and solves only where none decides).
    let g = g.map(|_| granska_exakt(&nat, 5)).unwrap_or_else(|g| g);
    for b in &g.granser {
        if let Mal::Cell { cell } = b.mal {
            let c = &nat.celler[cell];
            let f = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or("∞".into());
            println!(
                "  {:<40} true {:>3}   bounds {:>3} – {:<3}  {}",
                c.key.split('#').nth(1).unwrap_or(""),
                b.sant,
                f(b.min),
                f(b.max),
                if b.haller { "holds" } else { "BREACH" }
            );
        }
    }
    println!("\nPromise holds: {}", g.haller());
    // What the line rules alone would have left, audited: the merged row's 3 and 4 protected with
    // only their row partners.
    let mut svag = nat.clone();
    for c in &mut svag.celler {
        c.status = Status::Publicerad;
    }
    for key in [
        "kommun=2303+2305+2326;kon=kvinna",
        "kommun=annan_okand;kon=kvinna",
    ] {
        if let Some(i) = svag.hitta(&format!("2026/1#ant|{key}")) {
            svag.celler[i].status = Status::Skyddad;
        }
    }
    let g2 = granska_exakt(&svag, 5);
    println!(
        "\nOnly the two small cells protected — audit: {}",
        if g2.haller() { "holds" } else { "refused" }
    );
    for b in g2.brott() {
        if let Mal::Cell { cell } = b.mal {
            println!(
                "  {} true {} bounds {:?} – {:?}",
                svag.celler[cell].key, b.sant, b.min, b.max
            );
        }
    }
}
