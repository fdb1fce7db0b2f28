fn add(a: i64, b: i64) -> i64 { a + b }
fn main() {
    println!("{}", add(1, 2, 3)); //~ ERROR E0061
    //~^ HELP remove the extra argument
}
