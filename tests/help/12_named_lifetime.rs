fn longest(a: &String, b: &String) -> &String { //~ ERROR E0106
    //~^ HELP consider introducing a named lifetime parameter
    if a.len() > b.len() { a } else { b }
}
fn main() {
    let a = "ab".to_string();
    let b = "c".to_string();
    println!("{}", longest(&a, &b));
}
