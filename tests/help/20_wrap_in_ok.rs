fn parse_hr(text: &String) -> Result<usize, String> {
    let hr = text.len();
    hr //~ ERROR E0308
    //~^ HELP try wrapping the expression in `Ok`
}
fn main() {
    println!("{:?}", parse_hr(&"72".to_string()));
}
