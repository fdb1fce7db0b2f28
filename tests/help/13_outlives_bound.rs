fn pick<'a, 'b>(a: &'a String, b: &'b String) -> &'a String {
    if a.len() > b.len() { a } else { b } //~ ERROR lifetime may not live long enough
    //~^ HELP consider adding the following bound: `'b: 'a`
}
fn main() {
    let a = "ab".to_string();
    let b = "c".to_string();
    println!("{}", pick(&a, &b));
}
