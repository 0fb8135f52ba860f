//! Parse a file and count records and value bytes (used to measure the parser alone):
//! `cargo run --release --example parse_count -- FILE`.
use ldifix::ldif::{Body, Item, Parser};
use ldifix::source::Input;

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_count FILE");
    let input = Input::open(std::path::Path::new(&path)).expect("open");
    let t = std::time::Instant::now();
    let (mut n, mut sum) = (0u64, 0u64);
    for item in Parser::new(input.bytes()) {
        if let Ok(Item::Record(r)) = item {
            n += 1;
            if let Body::Attrs(a) = &r.body {
                for a in a {
                    sum = sum.wrapping_add(a.value.as_bytes().len() as u64);
                }
            }
        }
    }
    let s = t.elapsed().as_secs_f64();
    let mb = input.bytes().len() as f64 / 1e6;
    println!(
        "{n} records, {sum} value bytes, {mb:.1} MB in {s:.3} s = {:.0} MB/s",
        mb / s
    );
}
