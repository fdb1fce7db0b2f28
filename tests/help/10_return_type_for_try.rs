fn parse(s: &String) -> Result<usize, String> {
    if s.len() > 0 { Ok(s.len()) } else { Err("empty".to_string()) }
}
fn main() {
    let n = parse(&"1".to_string())?; //~ ERROR E0277
    //~^ HELP consider adding return type
    println!("{}", n);
}
