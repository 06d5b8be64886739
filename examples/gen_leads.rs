//! Generates a synthetic lead export for benchmarks: `cargo run --release --example gen_leads --
//! ROWS > leads.csv`. Deterministic (fixed seed); about 190 bytes a row, with empty numbers, quoted
//! fields holding commas, mixed case and date-times, as real CRM exports have.

use std::io::{BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: fast, and good enough to spread values over the lists below.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn main() {
    let rows: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let out = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    let first = [
        "Ana", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hiro", "Ida", "José", "Kim", "Lou",
    ];
    let last = [
        "Smith", "Müller", "Rossi", "Kumar", "Chen", "Okafor", "Silva", "Novak", "Dubois",
    ];
    let company = [
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Hooli",
        "Stark Industries",
        "Wayne, Inc.",
        "Tyrell",
    ];
    let title = [
        "VP Marketing",
        "Director of Sales",
        "Engineer",
        "CTO",
        "Analyst",
        "Head of IT",
        "Intern",
        "Founder",
        "vp operations",
    ];
    let country = [
        "Germany",
        "France",
        "United Kingdom",
        "India",
        "United States",
        "Brazil",
        "germany",
        "",
        "Spain",
        "Japan",
    ];
    let source = [
        "Google",
        "google",
        "Organic Search",
        "Olark Chat",
        "Direct Traffic",
        "Referral Sites",
        "Facebook",
        "Welingak Website",
    ];
    let industry = [
        "Software",
        "Retail",
        "Finance",
        "Education",
        "Healthcare",
        "Manufacturing",
    ];
    let notes = [
        "",
        "",
        "",
        "Wants pricing, discount",
        "call back",
        "\"\"VIP\"\" account",
        "Interested  in full time MBA",
    ];
    writeln!(w, "Prospect ID,Email,First Name,Last Name,Company,Job Title,Country,Lead Source,Lead Score,Number of Employees,TotalVisits,Total Time Spent on Website,Created At,Last Activity At,Unsubscribed,Do Not Call,Industry,Annual Revenue,Notes").unwrap();
    for i in 0..rows {
        let f = r.pick(&first);
        let l = r.pick(&last);
        let employees = if r.below(10) == 0 {
            String::new()
        } else {
            (r.below(20_000) + 1).to_string()
        };
        let visits = if r.below(20) == 0 {
            String::new()
        } else {
            format!("{}.{}", r.below(30), r.below(10))
        };
        let day = 1 + r.below(28);
        let month = 1 + r.below(12);
        let company_name = r.pick(&company);
        let company_field = if company_name.contains(',') {
            format!("\"{company_name}\"")
        } else {
            company_name.to_string()
        };
        let note = r.pick(&notes);
        let note_field = if note.contains(',') || note.contains('"') {
            format!("\"{note}\"")
        } else {
            note.to_string()
        };
        writeln!(
            w,
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x},{}.{}{}@example.com,{f},{l},{company_field},{},{},{},{},{employees},{visits},{},2024-{month:02}-{day:02},2024-{:02}-{:02}T{:02}:{:02}:00Z,{},{},{},{}.{:02},{note_field}",
            r.next() as u32, i as u16, r.below(4096), r.below(65536), r.next() & 0xFFFF_FFFF_FFFF,
            f.to_lowercase(), l.to_lowercase(), i,
            r.pick(&title), r.pick(&country), r.pick(&source), r.below(100),
            r.below(2400),
            1 + r.below(12), 1 + r.below(28), r.below(24), r.below(60),
            if r.below(8) == 0 { "Yes" } else { "No" },
            if r.below(2) == 0 { "true" } else { "false" },
            r.pick(&industry), r.below(5_000_000), r.below(100),
        )
        .unwrap();
    }
    w.flush().unwrap();
}
