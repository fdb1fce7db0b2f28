fn total(xs: &Vec<i64>) -> usize { xs.len() }
fn main() {
    let xs: Vec<i64> = Vec::new();
    println!("{}", total(xs)); //~ ERROR E0308
    //~^ HELP consider borrowing here
}
