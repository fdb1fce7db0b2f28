struct Reading { hr: i64, spo2: f64 }
fn main() {
    let r = Reading { hr: 72 spo2: 0.98 }; //~ ERROR expected one of
    //~^ HELP try adding a comma
    //~| ERROR E0063
    println!("{} {}", r.hr, r.spo2);
}
