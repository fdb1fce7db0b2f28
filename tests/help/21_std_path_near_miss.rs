mod hl7 { pub fn parse(_s: &str) -> Result<(), ()> { Ok(()) } }
fn main() {
    let m = hl7::parsee("MSH|^~\\&|A"); //~ ERROR E0425
    //~^ HELP a function with a similar name exists
    println!("{}", m.is_ok());
}
