struct Patient { name: String, age: i64 }
fn main() {
    let p = Patient { name: "Ann".to_string(), age: 40 };
    println!("{} {}", p.nam, p.age); //~ ERROR E0609
    //~^ HELP a field with a similar name exists
}
