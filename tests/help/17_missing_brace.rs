fn check(hr: i64) -> bool {
    if hr > 100 {
        return true;
    false
}
fn main() {
    println!("{}", check(72));
} //~ ERROR this file contains an unclosed delimiter
