fn main() {
    let weight: f64 = 70; //~ ERROR E0308
    //~^ HELP use a float literal
    println!("{}", weight);
}
