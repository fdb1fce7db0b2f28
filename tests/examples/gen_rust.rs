//! Prints `ward_tests::generate_rust_program(LINES)`: the generated Ward
//! program (`gen_program`) translated to Rust, for timing rustc on it.
//!
//! Run: `cargo run --release -p ward-tests --example gen_rust -- 10000`

fn main() {
    let lines = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    print!("{}", ward_tests::generate_rust_program(lines));
}
