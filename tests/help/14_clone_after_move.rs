fn consume(s: String) -> usize { s.len() }
fn main() {
    let name = "Ann".to_string();
    let n = consume(name);
    println!("{} {}", name, n); //~ ERROR E0382
    //~^ HELP consider cloning the value if the performance cost is acceptable
}
