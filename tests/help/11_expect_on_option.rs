fn main() {
    let names: Vec<String> = Vec::new();
    let first = names.first();
    println!("{}", first.len()); //~ ERROR E0624
    //~^ HELP consider using `Option::expect` to unwrap the `&String` value
}
