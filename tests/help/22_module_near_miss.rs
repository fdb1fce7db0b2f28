mod vitals {
    pub fn normal(hr: i64) -> bool { hr < 100 }
}
fn main() {
    println!("{}", vital::normal(72)); //~ ERROR E0433
    //~^ HELP you might be missing a crate named `vital`
}
