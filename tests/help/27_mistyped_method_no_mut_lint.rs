fn main() {
    let mut names: Vec<String> = Vec::new();
    names.pusg("Ann".to_string()); //~ ERROR E0599
    //~^ HELP there is a method `push` with a similar name
    println!("{}", names.len());
}
