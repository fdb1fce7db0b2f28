fn first_len(names: &Vec<String>) -> Option<usize> {
    let first = names.first();
    Some(first.len()) //~ ERROR E0624
    //~^ HELP use the `?` operator to extract the `&String` value
}
fn main() {
    println!("{:?}", first_len(&Vec::new()));
}
