fn average(xs: &Vec<i64>) -> i64 { xs[0] }
fn main() {
    let xs: Vec<i64> = Vec::new();
    println!("{}", averag(&xs)); //~ ERROR E0425
    //~^ HELP a function with a similar name exists
}
