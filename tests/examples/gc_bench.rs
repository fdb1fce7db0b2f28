//! The GC benchmark table alone (`vm_bench` prints it after the VM table),
//! each program run five times each way: see `ward_tests::gc_table`.
//!
//! Run: `cargo run --release -p ward-tests --example gc_bench`
//! (it builds the release `ward` binary first).

fn main() {
    ward_tests::gc_table::print_gc_table(&ward_tests::release_ward(), 5);
}
