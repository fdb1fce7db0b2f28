fn double(x: i64) -> i64 { //~ ERROR E0308
    x * 2; //~ HELP remove this semicolon to return this value
}
fn main() {
    println!("{}", double(2));
}
