fn first_high(xs: &Vec<i64>) -> Option<i64> {
    let x = xs[0];
    x //~ ERROR E0308
    //~^ HELP try wrapping the expression in `Some`
}
fn main() {
    println!("{:?}", first_high(&Vec::new()));
}
