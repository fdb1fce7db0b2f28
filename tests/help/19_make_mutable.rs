fn main() {
    let readings: Vec<i64> = Vec::new();
    readings.push(72); //~ ERROR E0596
    //~^ HELP consider changing this to be mutable
    println!("{}", readings.len());
}
