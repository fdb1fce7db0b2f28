fn main() {
    let mut readings: Vec<i64> = Vec::new();
    readings.psh(72); //~ ERROR E0599
    //~^ HELP there is a method `push` with a similar name
    println!("{}", readings.len());
}
