//! Times the csv crate against the scanner on one file, single thread.
//!
//! `cargo run --release --example bench -- FILE` benchmarks FILE;
//! `cargo run --release --example bench -- --gen N OUT` writes N lead-like rows.
//! `CURSORS_ONLY=1` times only the streaming cursor, with and without its bit-parallel path
//! (`CURSORS_ONLY=fast`: with it only, for a profiler).

use revc::engine::scan::*;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, n, out] if flag == "--gen" => generate(n.parse().expect("row count"), out),
        [file] => bench(file),
        _ => {
            eprintln!("usage: bench FILE | bench --gen N OUT");
            std::process::exit(2);
        }
    }
}

/// Lead-export-like rows: ids, uuids, names, emails, numbers, and a notes
/// column that is sometimes quoted with commas, doubled quotes or newlines.
fn generate(rows: usize, out: &str) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).expect("create output"));
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let names = [
        "Ana", "Bo", "Chandra", "Dmitri", "Élodie", "Farouk", "Grace", "Hiro",
    ];
    let sources = [
        "Google",
        "Olark Chat",
        "Direct Traffic",
        "Referral Sites",
        "Organic Search",
    ];
    let notes = [
        "",
        "Called back",
        "\"Wants pricing, discount\"",
        "\"Said \"\"not now\"\"\"",
        "\"Line one\nLine two\"",
        "Interested in other courses",
    ];
    writeln!(
        w,
        "id,uuid,first,email,source,visits,time,score,notes,created"
    )
    .unwrap();
    for i in 0..rows {
        let r = rnd();
        let name = names[(r % 8) as usize];
        writeln!(
            w,
            "{},{:016x}-{:04x},{},{}{}@example.com,{},{},{},{:.2},{},2024-{:02}-{:02}",
            660_000 + i,
            rnd(),
            r >> 48,
            name,
            name.to_lowercase(),
            r % 1000,
            sources[((r >> 8) % 5) as usize],
            (r >> 16) % 40,
            (r >> 24) % 2500,
            ((r >> 32) % 1000) as f64 / 100.0,
            notes[((r >> 40) % 6) as usize],
            (r >> 44) % 12 + 1,
            (r >> 50) % 28 + 1,
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// Best of several runs, to damp noise from the shared machine.
fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..7 {
        let t = Instant::now();
        let v = black_box(f());
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.unwrap())
}

fn report(label: &str, d: Duration, bytes: usize, detail: impl std::fmt::Display) {
    let mbs = bytes as f64 / d.as_secs_f64() / 1e6;
    println!(
        "{label:<36} {:>9.2} ms {mbs:>8.0} MB/s  {detail}",
        d.as_secs_f64() * 1e3
    );
}

fn bench(file: &str) {
    let data = std::fs::read(file).expect("read input");
    let n = data.len();
    println!(
        "{file}: {:.1} MB, {} lines",
        n as f64 / 1e6,
        count_lines(&data)
    );

    if std::env::var_os("CURSORS_ONLY").is_some() {
        return cursors(&data);
    }
    let (d, (recs, sum)) = best(|| {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&data[..]);
        let mut rec = csv::ByteRecord::new();
        let (mut recs, mut sum) = (0usize, 0usize);
        while rdr.read_byte_record(&mut rec).unwrap() {
            recs += 1;
            for f in rec.iter() {
                sum += f.len();
            }
        }
        (recs, sum)
    });
    report(
        "csv ByteRecord, every field",
        d,
        n,
        format!("{recs} records, {sum} field bytes"),
    );

    let sc = Scanner::new(b',');
    let (d, (recs, nf)) = best(|| {
        let mut fields = Vec::with_capacity(64);
        let (mut recs, mut nf, mut pos) = (0usize, 0usize, skip_bom(&data));
        while let Step::Record { end, .. } = sc.next_record(&data, pos, true, &mut fields) {
            recs += 1;
            nf += fields.len();
            pos = end;
        }
        (recs, nf)
    });
    report(
        "scanner, boundaries only",
        d,
        n,
        format!("{recs} records, {nf} fields"),
    );

    cursors(&data);

    let (d, (recs, sum)) = best(|| {
        let mut fields = Vec::with_capacity(64);
        let mut scratch = Vec::new();
        let (mut recs, mut sum, mut pos) = (0usize, 0usize, skip_bom(&data));
        while let Step::Record { end, .. } = sc.next_record(&data, pos, true, &mut fields) {
            recs += 1;
            for &f in &fields {
                sum += field_bytes(&data, f, &mut scratch).len();
            }
            pos = end;
        }
        (recs, sum)
    });
    report(
        "scanner, decode every field",
        d,
        n,
        format!("{recs} records, {sum} field bytes"),
    );

    let (d, lines) = best(|| count_lines(&data));
    report("count_lines", d, n, format!("{lines} lines"));

    for parts in [2, 8] {
        let (d, b) = best(|| split_records(&sc, &data, skip_bom(&data), parts));
        report(
            &format!("split_records parts={parts}"),
            d,
            n,
            format!("{} chunks", b.len() - 1),
        );
    }
}

/// The streaming cursor as the engine drives it, with and without the bit-parallel path for
/// well-formed records.
fn cursors(data: &[u8]) {
    let sc = Scanner::new(b',');
    let fast_only = std::env::var("CURSORS_ONLY").is_ok_and(|v| v == "fast");
    for (label, exact) in [
        ("cursor, boundaries only", false),
        ("exact cursor, boundaries only", true),
    ] {
        if exact && fast_only {
            continue;
        }
        let (d, (recs, nf)) = best(|| {
            let mut fields = Fields::with_capacity(64);
            let (mut recs, mut nf) = (0usize, 0usize);
            let start = skip_bom(data);
            let mut cur = if exact {
                Cursor::exact(&sc, data, start, true)
            } else {
                Cursor::new(&sc, data, start, true)
            };
            while let Step::Record { .. } = cur.next_fields(&mut fields) {
                recs += 1;
                nf += fields.len();
            }
            (recs, nf)
        });
        report(label, d, data.len(), format!("{recs} records, {nf} fields"));
    }
}
