fn reading(hr: i64, spo2: f64, patient: String) -> String { format!("{} {} {}", patient, hr, spo2) }
fn main() {
    println!("{}", reading(72)); //~ ERROR E0061
    //~^ HELP provide the arguments
}
