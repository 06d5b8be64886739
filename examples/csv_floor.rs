//! The csv-crate parse floor for the benchmark: reads every field of every record on one thread
//! and does nothing else. `cargo run --release --example csv_floor -- leads.csv`.

fn main() {
    let path = std::env::args().nth(1).expect("usage: csv_floor FILE");
    let started = std::time::Instant::now();
    let mut rdr = csv::ReaderBuilder::new().from_path(&path).expect("open");
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    while rdr.read_byte_record(&mut rec).expect("read") {
        rows += 1;
        bytes += rec.iter().map(|f| f.len() as u64).sum::<u64>();
    }
    println!(
        "csv crate: {rows} rows, {bytes} field bytes in {:.3} s",
        started.elapsed().as_secs_f64()
    );
}
