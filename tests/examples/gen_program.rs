//! Prints a generated program of N lines (default 10 000) to stdout:
//! `cargo run --release -p ward-tests --example gen_program -- 10000`.
fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    print!("{}", ward_tests::generate_program(n));
}
