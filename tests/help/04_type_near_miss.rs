struct Patient { name: String }
fn show(p: &Patien) -> String { p.name.clone() } //~ ERROR E0425
//~^ HELP a struct with a similar name exists
fn main() {
    let p = Patient { name: "Ann".to_string() };
    println!("{}", show(&p));
}
